package io.hfbeam.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer: builds requests (token only in the Authorization header, and only to the Hub),
 * retries transient failures as {@link RetryPolicy} decides, and turns final failures into one-line
 * {@link HubException}s.
 */
final class HubHttp {
  private static final Logger LOG = LoggerFactory.getLogger(HubHttp.class);
  private static final int MAX_REDIRECTS = 5;
  static final ObjectMapper JSON = new ObjectMapper();

  /** One daemon thread for every client's "still waiting" notices. */
  private static final ScheduledExecutorService WATCHDOG = watchdog();

  private final HttpClient client;
  private final String endpoint;
  private final String token;
  private final RetryPolicy retry;
  private final Duration timeout;
  private final Duration noticeAfter;
  private final Duration deadline;
  private final Consumer<String> notices;

  /**
   * @param noticeAfter when a call has had no answer for this long, one line saying what it waits
   *     for goes to {@code notices} (a silent wait looks like a hang)
   * @param deadline transport failures (refused, timed out) are retried only while the call is
   *     younger than this
   */
  HubHttp(
      String endpoint,
      String tokenOrNull,
      RetryPolicy retry,
      Duration timeout,
      Duration connectTimeout,
      Duration noticeAfter,
      Duration deadline,
      Consumer<String> notices) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.endpoint = endpoint;
    this.token = tokenOrNull;
    this.retry = retry;
    this.timeout = timeout;
    this.noticeAfter = noticeAfter;
    this.deadline = deadline;
    this.notices = notices;
  }

  private static ScheduledExecutorService watchdog() {
    ScheduledThreadPoolExecutor ex =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "hfbeam-hub-watchdog");
              t.setDaemon(true);
              return t;
            });
    ex.setRemoveOnCancelPolicy(true);
    return ex;
  }

  String endpoint() {
    return endpoint;
  }

  boolean hasToken() {
    return token != null;
  }

  RetryPolicy retry() {
    return retry;
  }

  /** How long a request may wait for its answer; range reads also use it for a stalled body. */
  Duration timeout() {
    return timeout;
  }

  /** One request; {@code auth} adds the token, and only when the URL is on the Hub's own host. */
  record Call(
      String method,
      String url,
      BodyPublisher body,
      Map<String, String> headers,
      boolean auth,
      Duration timeout) {
    static Call get(String url) {
      return new Call("GET", url, BodyPublishers.noBody(), Map.of(), true, null);
    }

    static Call json(String method, String url, Object body) throws IOException {
      return new Call(
          method,
          url,
          BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)),
          Map.of("Content-Type", "application/json"),
          true,
          null);
    }

    Call withHeaders(Map<String, String> more) {
      Map<String, String> all = new LinkedHashMap<>(headers);
      all.putAll(more);
      return new Call(method, url, body, all, auth, timeout);
    }

    Call withTimeout(Duration t) {
      return new Call(method, url, body, headers, auth, t);
    }

    Call withUrl(String newUrl) {
      return new Call(method, newUrl, body, headers, auth, timeout);
    }

    Call withoutAuth() {
      return new Call(method, url, body, headers, false, timeout);
    }
  }

  /**
   * Sends with retries and returns a 2xx or 3xx response; anything else ends as a {@link
   * HubException}.
   */
  HttpResponse<byte[]> send(Call call) throws IOException {
    return send(call, HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<InputStream> stream(Call call) throws IOException {
    return send(call, HttpResponse.BodyHandlers.ofInputStream());
  }

  JsonNode json(Call call) throws IOException {
    return JSON.readTree(send(call).body());
  }

  <T> HttpResponse<T> send(Call call, BodyHandler<T> handler) throws IOException {
    AtomicBoolean answered = new AtomicBoolean();
    // an upload may rightly take long before its answer: only calls with a small body are watched
    // and bounded
    long bodySize = call.body().contentLength();
    boolean small = bodySize >= 0 && bodySize < (1 << 20);
    if (!small) return send(call, handler, answered, false);
    String what = call.method() + " " + path(call.url());
    ScheduledFuture<?> notice =
        WATCHDOG.schedule(
            () -> {
              if (!answered.get()) {
                notices.accept(
                    "waiting for "
                        + endpoint
                        + " ("
                        + what
                        + "): no answer after "
                        + seconds(noticeAfter.toNanos())
                        + " s (giving up after "
                        + seconds(deadline.toNanos())
                        + " s)");
              }
            },
            noticeAfter.toMillis(),
            TimeUnit.MILLISECONDS);
    try {
      return send(call, handler, answered, true);
    } finally {
      notice.cancel(false);
    }
  }

  /**
   * With {@code bounded}, no attempt waits for its answer past the deadline while nothing has
   * answered.
   */
  private <T> HttpResponse<T> send(
      Call call, BodyHandler<T> handler, AtomicBoolean answered, boolean bounded)
      throws IOException {
    long start = System.nanoTime();
    int redirects = 0;
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> response;
      try {
        Call attemptCall = call;
        if (bounded && !answered.get()) {
          long left = Math.max(1_000_000_000L, deadline.toNanos() - (System.nanoTime() - start));
          Duration cap = Duration.ofNanos(left);
          Duration t = call.timeout() != null ? call.timeout() : timeout;
          if (t.compareTo(cap) > 0) attemptCall = call.withTimeout(cap);
        }
        response = once(attemptCall, handler);
        answered.set(true);
      } catch (IOException e) {
        long elapsed = System.nanoTime() - start;
        Duration wait = retry.delay(attempt, null);
        boolean pastDeadline = !answered.get() && elapsed + wait.toNanos() > deadline.toNanos();
        if (!retry.isRetryableError(e) || attempt >= retry.maxAttempts() || pastDeadline) {
          if (!answered.get() && retry.isRetryableError(e)) {
            throw new HubException(
                "No answer from "
                    + endpoint
                    + " ("
                    + call.method()
                    + " "
                    + path(call.url())
                    + ") after "
                    + seconds(elapsed)
                    + " s and "
                    + attempt
                    + " attempt(s) ("
                    + e.getClass().getSimpleName()
                    + "): check HF_ENDPOINT and the network",
                e);
          }
          throw new HubException(
              "Could not reach "
                  + endpoint
                  + " ("
                  + call.method()
                  + " "
                  + path(call.url())
                  + "): "
                  + e.getClass().getSimpleName()
                  + " after "
                  + attempt
                  + " attempt(s)",
              e);
        }
        LOG.debug(
            "{} {} failed ({}), retry {} in {} ms",
            call.method(),
            path(call.url()),
            e.getClass().getSimpleName(),
            attempt,
            wait.toMillis());
        retry.sleep(wait);
        continue;
      }
      int status = response.statusCode();
      Optional<String> relative = relativeRedirect(response);
      if (relative.isPresent() && redirects++ < MAX_REDIRECTS) {
        // Like huggingface_hub: follow the Hub's own relative redirects (renamed repos,
        // resolve-cache) and hand absolute ones (a CDN) back to the caller, which must not send the
        // token there.
        discard(response);
        call = call.withUrl(URI.create(call.url()).resolve(relative.get()).toString());
        attempt--;
        continue;
      }
      if (status < 400) return response;
      if (!retry.isRetryableStatus(status) || attempt >= retry.maxAttempts()) {
        throw failure(call, response.statusCode(), response.headers(), bodyText(response));
      }
      discard(response);
      backoff(call, attempt, response.headers(), Integer.toString(status));
    }
  }

  private static Optional<String> relativeRedirect(HttpResponse<?> response) {
    int status = response.statusCode();
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308)
      return Optional.empty();
    return response.headers().firstValue("Location").filter(l -> URI.create(l).getHost() == null);
  }

  /**
   * A single attempt, no retries and no status check: for callers (the commit) that must decide
   * themselves.
   */
  <T> HttpResponse<T> once(Call call, BodyHandler<T> handler) throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(call.url()))
            .timeout(call.timeout() != null ? call.timeout() : timeout)
            .method(call.method(), call.body())
            .header("User-Agent", "hfbeam/0.1; java/" + Runtime.version().feature());
    call.headers().forEach(b::header);
    if (call.auth() && token != null && sameHost(call.url()))
      b.header("Authorization", "Bearer " + token);
    try {
      return client.send(b.build(), handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(
          "interrupted during " + call.method() + " " + path(call.url()));
    }
  }

  /** Seconds for messages: "0.5", "3", "12.3". */
  private static String seconds(long nanos) {
    return java.math.BigDecimal.valueOf(nanos / 100_000_000L, 1)
        .stripTrailingZeros()
        .toPlainString();
  }

  private void backoff(Call call, int attempt, java.net.http.HttpHeaders headers, String why)
      throws IOException {
    Duration wait = retry.delay(attempt, headers);
    LOG.debug(
        "{} {} failed ({}), retry {} in {} ms",
        call.method(),
        path(call.url()),
        why,
        attempt,
        wait.toMillis());
    retry.sleep(wait);
  }

  /** The one-line message for a final failure, saying what to do about it. */
  HubException failure(Call call, int status, java.net.http.HttpHeaders headers, String body) {
    String code = headers.firstValue("X-Error-Code").orElse(null);
    String said = headers.firstValue("X-Error-Message").orElseGet(() -> errorField(body));
    String where = call.method() + " " + path(call.url());
    String message =
        switch (status) {
          case 401 ->
              token == null
                  ? "401 Unauthorized from "
                      + endpoint
                      + " ("
                      + where
                      + "): no token found; set HF_TOKEN or run 'hfbeam hub login'"
                  : "401 Unauthorized from "
                      + endpoint
                      + " ("
                      + where
                      + "): the token was rejected; set HF_TOKEN to a valid token with write access";
          case 403 ->
              "403 Forbidden from "
                  + endpoint
                  + " ("
                  + where
                  + "): the token may not do this; use a token with write access to the repo"
                  + suffix(said);
          case 404 ->
              "404 Not Found from "
                  + endpoint
                  + " ("
                  + where
                  + ")"
                  + (code != null ? " [" + code + "]" : "")
                  + ": check the repo id, revision and path"
                  + suffix(said);
          default -> status + " from " + endpoint + " (" + where + ")" + suffix(said);
        };
    return new HubException(status, code, message);
  }

  static String path(String url) {
    URI uri = URI.create(url);
    return uri.getRawPath();
  }

  private boolean sameHost(String url) {
    URI target = URI.create(url);
    URI hub = URI.create(endpoint);
    return target.getHost() != null
        && target.getHost().equalsIgnoreCase(hub.getHost())
        && target.getPort() == hub.getPort();
  }

  private static String suffix(String said) {
    if (said == null || said.isBlank()) return "";
    String oneLine = said.replaceAll("\\s+", " ").trim();
    return ": " + (oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine);
  }

  private static String errorField(String body) {
    try {
      JsonNode node = JSON.readTree(body);
      return node != null && node.path("error").isTextual() ? node.get("error").asText() : null;
    } catch (IOException e) {
      return null;
    }
  }

  private static String bodyText(HttpResponse<?> response) throws IOException {
    Object body = response.body();
    if (body instanceof byte[] bytes) return new String(bytes, StandardCharsets.UTF_8);
    if (body instanceof InputStream in) {
      try (in) {
        return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
      }
    }
    return body == null ? "" : body.toString();
  }

  private static void discard(HttpResponse<?> response) throws IOException {
    if (response.body() instanceof InputStream in) in.close();
  }
}
