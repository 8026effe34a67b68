package io.hfbeam.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible server on loopback that answers from a script: each request takes the next
 * scripted {@link Answer} (ok, 429, 500, reset, slow, invalid JSON, 401, ...), or a default answer
 * per path when the script is empty. It records every request (method, path, headers, body) and the
 * most requests it had in flight at once.
 */
public final class ScriptedOpenAiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as the server got it. */
  public record Received(
      String method, String path, Map<String, List<String>> headers, String body) {
    public JsonNode json() throws IOException {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  /** How the server answers one request. */
  @FunctionalInterface
  public interface Answer {
    void answer(HttpExchange exchange, Received request) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final Deque<Answer> script = new ArrayDeque<>();
  private final List<Received> received = new ArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Duration latency = Duration.ZERO;
  private volatile Answer chatDefault = ok("ok");

  public ScriptedOpenAiServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
  }

  public synchronized ScriptedOpenAiServer enqueue(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  /** A delay before every answer (for the concurrency count). */
  public void latency(Duration value) {
    latency = value;
  }

  public synchronized List<Received> requests() {
    return List.copyOf(received);
  }

  /** Requests received and not yet answered. */
  public int inFlight() {
    return inFlight.get();
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  private void handle(HttpExchange exchange) throws IOException {
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    try {
      String path = exchange.getRequestURI().getPath().replaceFirst("^/v1", "");
      Received request =
          new Received(
              exchange.getRequestMethod(),
              path,
              Map.copyOf(exchange.getRequestHeaders()),
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      Answer answer;
      synchronized (this) {
        received.add(request);
        answer = script.poll();
      }
      if (!latency.isZero()) {
        Thread.sleep(latency.toMillis());
      }
      (answer == null ? byPath() : answer).answer(exchange, request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
    } catch (Exception e) {
      exchange.close();
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private Answer byPath() {
    return (exchange, request) -> {
      switch (request.path()) {
        case "/models" -> models("model-a", "model-b").answer(exchange, request);
        case "/embeddings" -> embeddings(false).answer(exchange, request);
        default -> chatDefault.answer(exchange, request);
      }
    };
  }

  /** How chat completions are answered when the script is empty. */
  public ScriptedOpenAiServer chatDefault(Answer answer) {
    chatDefault = answer;
    return this;
  }

  /** Chat completions answered so far (every attempt). */
  public synchronized long chatRequests() {
    return received.stream().filter(r -> r.path().equals("/chat/completions")).count();
  }

  // --- scripted answers

  /**
   * Deterministic answers to the MEDEC prompt file's tasks that pass its checks: a paraphrase (the
   * note's sentences in reverse order, prefixed) or a reasoning, as the schema asks; the tokens are
   * a function of the text, so a run and its re-run use the same.
   */
  public static Answer medec() {
    return (exchange, request) -> {
      JsonNode body = request.json();
      JsonNode messages = body.path("messages");
      String user = messages.get(messages.size() - 1).path("content").asText();
      String content;
      if (user.contains("Paraphrase")) {
        String note = between(user, "Clinical note:\n", "\n\nAnswer as");
        String[] sentences = note.split("(?<=\\.)\\s+");
        StringBuilder b = new StringBuilder("Restated note:");
        for (int i = sentences.length - 1; i >= 0; i--) b.append(' ').append(sentences[i]);
        content = JSON.createObjectNode().put("paraphrase", b.toString()).toString();
      } else {
        String wrong = between(user, "The erroneous sentence:\n", "\n\n");
        content =
            JSON.createObjectNode()
                .put(
                    "reasoning",
                    "The flagged sentence ("
                        + wrong.length()
                        + " characters) conflicts with the"
                        + " findings reported elsewhere in the note.")
                .toString();
      }
      ok(content, user.length() / 4, content.length() / 4).answer(exchange, request);
    };
  }

  /**
   * Deterministic answers to the conversation prompt files' tasks that pass their checks: a summary
   * whose fields are functions of the conversation text (the first user words as the summary,
   * scores 1..5 by hash), or a cluster name from the first positive example.
   */
  public static Answer conversations() {
    return (exchange, request) -> {
      JsonNode messages = request.json().path("messages");
      String user = messages.get(messages.size() - 1).path("content").asText();
      ObjectNode a = JSON.createObjectNode();
      if (user.contains("These summaries belong to one group")) {
        String first = between(user, "- ", "\n").strip();
        String words =
            String.join(
                " ",
                java.util.Arrays.asList(first.split("\\s+"))
                    .subList(0, Math.min(6, first.split("\\s+").length)));
        a.put("name", "Help with " + words);
        a.put("summary", "The users asked about " + words + ". The assistant helped them.");
        a.put("slug", "help_with_" + Math.abs(words.hashCode() % 1000));
      } else {
        String conv = between(user, "<message>user: ", "</message>").strip();
        int h = Math.abs(conv.hashCode());
        a.put(
            "summary", "The user asked: " + (conv.length() > 200 ? conv.substring(0, 200) : conv));
        a.put("request", "The user's overall request for the assistant is to answer a question.");
        a.putNull("topic");
        a.putArray("languages").add("english");
        a.put("task", "The task is to answer.");
        a.put("concerning_score", 1 + h % 5);
        a.put("user_frustration", 1 + (h / 5) % 5);
        a.putArray("assistant_errors");
      }
      String content = a.toString();
      ok(content, user.length() / 4, content.length() / 4).answer(exchange, request);
    };
  }

  private static String between(String s, String from, String to) {
    int a = s.indexOf(from);
    if (a < 0) return s;
    a += from.length();
    int b = s.indexOf(to, a);
    return b < 0 ? s.substring(a) : s.substring(a, b);
  }

  public static Answer ok(String content) {
    return ok(content, 10, 5, Map.of());
  }

  public static Answer ok(String content, long promptTokens, long completionTokens) {
    return ok(content, promptTokens, completionTokens, Map.of());
  }

  /** A chat completion answer with {@code usage} and extra headers (rate-limit headers). */
  public static Answer ok(
      String content, long promptTokens, long completionTokens, Map<String, String> headers) {
    return (exchange, request) -> {
      ObjectNode body = JSON.createObjectNode();
      body.put("id", "chatcmpl-1").put("object", "chat.completion");
      body.put("model", request.json().path("model").asText("model-a"));
      ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", content);
      choice.put("finish_reason", "stop");
      body.putObject("usage")
          .put("prompt_tokens", promptTokens)
          .put("completion_tokens", completionTokens)
          .put("total_tokens", promptTokens + completionTokens);
      send(exchange, 200, JSON.writeValueAsString(body), headers);
    };
  }

  /** Valid protocol, but content that no answer schema with a required field accepts. */
  public static Answer schemaViolating() {
    return ok("{\"unexpected\": [1, 2, 3]}");
  }

  public static Answer status(int code, String body, Map<String, String> headers) {
    return (exchange, request) -> send(exchange, code, body, headers);
  }

  public static Answer error(int code, String message) {
    return status(code, errorBody(message), Map.of());
  }

  public static String errorBody(String message) {
    ObjectNode body = JSON.createObjectNode();
    body.putObject("error").put("message", message).put("type", "invalid_request_error");
    return body.toString();
  }

  /** 429, with {@code Retry-After: retryAfter} unless null. */
  public static Answer rateLimited(String retryAfter) {
    return status(
        429,
        errorBody("Rate limit reached"),
        retryAfter == null ? Map.of() : Map.of("Retry-After", retryAfter));
  }

  public static Answer serverError() {
    return error(500, "The server had an error while processing your request");
  }

  public static Answer unauthorized(String message) {
    return error(401, message);
  }

  /** Closes the connection without an answer. */
  public static Answer reset() {
    return (exchange, request) -> exchange.close();
  }

  /** Waits {@code delay}, then answers with {@code then} (a client past its timeout is gone). */
  public static Answer slow(Duration delay, Answer then) {
    return (exchange, request) -> {
      Thread.sleep(delay.toMillis());
      then.answer(exchange, request);
    };
  }

  /** Sends the headers and a first byte of the body, then stalls for {@code delay}. */
  public static Answer stalledBody(Duration delay) {
    return (exchange, request) -> {
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write('{');
      out.flush();
      Thread.sleep(delay.toMillis());
      out.close();
    };
  }

  /** A 200 answer of {@code size} bytes of JSON whitespace and an object. */
  public static Answer huge(int size) {
    return status(200, " ".repeat(size) + "{}", Map.of());
  }

  public static Answer invalidJson() {
    return status(200, "{\"choices\": [ not json", Map.of());
  }

  public static Answer models(String... ids) {
    return (exchange, request) -> {
      ObjectNode body = JSON.createObjectNode().put("object", "list");
      ArrayNode data = body.putArray("data");
      for (String id : ids) {
        data.addObject().put("id", id).put("object", "model");
      }
      send(exchange, 200, body.toString(), Map.of());
    };
  }

  /** Embeddings [i, len(text)] per input, listed in reverse order when {@code reversed}. */
  public static Answer embeddings(boolean reversed) {
    return (exchange, request) -> {
      JsonNode input = request.json().path("input");
      ObjectNode body = JSON.createObjectNode().put("object", "list");
      body.put("model", request.json().path("model").asText());
      ArrayNode data = body.putArray("data");
      for (int k = 0; k < input.size(); k++) {
        int i = reversed ? input.size() - 1 - k : k;
        ObjectNode item = data.addObject().put("object", "embedding").put("index", i);
        item.putArray("embedding").add(i).add(input.get(i).asText().length());
      }
      body.putObject("usage").put("prompt_tokens", 7).put("total_tokens", 7);
      send(exchange, 200, body.toString(), Map.of());
    };
  }

  private static void send(
      HttpExchange exchange, int code, String body, Map<String, String> headers)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
