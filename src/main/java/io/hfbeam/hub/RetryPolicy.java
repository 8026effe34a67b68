package io.hfbeam.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Serializable;
import java.net.UnknownHostException;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * Every retry decision of the client: which failures are worth another try, and how long to wait.
 * Exponential backoff with jitter, except that a 429 waits as long as the Hub says ({@code
 * Retry-After}, or the {@code t=} of the IETF {@code RateLimit} header), capped at {@code
 * maxRetryAfter}. Serializable: it travels in {@link HubClient.Settings} to Beam workers.
 */
public final class RetryPolicy implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Pattern RATE_LIMIT_RESET = Pattern.compile("(?:^|;)\\s*t=(\\d+)");

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration maxRetryAfter;

  private RetryPolicy(
      int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1");
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.maxRetryAfter = maxRetryAfter;
  }

  /** 8 attempts, 1 s doubling to 60 s, honouring a server-requested wait of up to 10 minutes. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        8, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofMinutes(10));
  }

  public static RetryPolicy of(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, Duration.ofMinutes(10));
  }

  /**
   * Upper bound on waits the server asks for; tests set it low so a {@code Retry-After: 1} costs
   * milliseconds.
   */
  public RetryPolicy withMaxRetryAfter(Duration max) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, max);
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public boolean isRetryableStatus(int status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
  }

  /**
   * Transport failures (resets, timeouts, refused connections) are transient; a bad host name or
   * TLS is not.
   */
  public boolean isRetryableError(IOException e) {
    return !(e instanceof HubException)
        && !(e instanceof UnknownHostException)
        && !(e instanceof SSLHandshakeException);
  }

  /**
   * How long to wait before retry number {@code retry} (1 = first retry); headers of a 429 may
   * override.
   */
  public Duration delay(int retry, HttpHeaders headersOrNull) {
    if (headersOrNull != null) {
      Optional<Duration> asked = serverRequestedWait(headersOrNull);
      if (asked.isPresent())
        return asked.get().compareTo(maxRetryAfter) > 0 ? maxRetryAfter : asked.get();
    }
    long base = initialBackoff.toMillis() << Math.min(retry - 1, 20);
    long capped = Math.min(base, maxBackoff.toMillis());
    // "Equal jitter": at least half the backoff, so retries of many workers spread out but never
    // hammer.
    return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
  }

  static Optional<Duration> serverRequestedWait(HttpHeaders headers) {
    Optional<String> retryAfter = headers.firstValue("Retry-After");
    if (retryAfter.isPresent()) {
      String v = retryAfter.get().trim();
      if (v.matches("\\d+")) return Optional.of(Duration.ofSeconds(Long.parseLong(v)));
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration d = Duration.between(Instant.now(), at);
        return Optional.of(d.isNegative() ? Duration.ZERO : d);
      } catch (DateTimeParseException e) {
        // fall through to RateLimit
      }
    }
    Optional<String> rateLimit = headers.firstValue("RateLimit");
    if (rateLimit.isPresent()) {
      Matcher m = RATE_LIMIT_RESET.matcher(rateLimit.get());
      if (m.find()) return Optional.of(Duration.ofSeconds(Long.parseLong(m.group(1))));
    }
    return Optional.empty();
  }

  void sleep(Duration d) throws InterruptedIOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting to retry");
    }
  }
}
