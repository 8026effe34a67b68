package io.hfbeam.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A standalone OpenAI-compatible server (Jetty) for the sft-generate throughput bench
 * (bench/sft.sh, issue 14), on loopback only. Not the JDK's HttpServer: on a kept-alive connection
 * it answered about 44 ms late (244 ms for a 200 ms latency, measured with Python's http.client and
 * the JDK client alike).
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions} answers after a fixed latency, measured from the moment
 *       the request body has been read. The wait is not a sleeping thread: the answer is scheduled
 *       on a timer and written from there, so 128 (or 1,000) requests in flight each wait exactly
 *       the latency. The answer is a function of the request body's hash: a MEDEC {@code
 *       paraphrase_correct} request gets {@code {"paraphrase": "..."}} (the note's words in reverse
 *       order behind a hash tag: never the corrected text, never containing the error sentence, as
 *       long as the note), an {@code explain_error} request {@code {"reasoning": "..."}}; {@code
 *       usage} counts about 4 characters a token.
 *   <li>A rate limit ({@code --rate-limit RPS}, 0 = none): a token bucket of RPS requests refilled
 *       continuously at RPS per second. A request past it gets 429 at once (no latency) with {@code
 *       Retry-After} (whole seconds, rounded up), {@code retry-after-ms} (exact) and OpenAI's
 *       {@code x-ratelimit-limit-requests}, {@code x-ratelimit-remaining-requests} and {@code
 *       x-ratelimit-reset-requests} (time until the bucket is full again, in OpenAI's {@code 1s},
 *       {@code 120ms} form); 200s carry the same three headers, as OpenAI's do.
 *   <li>{@code POST /v1/embeddings} answers at once with hashed bag-of-words vectors (384 floats).
 *   <li>{@code GET /v1/models}; {@code GET /stats} (JSON: chat requests, 200s, 429s, max in flight,
 *       and {@code window_s}: seconds from the first chat request's arrival to the last 200 sent,
 *       the same clock for every client; {@code late_ms_mean}/{@code late_ms_max}: how late the
 *       timer sent the 200s past arrival + latency; {@code ?reset=1} zeroes them after answering).
 * </ul>
 *
 * <p>usage: {@code LatencyOpenAiServer [--port P] [--latency-ms 200] [--rate-limit RPS]} (port 0:
 * any free one); prints {@code LatencyOpenAiServer listening on http://127.0.0.1:P/v1} when ready.
 */
public final class LatencyOpenAiServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NOTE_START = "Clinical note:\n";
  private static final String NOTE_END = "\n\nAnswer as {\"paraphrase\"";

  private final Server server;
  private final ServerConnector connector;
  private final ScheduledThreadPoolExecutor timer;
  private final long latencyNanos;
  private final Bucket bucket;
  private final AtomicLong chatRequests = new AtomicLong();
  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong limited = new AtomicLong();
  private final AtomicLong otherRequests = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicLong firstArrival = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAnswer = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong lateNanos = new AtomicLong();
  private final AtomicLong maxLateNanos = new AtomicLong();

  public LatencyOpenAiServer(int port, long latencyMs, double rateLimit) throws Exception {
    this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMs);
    this.bucket = rateLimit > 0 ? new Bucket(rateLimit) : null;
    // Jetty's threads only read, parse and schedule; the timer writes the answers (asynchronously,
    // Jetty's Response.write with a callback). Nothing ever sleeps.
    QueuedThreadPool pool = new QueuedThreadPool(32, 4);
    pool.setName("latency-server");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(InetAddress.getLoopbackAddress().getHostAddress());
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    connector.setIdleTimeout(300_000);
    server.addConnector(connector);
    server.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            LatencyOpenAiServer.this.handle(request, response, callback);
            return true;
          }
        });
    timer = new ScheduledThreadPoolExecutor(2, daemon("latency-server-timer"));
    server.start();
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    long latencyMs = 200;
    double rate = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--latency-ms" -> latencyMs = Long.parseLong(args[++i]);
        case "--rate-limit" -> rate = Double.parseDouble(args[++i]);
        default -> {
          System.err.println(
              "usage: LatencyOpenAiServer [--port P] [--latency-ms 200] [--rate-limit RPS]");
          System.exit(2);
        }
      }
    }
    LatencyOpenAiServer s = new LatencyOpenAiServer(port, latencyMs, rate);
    System.out.println(
        "LatencyOpenAiServer listening on "
            + s.baseUrl()
            + " (latency "
            + latencyMs
            + " ms, rate limit "
            + (rate > 0 ? rate + "/s" : "none")
            + ")");
    System.out.flush();
    s.server.join();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + connector.getLocalPort() + "/v1";
  }

  private void handle(Request request, Response response, Callback callback) {
    try {
      String path = request.getHttpURI().getPath();
      String method = request.getMethod();
      if (method.equals("POST") && path.equals("/v1/chat/completions")) {
        chat(request, response, callback);
      } else if (method.equals("POST") && path.equals("/v1/embeddings")) {
        embeddings(request, response, callback);
      } else if (method.equals("GET") && path.equals("/v1/models")) {
        otherRequests.incrementAndGet();
        send(
            response,
            callback,
            200,
            "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\","
                + "\"created\":1700000000,\"owned_by\":\"bench\"}]}");
      } else if (method.equals("GET") && path.equals("/stats")) {
        String stats = stats();
        if ("reset=1".equals(request.getHttpURI().getQuery())) reset();
        send(response, callback, 200, stats);
      } else {
        otherRequests.incrementAndGet();
        send(
            response,
            callback,
            404,
            error("no route " + method + " " + path, "invalid_request_error"));
      }
    } catch (Exception e) {
      callback.failed(e);
    }
  }

  /** Dimensions of the bench's embeddings. */
  static final int DIMENSION = 384;

  /**
   * Answers at once (no latency, no rate limit): a vector per input text by the hashing trick over
   * its lower-case words (each word adds +-1 to one of 384 buckets, then L2-normalised), so texts
   * that share words are near and the clusters are about the texts' topics. A stand-in for an
   * embedding model that costs the pipeline nothing, to measure everything else at 100k.
   */
  private void embeddings(Request request, Response response, Callback callback)
      throws IOException {
    otherRequests.incrementAndGet();
    JsonNode body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = JSON.readTree(in);
    }
    JsonNode input = body.path("input");
    StringBuilder out = new StringBuilder(256 + input.size() * DIMENSION * 12);
    out.append("{\"object\":\"list\",\"model\":")
        .append(JSON.writeValueAsString(body.path("model").asText("hash")))
        .append(",\"data\":[");
    int tokens = 0;
    for (int i = 0; i < input.size(); i++) {
      String text = input.get(i).asText();
      tokens += text.length() / 4 + 1;
      float[] v = new float[DIMENSION];
      for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
        if (w.isEmpty()) continue;
        int h = w.hashCode() * 0x9E3779B9;
        v[Math.floorMod(h, DIMENSION)] += (h >>> 31) == 0 ? 1 : -1;
      }
      double norm = 0;
      for (float x : v) norm += x * x;
      norm = norm == 0 ? 1 : Math.sqrt(norm);
      if (i > 0) out.append(',');
      out.append("{\"object\":\"embedding\",\"index\":").append(i).append(",\"embedding\":[");
      for (int j = 0; j < DIMENSION; j++) {
        if (j > 0) out.append(',');
        out.append((float) (v[j] / norm));
      }
      out.append("]}");
    }
    out.append("],\"usage\":{\"prompt_tokens\":")
        .append(tokens)
        .append(",\"total_tokens\":")
        .append(tokens)
        .append("}}");
    send(response, callback, 200, out.toString());
  }

  private void chat(Request request, Response response, Callback callback) throws IOException {
    long arrived = System.nanoTime();
    firstArrival.accumulateAndGet(arrived, Math::min);
    chatRequests.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
    byte[] body;
    try (InputStream in = Content.Source.asInputStream(request)) {
      body = in.readAllBytes();
    }
    Bucket.Take take = bucket == null ? null : bucket.take();
    if (take != null) {
      response.getHeaders().put("x-ratelimit-limit-requests", take.limit);
      response.getHeaders().put("x-ratelimit-remaining-requests", take.remaining);
      response.getHeaders().put("x-ratelimit-reset-requests", take.reset);
      if (!take.granted) {
        limited.incrementAndGet();
        response.getHeaders().put("retry-after", take.retryAfterSeconds);
        response.getHeaders().put("retry-after-ms", take.retryAfterMs);
        inFlight.decrementAndGet();
        send(
            response,
            callback,
            429,
            error(
                "Rate limit reached for gpt-4o-mini on requests per second (RPS): Limit "
                    + take.limit
                    + ". Please try again in "
                    + take.retryAfterMs
                    + "ms.",
                "requests",
                "rate_limit_exceeded"));
        return;
      }
    }
    String answer;
    int status = 200;
    try {
      answer = answer(body);
    } catch (IOException | RuntimeException e) {
      status = 400;
      answer = error("bad request: " + e.getMessage(), "invalid_request_error");
    }
    int finalStatus = status;
    String finalAnswer = answer;
    // conversations analyze's summaries, timed on their own (the run's other stages sit between)
    boolean summary = status == 200 && answer.contains("overall request for the assistant");
    if (summary) {
      summaryRequests.incrementAndGet();
      firstSummary.accumulateAndGet(arrived, Math::min);
    }
    long delay = Math.max(0, latencyNanos - (System.nanoTime() - arrived));
    long due = arrived + latencyNanos;
    Runnable reply =
        () -> {
          long late = Math.max(0, System.nanoTime() - due);
          lateNanos.addAndGet(late);
          maxLateNanos.accumulateAndGet(late, Math::max);
          inFlight.decrementAndGet();
          if (finalStatus == 200) ok.incrementAndGet();
          lastAnswer.accumulateAndGet(System.nanoTime(), Math::max);
          if (summary) lastSummary.accumulateAndGet(System.nanoTime(), Math::max);
          send(response, callback, finalStatus, finalAnswer);
        };
    if (delay == 0) {
      reply.run();
    } else {
      timer.schedule(reply, delay, TimeUnit.NANOSECONDS);
    }
  }

  /** The deterministic answer to one chat request. */
  static String answer(byte[] body) throws IOException {
    JsonNode request = JSON.readTree(body);
    String hash = sha256(body);
    String user = "";
    for (JsonNode m : request.path("messages")) {
      if ("user".equals(m.path("role").asText())) user = m.path("content").asText();
    }
    ObjectNode content = JSON.createObjectNode();
    int start = user.indexOf(NOTE_START);
    int end = user.indexOf(NOTE_END);
    if (start >= 0 && end > start) {
      String note = user.substring(start + NOTE_START.length(), end).trim();
      String[] words = note.split("\\s+");
      StringBuilder text = new StringBuilder("Restated note ").append(hash, 0, 8).append(':');
      for (int i = words.length - 1; i >= 0; i--) text.append(' ').append(words[i]);
      content.put("paraphrase", text.toString());
    } else if (user.contains("\"reasoning\"")) {
      content.put(
          "reasoning",
          "The flagged sentence contradicts the findings in the rest of the note (review "
              + hash.substring(0, 8)
              + "); the corrected sentence is consistent with them.");
    } else if (user.contains("These summaries belong to one group")) {
      // conversations analyze's describe_cluster (config/prompts/conversation-clusters.json)
      content.put("name", "Help with group " + hash.substring(0, 8));
      content.put(
          "summary",
          "The users asked for help. The assistant answered (" + hash.substring(0, 8) + ").");
      content.put("slug", "group_" + hash.substring(0, 6) + "_help");
    } else if (user.contains("Here is a conversation:")) {
      // conversations analyze's summarise (config/prompts/conversation-summary.json)
      int h = Integer.parseInt(hash.substring(0, 6), 16);
      content.put("summary", "The user asked for help with request " + hash.substring(0, 8) + ".");
      content.put("request", "The user's overall request for the assistant is to help.");
      content.putNull("topic");
      content.putArray("languages").add("english");
      content.put("task", "The task is to help.");
      content.put("concerning_score", 1 + h % 5);
      content.put("user_frustration", 1 + (h / 5) % 5);
      content.putArray("assistant_errors");
    } else {
      content.put("answer", "Answer " + hash.substring(0, 8) + ".");
    }
    String text = JSON.writeValueAsString(content);
    long promptTokens = Math.max(1, body.length / 4);
    long completionTokens = Math.max(1, text.length() / 4);
    ObjectNode out = JSON.createObjectNode();
    out.put("id", "chatcmpl-" + hash.substring(0, 24));
    out.put("object", "chat.completion");
    out.put("created", 1_700_000_000L);
    out.put("model", request.path("model").asText("gpt-4o-mini"));
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    choice.putObject("message").put("role", "assistant").put("content", text);
    choice.put("finish_reason", "stop");
    out.putObject("usage")
        .put("prompt_tokens", promptTokens)
        .put("completion_tokens", completionTokens)
        .put("total_tokens", promptTokens + completionTokens);
    out.put("system_fingerprint", "fp_latency_bench");
    return JSON.writeValueAsString(out);
  }

  public String stats() {
    return String.format(
        Locale.ROOT,
        "{\"chat_requests\": %d, \"ok\": %d, \"rate_limited\": %d, \"other_requests\": %d,"
            + " \"in_flight\": %d, \"max_in_flight\": %d, \"window_s\": %.3f,"
            + " \"late_ms_mean\": %.2f, \"late_ms_max\": %.2f, \"summary_requests\": %d,"
            + " \"summary_window_s\": %.3f}",
        chatRequests.get(),
        ok.get(),
        limited.get(),
        otherRequests.get(),
        inFlight.get(),
        maxInFlight.get(),
        window(),
        ok.get() == 0 ? 0.0 : lateNanos.get() / 1e6 / ok.get(),
        maxLateNanos.get() / 1e6,
        summaryRequests.get(),
        lastSummary.get() > firstSummary.get()
            ? (lastSummary.get() - firstSummary.get()) / 1e9
            : 0.0);
  }

  private final java.util.concurrent.atomic.AtomicLong summaryRequests =
      new java.util.concurrent.atomic.AtomicLong();
  private final java.util.concurrent.atomic.AtomicLong firstSummary =
      new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
  private final java.util.concurrent.atomic.AtomicLong lastSummary =
      new java.util.concurrent.atomic.AtomicLong(Long.MIN_VALUE);

  /** Seconds from the first chat request's arrival to the last 200 sent, since the last reset. */
  private double window() {
    long first = firstArrival.get();
    long last = lastAnswer.get();
    return last > first ? (last - first) / 1e9 : 0;
  }

  public void reset() {
    chatRequests.set(0);
    ok.set(0);
    limited.set(0);
    otherRequests.set(0);
    maxInFlight.set(inFlight.get());
    firstArrival.set(Long.MAX_VALUE);
    lateNanos.set(0);
    maxLateNanos.set(0);
    lastAnswer.set(Long.MIN_VALUE);
    summaryRequests.set(0);
    firstSummary.set(Long.MAX_VALUE);
    lastSummary.set(Long.MIN_VALUE);
  }

  @Override
  public void close() throws Exception {
    server.stop();
    timer.shutdownNow();
  }

  private static void send(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  private static String error(String message, String type) {
    return error(message, type, null);
  }

  private static String error(String message, String type, String code) {
    ObjectNode e = JSON.createObjectNode();
    ObjectNode inner = e.putObject("error");
    inner.put("message", message).put("type", type).putNull("param");
    if (code == null) inner.putNull("code");
    else inner.put("code", code);
    return e.toString();
  }

  private static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** OpenAI's reset duration form: {@code 120ms}, {@code 1s}, {@code 1.5s}. */
  static String openAiDuration(double seconds) {
    if (seconds < 1) return Math.max(0, Math.round(seconds * 1000)) + "ms";
    String s = String.format(Locale.ROOT, "%.3f", seconds).replaceAll("0+$", "");
    return (s.endsWith(".") ? s.substring(0, s.length() - 1) : s) + "s";
  }

  /** A token bucket of {@code rate} requests, refilled continuously at {@code rate} per second. */
  static final class Bucket {
    private final double rate;
    private final String limit;
    private double tokens;
    private long last = System.nanoTime();

    Bucket(double rate) {
      this.rate = rate;
      this.tokens = rate;
      this.limit = Long.toString((long) Math.floor(rate));
    }

    record Take(
        boolean granted,
        String limit,
        String remaining,
        String reset,
        String retryAfterSeconds,
        String retryAfterMs) {}

    synchronized Take take() {
      long now = System.nanoTime();
      tokens = Math.min(rate, tokens + (now - last) / 1e9 * rate);
      last = now;
      boolean granted = tokens >= 1;
      if (granted) tokens -= 1;
      String remaining = Long.toString((long) Math.floor(tokens));
      String reset = openAiDuration((rate - tokens) / rate);
      if (granted) return new Take(true, limit, remaining, reset, null, null);
      double wait = (1 - tokens) / rate;
      return new Take(
          false,
          limit,
          remaining,
          reset,
          Long.toString((long) Math.ceil(wait)),
          Long.toString((long) Math.ceil(wait * 1000)));
    }
  }
}
