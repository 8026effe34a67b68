package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

/**
 * A client of the OpenAI HTTP protocol (OpenAI, vLLM, Ollama, llama.cpp's {@code llama-server}) on
 * the JDK HTTP client: chat completions, embeddings and the model list. At most {@code concurrency}
 * requests are in flight (a fair semaphore); answers' rate-limit headers pace the requests; 429,
 * 5xx, timeouts and broken connections are retried with exponential backoff and full jitter;
 * 400/401/403/404 fail at once with the server's message. The key is only ever sent in the
 * Authorization header and is masked in every message.
 */
public final class OpenAiClient implements ChatBackend {
  private static final ObjectMapper JSON = new ObjectMapper();
  // Far above any real answer (a large embeddings batch is tens of MB), low enough not to exhaust a
  // worker's memory.
  static final long MAX_ANSWER_BYTES = 256L << 20;

  private final Settings settings;
  private final HttpClient http;
  private final Semaphore permits;
  private final Pacer pacer;
  private final Stats stats = new Stats();
  // A server that refused response_format once is sent none again (checked per client, not call).
  private final AtomicBoolean responseFormatRefused = new AtomicBoolean();

  public OpenAiClient(Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.http = HttpClient.newBuilder().connectTimeout(settings.connectTimeout).build();
    this.permits = new Semaphore(settings.concurrency, true);
    this.pacer = new Pacer(settings.clock, settings.sleeper, settings.maxRetryAfter);
  }

  public Settings settings() {
    return settings;
  }

  public Stats stats() {
    return stats;
  }

  /** Whether the server refused {@code response_format} and this client now sends none. */
  public boolean structuredOutputRefused() {
    return responseFormatRefused.get();
  }

  @Override
  public ChatResult chat(ChatRequest request) throws IOException, InterruptedException {
    Instant start = settings.clock.instant();
    try {
      boolean withFormat = request.jsonSchema() != null && !responseFormatRefused.get();
      ChatResult result;
      try {
        result =
            send(
                "POST",
                "/chat/completions",
                chatBody(request, withFormat),
                false,
                OpenAiAnswers::chatResult);
      } catch (OpenAiException e) {
        if (!withFormat || e.status() != 400 || !namesResponseFormat(e.getMessage())) {
          throw e;
        }
        responseFormatRefused.set(true);
        stats.retry(RetryCause.RESPONSE_FORMAT_REFUSED);
        result =
            send(
                "POST",
                "/chat/completions",
                chatBody(request, false),
                false,
                OpenAiAnswers::chatResult);
      }
      stats.success(
          result.promptTokens(),
          result.completionTokens(),
          Duration.between(start, settings.clock.instant()));
      return result;
    } catch (IOException | RuntimeException e) {
      stats.failure();
      throw e;
    }
  }

  /** Embeds {@code texts} in one request; vectors come back in the order of the texts. */
  public Embeddings embeddings(String model, List<String> texts)
      throws IOException, InterruptedException {
    if (texts.isEmpty()) {
      return new Embeddings(new float[0][], 0, model); // some servers refuse an empty input
    }
    Instant start = settings.clock.instant();
    try {
      ObjectNode body = JSON.createObjectNode().put("model", model);
      ArrayNode input = body.putArray("input");
      texts.forEach(input::add);
      Embeddings result =
          send(
              "POST",
              "/embeddings",
              body,
              false,
              answer -> OpenAiAnswers.embeddingsResult(answer, texts.size()));
      stats.success(result.promptTokens(), 0, Duration.between(start, settings.clock.instant()));
      return result;
    } catch (IOException | RuntimeException e) {
      stats.failure();
      throw e;
    }
  }

  /** The model ids the server lists. */
  public List<String> models() throws IOException, InterruptedException {
    try {
      return send("GET", "/models", null, false, OpenAiAnswers::modelIds);
    } catch (IOException | RuntimeException e) {
      stats.failure();
      throw e;
    }
  }

  /**
   * Finds a bad key or URL before any input is read: lists the models, or, where the server has no
   * model list, asks {@code model} for one token. Throws with one line saying what is wrong.
   */
  public void checkKey(String model) throws IOException, InterruptedException {
    try {
      try {
        send("GET", "/models", null, true, OpenAiAnswers::modelIds);
      } catch (OpenAiException e) {
        if (e.status() != 404 && e.status() != 405 || model == null) {
          throw e;
        }
        ChatRequest probe =
            new ChatRequest(model, List.of(ChatMessage.user("ping")), 0.0, 1, null, null);
        send("POST", "/chat/completions", chatBody(probe, false), true, OpenAiAnswers::chatResult);
      }
    } catch (OpenAiException e) {
      if (e.status() == 401 || e.status() == 403) {
        String who =
            settings.apiKey == null
                ? "the server at " + settings.baseUrl + " wants an API key (set OPENAI_API_KEY)"
                : "the API key was refused by "
                    + settings.baseUrl
                    + " ("
                    + settings.keySource
                    + ")";
        throw new OpenAiException(e.status(), who + ": " + e.getMessage());
      }
      throw e;
    }
  }

