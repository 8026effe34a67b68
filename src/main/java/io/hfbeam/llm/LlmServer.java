package io.hfbeam.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible server in front of one {@link ChatBackend} (a local GGUF model, typically),
 * so several processes share one loaded model: {@code GET /v1/models} and {@code POST
 * /v1/chat/completions} (no streaming), errors in OpenAI's JSON shape. The request's {@code model}
 * is ignored, as llama.cpp's own server does: there is one.
 */
public final class LlmServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LlmServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param host the address to bind; loopback unless the model is meant for other machines
   * @param port the port, 0 for any free one
   * @param maxBodyBytes largest request body; larger gets 413
   * @param threads HTTP worker threads (requests wait for the model in turn)
   */
  public record Options(String host, int port, long maxBodyBytes, int threads) {
    public Options {
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535");
      if (maxBodyBytes < 1024) throw new IllegalArgumentException("maxBodyBytes must be >= 1024");
      if (threads < 4) throw new IllegalArgumentException("threads must be >= 4");
    }

    public static Options defaults() {
      return new Options("127.0.0.1", 8000, 4L << 20, 16);
    }

    public Options withHost(String h) {
      return new Options(h, port, maxBodyBytes, threads);
    }

    public Options withPort(int p) {
      return new Options(host, p, maxBodyBytes, threads);
    }

    public Options withMaxBodyBytes(long bytes) {
      return new Options(host, port, bytes, threads);
    }

    public Options withThreads(int n) {
      return new Options(host, port, maxBodyBytes, n);
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final String host;

  private LlmServer(ChatBackend backend, String modelName, Options options) {
    QueuedThreadPool pool = new QueuedThreadPool(options.threads(), 2);
    pool.setName("llm-server");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(options.host());
    connector.setPort(options.port());
    server.addConnector(connector);
    server.setHandler(new Api(backend, modelName, options.maxBodyBytes()));
    host = options.host();
  }

  /** Starts serving {@code backend} under {@code modelName}; the backend stays the caller's. */
  public static LlmServer start(ChatBackend backend, String modelName, Options options)
      throws IOException {
    LlmServer s = new LlmServer(backend, modelName, options);
    try {
      s.server.start();
    } catch (Exception e) {
      s.close();
      throw new IOException(
          "could not serve on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    LOG.info("Serving {} at {}", modelName, s.url());
    return s;
  }

  /** The base URL clients use ({@code OPENAI_BASE_URL}), ending in {@code /v1}. */
  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (h.equals("0.0.0.0") || h.equals("[::]")) h = "127.0.0.1";
    return "http://" + h + ":" + port() + "/v1";
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Blocks until the server stops. */
  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Could not stop the LLM server cleanly: {}", e.toString());
    }
  }

  /** An error answered in OpenAI's shape. */
  static final class ApiError extends Exception {
    final int status;
    final String type;
    final String param;

    ApiError(int status, String type, String param, String message) {
      super(message, null, false, false);
      this.status = status;
      this.type = type;
      this.param = param;
    }

    static ApiError bad(String param, String message) {
      return new ApiError(400, "invalid_request_error", param, message);
    }
  }

  private static final class Api extends Handler.Abstract {
    private final ChatBackend backend;
    private final String modelName;
    private final long maxBody;
    private final long created = System.currentTimeMillis() / 1000;

    Api(ChatBackend backend, String modelName, long maxBody) {
      this.backend = backend;
      this.modelName = modelName;
      this.maxBody = maxBody;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      String method = request.getMethod();
      try {
        if (path.equals("/v1/models") || path.equals("/models")) {
          requireMethod(method, "GET");
          send(response, callback, 200, models());
        } else if (path.equals("/v1/models/" + modelName)) {
          requireMethod(method, "GET");
          send(response, callback, 200, model());
        } else if (path.equals("/v1/chat/completions") || path.equals("/chat/completions")) {
          requireMethod(method, "POST");
          send(response, callback, 200, complete(body(request)));
        } else {
          throw new ApiError(
              404, "invalid_request_error", null, "Unknown request URL: " + method + " " + path);
        }
      } catch (ApiError e) {
        if (e.status == 413) response.getHeaders().put(HttpHeader.CONNECTION, "close");
        sendError(response, callback, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        sendError(response, callback, new ApiError(503, "server_error", null, "interrupted"));
      } catch (Exception e) {
        LOG.warn("Chat completion failed: {}", e.toString());
        sendError(
            response,
            callback,
            new ApiError(500, "server_error", null, "the model failed: " + e.getMessage()));
      }
      return true;
    }

    private static void requireMethod(String method, String wanted) throws ApiError {
      if (!method.equals(wanted)) {
        throw new ApiError(405, "invalid_request_error", null, "Method " + method + " not allowed");
      }
    }

    private JsonNode body(Request request) throws ApiError, IOException {
      if (request.getLength() > maxBody) throw tooLarge();
      byte[] bytes;
      try (InputStream in = Content.Source.asInputStream(request)) {
        bytes = in.readNBytes((int) maxBody + 1);
      }
      if (bytes.length > maxBody) throw tooLarge();
      try {
        JsonNode node = JSON.readTree(bytes);
        if (node == null || !node.isObject())
          throw ApiError.bad(null, "the body must be a JSON object");
        return node;
      } catch (IOException e) {
        throw ApiError.bad(null, "the body is not valid JSON");
      }
    }

    private ApiError tooLarge() {
      return new ApiError(
          413, "invalid_request_error", null, "request body larger than " + maxBody + " bytes");
    }

    private ObjectNode models() {
      ObjectNode list = JSON.createObjectNode().put("object", "list");
      list.putArray("data").add(model());
      return list;
    }

    private ObjectNode model() {
      return JSON.createObjectNode()
          .put("id", modelName)
          .put("object", "model")
          .put("created", created)
          .put("owned_by", "hfbeam");
    }

    private ObjectNode complete(JsonNode body) throws Exception {
      ChatRequest request = parse(body);
      ChatResult r;
      try {
        r = backend.chat(request);
      } catch (IllegalArgumentException e) {
        throw ApiError.bad(null, e.getMessage());
      }
      ObjectNode out =
          JSON.createObjectNode()
              .put("id", "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""))
              .put("object", "chat.completion")
              .put("created", System.currentTimeMillis() / 1000)
              .put("model", modelName);
      ObjectNode choice = out.putArray("choices").addObject().put("index", 0);
      choice.putObject("message").put("role", "assistant").put("content", r.content());
      choice.putNull("logprobs");
      choice.put("finish_reason", r.finishReason());
      out.putObject("usage")
          .put("prompt_tokens", r.promptTokens())
          .put("completion_tokens", r.completionTokens())
          .put("total_tokens", r.promptTokens() + r.completionTokens());
      return out;
    }

    /** The OpenAI request body as a {@link ChatRequest}; every field checked, one line if wrong. */
    static ChatRequest parse(JsonNode body) throws ApiError {
      if (body.path("stream").asBoolean(false))
        throw ApiError.bad("stream", "streaming is not supported");
      JsonNode n = body.get("n");
      if (n != null && !n.isNull() && !(n.canConvertToInt() && n.asInt() == 1)) {
        throw ApiError.bad("n", "only n=1 is supported");
      }
      JsonNode msgs = body.get("messages");
      if (msgs == null || !msgs.isArray() || msgs.isEmpty()) {
        throw ApiError.bad("messages", "messages must be a non-empty array");
      }
      List<ChatMessage> messages = new ArrayList<>();
      for (int i = 0; i < msgs.size(); i++) {
        JsonNode m = msgs.get(i);
        JsonNode role = m.get("role");
        if (role == null || !role.isTextual()) {
          throw ApiError.bad("messages[" + i + "].role", "each message needs a string role");
        }
        messages.add(new ChatMessage(role.asText(), content(m.get("content"), i)));
      }
      Double temperature = null;
      JsonNode t = body.get("temperature");
      if (t != null && !t.isNull()) {
        if (!t.isNumber() || t.asDouble() < 0 || t.asDouble() > 2) {
          throw ApiError.bad("temperature", "temperature must be a number from 0 to 2");
        }
        temperature = t.asDouble();
      }
      Integer maxTokens = null;
      for (String key : List.of("max_tokens", "max_completion_tokens")) {
        JsonNode mt = body.get(key);
        if (mt != null && !mt.isNull()) {
          if (!mt.canConvertToInt() || !mt.isIntegralNumber() || mt.asInt() < 1) {
            throw ApiError.bad(key, key + " must be a positive integer");
          }
          maxTokens = mt.asInt();
        }
      }
      Long seed = null;
      JsonNode s = body.get("seed");
      if (s != null && !s.isNull()) {
        if (!s.isIntegralNumber() || !s.canConvertToLong()) {
          throw ApiError.bad("seed", "seed must be an integer");
        }
        seed = s.asLong();
      }
      String schema = null;
      JsonNode rf = body.get("response_format");
      if (rf != null && !rf.isNull()) {
        String type = rf.path("type").asText("");
        switch (type) {
          case "text" -> {}
          case "json_object" -> schema = "{\"type\":\"object\"}";
          case "json_schema" -> {
            JsonNode sc = rf.path("json_schema").get("schema");
            if (sc == null || !sc.isObject()) {
              throw ApiError.bad(
                  "response_format.json_schema.schema", "json_schema needs a schema object");
            }
            schema = sc.toString();
          }
          default ->
              throw ApiError.bad(
                  "response_format.type",
                  "response_format type must be text, json_object or json_schema");
        }
      }
      String model = body.path("model").isTextual() ? body.get("model").asText() : null;
      return new ChatRequest(model, messages, temperature, maxTokens, seed, schema);
    }

    /** A string, or OpenAI's array of content parts of which only text parts are understood. */
    private static String content(JsonNode c, int i) throws ApiError {
      if (c != null && c.isTextual()) return c.asText();
      if (c != null && c.isArray()) {
        StringBuilder text = new StringBuilder();
        for (JsonNode part : c) {
          if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
            throw ApiError.bad(
                "messages[" + i + "].content", "only text content parts are supported");
          }
          text.append(part.get("text").asText());
        }
        return text.toString();
      }
      throw ApiError.bad("messages[" + i + "].content", "each message needs a string content");
    }

    private static void send(Response response, Callback callback, int status, JsonNode value)
        throws IOException {
      byte[] bytes = JSON.writeValueAsBytes(value);
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        out.write(bytes);
      }
      callback.succeeded();
    }

    private static void sendError(Response response, Callback callback, ApiError e) {
      ObjectNode body = JSON.createObjectNode();
      ObjectNode err = body.putObject("error");
      err.put("message", e.getMessage() == null ? "error" : e.getMessage());
      err.put("type", e.type);
      if (e.param == null) err.putNull("param");
      else err.put("param", e.param);
      err.putNull("code");
      try {
        send(response, callback, e.status, body);
      } catch (IOException io) {
        callback.failed(io);
      }
    }
  }
}
