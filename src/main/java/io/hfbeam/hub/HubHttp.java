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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP layer: builds requests (token only in the Authorization header, and only to the Hub), retries
 * transient failures as {@link RetryPolicy} decides, and turns final failures into one-line {@link HubException}s.
 */
final class HubHttp {
  private static final Logger LOG = LoggerFactory.getLogger(HubHttp.class);
  private static final int MAX_REDIRECTS = 5;
  static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String endpoint;
  private final String token;
  private final RetryPolicy retry;
  private final Duration timeout;

  HubHttp(String endpoint, String tokenOrNull, RetryPolicy retry, Duration timeout) {
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(30)).followRedirects(HttpClient.Redirect.NEVER).build();
    this.endpoint = endpoint;
    this.token = tokenOrNull;
    this.retry = retry;
    this.timeout = timeout;
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

  /** One request; {@code auth} adds the token, and only when the URL is on the Hub's own host. */
  record Call(String method, String url, BodyPublisher body, Map<String, String> headers, boolean auth,
              Duration timeout) {
    static Call get(String url) {
      return new Call("GET", url, BodyPublishers.noBody(), Map.of(), true, null);
    }

    static Call json(String method, String url, Object body) throws IOException {
      return new Call(method, url, BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)),
          Map.of("Content-Type", "application/json"), true, null);
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

  /** Sends with retries and returns a 2xx or 3xx response; anything else ends as a {@link HubException}. */
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
    int redirects = 0;
    for (int attempt = 1; ; attempt++) {
      HttpResponse<T> response;
      try {
        response = once(call, handler);
      } catch (IOException e) {
        if (!retry.isRetryableError(e) || attempt >= retry.maxAttempts()) {
          throw new HubException("Could not reach " + endpoint + " (" + call.method() + " " + path(call.url())
              + "): " + e.getClass().getSimpleName() + " after " + attempt + " attempt(s)", e);
        }
        backoff(call, attempt, null, e.getClass().getSimpleName());
        continue;
      }
      int status = response.statusCode();
      Optional<String> relative = relativeRedirect(response);
      if (relative.isPresent() && redirects++ < MAX_REDIRECTS) {
        // Like huggingface_hub: follow the Hub's own relative redirects (renamed repos, resolve-cache) and hand
        // absolute ones (a CDN) back to the caller, which must not send the token there.
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
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) return Optional.empty();
    return response.headers().firstValue("Location").filter(l -> URI.create(l).getHost() == null);
  }

  /** A single attempt, no retries and no status check: for callers (the commit) that must decide themselves. */
  <T> HttpResponse<T> once(Call call, BodyHandler<T> handler) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(call.url()))
        .timeout(call.timeout() != null ? call.timeout() : timeout)
        .method(call.method(), call.body())
        .header("User-Agent", "hfbeam/0.1; java/" + Runtime.version().feature());
    call.headers().forEach(b::header);
    if (call.auth() && token != null && sameHost(call.url())) b.header("Authorization", "Bearer " + token);
    try {
      return client.send(b.build(), handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted during " + call.method() + " " + path(call.url()));
    }
  }

  private void backoff(Call call, int attempt, java.net.http.HttpHeaders headers, String why) throws IOException {
    Duration wait = retry.delay(attempt, headers);
    LOG.debug("{} {} failed ({}), retry {} in {} ms", call.method(), path(call.url()), why, attempt, wait.toMillis());
    retry.sleep(wait);
  }

  /** The one-line message for a final failure, saying what to do about it. */
  HubException failure(Call call, int status, java.net.http.HttpHeaders headers, String body) {
    String code = headers.firstValue("X-Error-Code").orElse(null);
    String said = headers.firstValue("X-Error-Message").orElseGet(() -> errorField(body));
    String where = call.method() + " " + path(call.url());
    String message = switch (status) {
      case 401 -> token == null
          ? "401 Unauthorized from " + endpoint + " (" + where + "): no token found; set HF_TOKEN or run 'hfbeam hub login'"
          : "401 Unauthorized from " + endpoint + " (" + where + "): the token was rejected; set HF_TOKEN to a valid token with write access";
      case 403 -> "403 Forbidden from " + endpoint + " (" + where + "): the token may not do this; use a token with write access to the repo" + suffix(said);
      case 404 -> "404 Not Found from " + endpoint + " (" + where + ")" + (code != null ? " [" + code + "]" : "")
          + ": check the repo id, revision and path" + suffix(said);
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
    return target.getHost() != null && target.getHost().equalsIgnoreCase(hub.getHost()) && target.getPort() == hub.getPort();
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
