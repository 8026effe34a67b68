package io.hfbeam.llm;

import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shared pacing of one client's requests. A 429's {@code Retry-After} blocks every caller until
 * then (one shared "not before" instant); the {@code x-ratelimit-*} headers spread the remaining
 * requests (and tokens) over their reset window, so the client slows down before it hits the limit
 * instead of after.
 */
final class Pacer {
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|h|m|s)");

  private final Clock clock;
  private final Sleeper sleeper;
  private final Duration maxWait;
  private Instant blockedUntil = Instant.MIN;
  private final ReentrantLock turn = new ReentrantLock(true);
  private Instant lastStart = Instant.MIN;
  private Instant nextStart = Instant.MIN;
  private Duration interval = Duration.ZERO;
  private double tokensPerRequest;

  Pacer(Clock clock, Sleeper sleeper, Duration maxWait) {
    this.clock = clock;
    this.sleeper = sleeper;
    this.maxWait = maxWait;
  }

  /**
   * Waits until this caller may send: past any shared block, and one interval after the last
   * request sent. Callers take turns (a fair lock): only the first in line waits for a time, the
   * others wait for it, so a caller's start is computed from the interval known when it is next,
   * not when it arrived (with 128 callers queued behind a one-second spacing, the last would
   * otherwise keep a slot two minutes away after the server says many requests are left again).
   */
  void awaitTurn() throws InterruptedException {
    turn.lockInterruptibly();
    try {
      while (true) {
        Duration wait;
        synchronized (this) {
          Instant now = clock.instant();
          if (now.isBefore(blockedUntil)) {
            wait = Duration.between(now, blockedUntil);
          } else if (now.isBefore(nextStart)) {
            wait = Duration.between(now, nextStart);
          } else {
            lastStart = now;
            nextStart = now.plus(interval);
            return;
          }
        }
        sleeper.sleep(wait);
      }
    } finally {
      turn.unlock();
    }
  }

  /** Nobody sends before {@code delay} from now (capped, so a hostile header cannot hang a run). */
  synchronized void blockFor(Duration delay) {
    Duration capped = delay.compareTo(maxWait) > 0 ? maxWait : delay;
    Instant until = clock.instant().plus(capped);
    if (until.isAfter(blockedUntil)) {
      blockedUntil = until;
    }
  }

  /** Learns from an answer's rate-limit headers; {@code tokens} is what that request used, or 0. */
  synchronized void observe(HttpHeaders headers, long tokens) {
    if (tokens > 0) {
      tokensPerRequest = tokensPerRequest == 0 ? tokens : 0.8 * tokensPerRequest + 0.2 * tokens;
    }
    Duration next = Duration.ZERO;
    boolean informed = false;
    OptionalLong remaining = longHeader(headers, "x-ratelimit-remaining-requests");
    Optional<Duration> reset =
        headers.firstValue("x-ratelimit-reset-requests").flatMap(Pacer::parseDuration);
    if (remaining.isPresent() && reset.isPresent()) {
      informed = true;
      if (remaining.getAsLong() <= 0) {
        blockFor(reset.get());
      } else {
        next = max(next, reset.get().dividedBy(remaining.getAsLong()));
      }
    }
    OptionalLong remainingTokens = longHeader(headers, "x-ratelimit-remaining-tokens");
    Optional<Duration> tokenReset =
        headers.firstValue("x-ratelimit-reset-tokens").flatMap(Pacer::parseDuration);
    if (remainingTokens.isPresent() && tokenReset.isPresent() && tokensPerRequest > 0) {
      informed = true;
      double requestsLeft = remainingTokens.getAsLong() / tokensPerRequest;
      if (requestsLeft < 1) {
        blockFor(tokenReset.get());
      } else {
        next = max(next, Duration.ofNanos((long) (tokenReset.get().toNanos() / requestsLeft)));
      }
    }
    interval = next.compareTo(maxWait) > 0 ? maxWait : next;
    // A shorter spacing the server asked for applies to the next request at once (an answer without
    // rate-limit headers says nothing, so it does not cancel the spacing); a longer one from the
    // next start on.
    if (informed
        && !lastStart.equals(Instant.MIN)
        && lastStart.plus(interval).isBefore(nextStart)) {
      nextStart = lastStart.plus(interval);
    }
  }

  synchronized Duration interval() {
    return interval;
  }

  /**
   * The wait a {@code Retry-After} (or OpenAI's {@code retry-after-ms}) asks for: seconds, or an
   * HTTP date; empty when absent or unreadable.
   */
  static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
    Optional<String> millis = headers.firstValue("retry-after-ms");
    if (millis.isPresent()) {
      try {
        double value = Double.parseDouble(millis.get().trim());
        if (value >= 0 && Double.isFinite(value)) {
          return Optional.of(Duration.ofNanos((long) (value * 1e6)));
        }
      } catch (NumberFormatException e) {
        // fall through to Retry-After
      }
    }
    Optional<String> value = headers.firstValue("retry-after").map(String::trim);
    if (value.isEmpty()) {
      return Optional.empty();
    }
    String text = value.get();
    if (text.matches("\\d{1,9}(\\.\\d+)?")) {
      return Optional.of(Duration.ofNanos((long) (Double.parseDouble(text) * 1e9)));
    }
    try {
      Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration wait = Duration.between(now, at);
      return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** OpenAI's reset durations: {@code 1s}, {@code 6m0s}, {@code 20ms}, {@code 1h2m3.5s}. */
  static Optional<Duration> parseDuration(String text) {
    String value = text.trim();
    if (value.matches("\\d{1,9}(\\.\\d+)?")) {
      return Optional.of(Duration.ofNanos((long) (Double.parseDouble(value) * 1e9)));
    }
    Matcher matcher = DURATION_PART.matcher(value);
    long nanos = 0;
    int end = 0;
    while (matcher.find() && matcher.start() == end) {
      double number = Double.parseDouble(matcher.group(1));
      double unit =
          switch (matcher.group(2)) {
            case "h" -> 3600e9;
            case "m" -> 60e9;
            case "s" -> 1e9;
            default -> 1e6;
          };
      nanos += (long) (number * unit);
      end = matcher.end();
    }
    return end == value.length() && end > 0
        ? Optional.of(Duration.ofNanos(nanos))
        : Optional.empty();
  }

  private static OptionalLong longHeader(HttpHeaders headers, String name) {
    Optional<String> value = headers.firstValue(name);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