  private ObjectNode chatBody(ChatRequest request, boolean withFormat) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", request.model());
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage message : request.messages()) {
      messages.addObject().put("role", message.role()).put("content", message.content());
    }
    if (request.temperature() != null) {
      body.put("temperature", request.temperature());
    }
    if (request.maxTokens() != null) {
      body.put("max_tokens", request.maxTokens());
    }
    if (request.seed() != null) {
      body.put("seed", request.seed());
    }
    if (withFormat) {
      JsonNode schema;
      try {
        schema = JSON.readTree(request.jsonSchema());
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            "the request's JSON schema is not JSON: "
                + e.getOriginalMessage().replaceAll("\\s+", " ").trim());
      }
      ObjectNode format = body.putObject("response_format").put("type", "json_schema");
      format
          .putObject("json_schema")
          .put("name", schemaName(schema))
          .put("strict", true)
          .set("schema", schema);
    }
    return body;
  }

  private static String schemaName(JsonNode schema) {
    String title = schema.path("title").asText("answer").replaceAll("[^A-Za-z0-9_-]", "_");
    return title.isEmpty() || title.length() > 64 ? "answer" : title;
  }

  private static boolean namesResponseFormat(String message) {
    String lower = message.toLowerCase(Locale.ROOT);
    return lower.contains("response_format") || lower.contains("json_schema");
  }

  /**
   * Sends one request with every allowed retry, and parses the answer with {@code parser} (whose
   * {@link OpenAiAnswers.InvalidAnswer} counts as a bad answer, retried like a 5xx).
   *
   * @param connectFailsFast a refused connection fails at once (the key check: a wrong URL should
   *     not wait through the backoff)
   */
  private <T> T send(
      String method,
      String path,
      JsonNode body,
      boolean connectFailsFast,
      Function<JsonNode, T> parser)
      throws IOException, InterruptedException {
    HttpRequest request = request(method, path, body);
    String where = method + " " + settings.baseUrl + path;
    String last = "";
    int lastStatus = 0;
    for (int attempt = 1; ; attempt++) {
      RetryCause cause = RetryCause.CONNECTION;
      lastStatus = 0; // a timeout after a 500 reports no status, not the old one
      Optional<Duration> retryAfter = Optional.empty();
      permits.acquire();
      try {
        pacer.awaitTurn();
        stats.request();
        HttpResponse<String> response;
        try {
          response = exchange(request);
        } catch (LimitedBody.TooLarge e) {
          response = null;
          cause = RetryCause.INVALID_RESPONSE;
          last = e.getMessage();
        } catch (HttpTimeoutException e) {
          response = null;
          cause = RetryCause.TIMEOUT;
          last = "no answer within " + settings.requestTimeout.toMillis() + " ms";
        } catch (ConnectException e) {
          if (connectFailsFast) {
            throw new OpenAiException(
                0, "cannot reach " + settings.baseUrl + ": " + OpenAiAnswers.reason(e));
          }
          response = null;
          cause = RetryCause.CONNECTION;
          last = "cannot connect: " + OpenAiAnswers.reason(e);
        } catch (IOException e) {
          response = null;
          cause = RetryCause.CONNECTION;
          last = "connection failed: " + OpenAiAnswers.reason(e);
        }
        if (response != null) {
          lastStatus = response.statusCode();
          int status = response.statusCode();
          if (status >= 200 && status < 300) {
            try {
              JsonNode answer = JSON.readTree(response.body());
              T result = parser.apply(answer);
              pacer.observe(response.headers(), OpenAiAnswers.usedTokens(answer));
              return result;
            } catch (JsonProcessingException e) {
              cause = RetryCause.INVALID_RESPONSE;
              last = "the answer is not JSON: " + OpenAiAnswers.excerpt(response.body());
            } catch (OpenAiAnswers.InvalidAnswer e) {
              cause = RetryCause.INVALID_RESPONSE;
              last = "the answer is not a valid " + path + " answer: " + e.getMessage();
            }
          } else {
            pacer.observe(response.headers(), 0);
            String message = OpenAiAnswers.errorMessage(response.body());
            last = "HTTP " + status + ": " + message;
            if (status == 429 && !message.contains("insufficient_quota")) {
              cause = RetryCause.RATE_LIMITED;
            } else if (status >= 500 || status == 408 || status == 409) {
              cause = RetryCause.SERVER_ERROR;
            } else {
              throw new OpenAiException(
                  status, Secrets.oneLine(where + ": " + last, settings.apiKey));
            }
            retryAfter = Pacer.retryAfter(response.headers(), settings.clock.instant());
            retryAfter.ifPresent(pacer::blockFor);
          }
        }
      } finally {
        permits.release();
      }
      if (attempt >= settings.maxAttempts) {
        throw new OpenAiException(
            lastStatus,
            Secrets.oneLine(
                where + ": gave up after " + attempt + " attempts; last: " + last,
                settings.apiKey));
      }
      stats.retry(cause);
      if (retryAfter.isEmpty()) {
        settings.sleeper.sleep(backoff(attempt));
      }
    }
  }

  /**
   * One HTTP exchange under a deadline for the whole answer: the JDK's request timeout stops at the
   * response headers, so a server that trickles its body would otherwise hold a caller forever.
   */
  private HttpResponse<String> exchange(HttpRequest request)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> future =
        http.sendAsync(request, LimitedBody.handler(MAX_ANSWER_BYTES));
    try {
      return future.get(settings.requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new HttpTimeoutException("no complete answer in time");
    } catch (InterruptedException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    }
  }

  /** Full jitter: uniform in [0, min(cap, base * 2^(attempt-1))]. */
  Duration backoff(int attempt) {
    double ceiling =
        Math.min(
            settings.backoffCap.toNanos(),
            settings.backoffBase.toNanos() * Math.pow(2, Math.min(attempt - 1, 40)));
    return Duration.ofNanos((long) (settings.jitter.getAsDouble() * ceiling));
  }

  private HttpRequest request(String method, String path, JsonNode body) throws IOException {
    URI uri = URI.create(settings.baseUrl + path);
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(settings.requestTimeout)
            .header("Accept", "application/json")
            // Plain http: no h2c upgrade dance with local servers.
            .version(
                "http".equals(uri.getScheme())
                    ? HttpClient.Version.HTTP_1_1
                    : HttpClient.Version.HTTP_2);
    if (settings.apiKey != null) {
      builder.header("Authorization", "Bearer " + settings.apiKey);
    }
    if (body == null) {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "OpenAiClient" + settings;
  }

  /**
   * Immutable client settings. {@link #fromEnvironment()} takes the base URL from {@code
   * OPENAI_BASE_URL} and the key from {@code OPENAI_API_KEY}; explicit values win. Every {@code
   * withX} returns a checked copy.
   */
  public static final class Settings {
    public static final String DEFAULT_BASE_URL = "https://api.openai.com/v1";

    // Not final only so that with() can change a private copy; never changed once published.
    private String baseUrl;
    private String apiKey;
    private String keySource = "no key";
    private int concurrency = 8;
    private Duration requestTimeout = Duration.ofSeconds(120);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private int maxAttempts = 6;
    private Duration backoffBase = Duration.ofMillis(500);
    private Duration backoffCap = Duration.ofSeconds(30);
    private Duration maxRetryAfter = Duration.ofMinutes(5);
    private Clock clock = Clock.systemUTC();
    private Sleeper sleeper = Sleeper.REAL;
    private DoubleSupplier jitter = () -> ThreadLocalRandom.current().nextDouble();

    private Settings() {}

    /** Settings from the process environment. */
    public static Settings fromEnvironment() {
      return fromEnvironment(System.getenv());
    }

    /**
     * Settings from {@code env}: OPENAI_BASE_URL (else OpenAI's), OPENAI_API_KEY (may be absent).
     */
    public static Settings fromEnvironment(Map<String, String> env) {
      String base = env.get("OPENAI_BASE_URL");
      String key = env.get("OPENAI_API_KEY");
      return new Settings()
          .with(
              s -> {
                s.baseUrl = base == null || base.isBlank() ? DEFAULT_BASE_URL : base.trim();
                s.apiKey = key == null || key.isBlank() ? null : key.trim();
                s.keySource = "OPENAI_API_KEY";
              });
    }

    private Settings with(java.util.function.Consumer<Settings> change) {
      Settings copy = new Settings();
      copy.baseUrl = baseUrl;
      copy.apiKey = apiKey;
      copy.keySource = keySource;
      copy.concurrency = concurrency;
      copy.requestTimeout = requestTimeout;
      copy.connectTimeout = connectTimeout;
      copy.maxAttempts = maxAttempts;
      copy.backoffBase = backoffBase;
      copy.backoffCap = backoffCap;
      copy.maxRetryAfter = maxRetryAfter;
      copy.clock = clock;
      copy.sleeper = sleeper;
      copy.jitter = jitter;
      change.accept(copy);
      copy.check();
      return copy;
    }

    private void check() {
      baseUrl = checkBaseUrl(baseUrl);
      apiKey = checkKey(apiKey);
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1, got " + concurrency);
      }
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("max attempts must be at least 1, got " + maxAttempts);
      }
      positive(requestTimeout, "request timeout");
      positive(connectTimeout, "connect timeout");
      positive(backoffBase, "backoff base");
      positive(backoffCap, "backoff cap");
      positive(maxRetryAfter, "max Retry-After");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(sleeper, "sleeper");
      Objects.requireNonNull(jitter, "jitter");
    }

    public Settings withBaseUrl(String value) {
      return with(s -> s.baseUrl = value);
    }

    /** An explicit key (a flag's value), or null for none (local servers). */
    public Settings withApiKey(String value) {
      return with(
          s -> {
            s.apiKey = value;
            s.keySource = value == null ? "no key" : "the key given explicitly";
          });
    }

    /** A key and where it came from, for messages ("OPENAI_API_KEY", "--openai-api-key"). */
    public Settings withApiKey(String value, String source) {
      return with(
          s -> {
            s.apiKey = value;
            s.keySource = value == null ? "no key" : source;
          });
    }

    public Settings withConcurrency(int value) {
      return with(s -> s.concurrency = value);
    }

    public Settings withRequestTimeout(Duration value) {
      return with(s -> s.requestTimeout = value);
    }

    public Settings withConnectTimeout(Duration value) {
      return with(s -> s.connectTimeout = value);
    }

    public Settings withMaxAttempts(int value) {
      return with(s -> s.maxAttempts = value);
    }

    /** Backoff before retry n is uniform in [0, min(cap, base * 2^(n-1))]. */
    public Settings withBackoff(Duration base, Duration cap) {
      return with(
          s -> {
            s.backoffBase = base;
            s.backoffCap = cap;
          });
    }

    /**
     * The longest wait a Retry-After or rate-limit header may impose (a hostile one cannot hang).
     */
    public Settings withMaxRetryAfter(Duration value) {
      return with(s -> s.maxRetryAfter = value);
    }

    /** The time seam: tests pass a fake clock and a sleeper that advances it. */
    public Settings withTime(Clock clockValue, Sleeper sleeperValue) {
      return with(
          s -> {
            s.clock = clockValue;
            s.sleeper = sleeperValue;
          });
    }

    /** The source of jitter in [0, 1): tests pin it. */
    public Settings withJitter(DoubleSupplier value) {
      return with(s -> s.jitter = value);
    }

    public String baseUrl() {
      return baseUrl;
    }

    public boolean hasApiKey() {
      return apiKey != null;
    }

    public int concurrency() {
      return concurrency;
    }

    public Duration requestTimeout() {
      return requestTimeout;
    }

    public Duration connectTimeout() {
      return connectTimeout;
    }

    public int maxAttempts() {
      return maxAttempts;
    }

    public Duration backoffBase() {
      return backoffBase;
    }

    public Duration backoffCap() {
      return backoffCap;
    }

    private static String checkBaseUrl(String value) {
      Objects.requireNonNull(value, "base URL");
      URI uri;
      try {
        uri = new URI(value.trim());
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException(
            "the API base URL is not a URL: " + Secrets.oneLine(value, null));
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null
          || uri.getRawUserInfo() != null
          || uri.getRawQuery() != null
          || uri.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "the API base URL must be http(s)://host[:port][/path] without user, query or fragment: "
                + Secrets.oneLine(
                    uri.getScheme() + "://" + uri.getHost() + uri.getRawPath(), null));
      }
      String text = uri.toString();
      return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    private static String checkKey(String key) {
      if (key == null) {
        return null;
      }
      // Header-safe characters only; the message never shows the key itself.
      if (key.isEmpty() || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "the API key has characters an HTTP header cannot carry (spaces, line breaks or non-ASCII)");
      }
      return key;
    }

    private static void positive(Duration value, String what) {
      Objects.requireNonNull(value, what);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + value);
      }
    }

    @Override
    public String toString() {
      return "[baseUrl="
          + baseUrl
          + ", apiKey="
          + (apiKey == null ? "none" : "*** (" + keySource + ")")
          + ", concurrency="
          + concurrency
          + ", requestTimeout="
          + requestTimeout
          + ", connectTimeout="
          + connectTimeout
          + ", maxAttempts="
          + maxAttempts
          + ", backoff="
          + backoffBase
          + ".."
          + backoffCap
          + "]";
    }
  }
}
