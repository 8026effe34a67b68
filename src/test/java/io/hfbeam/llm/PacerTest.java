package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PacerTest {
  private static HttpHeaders headers(Map<String, String> values) {
    Map<String, List<String>> map = new java.util.HashMap<>();
    values.forEach((k, v) -> map.put(k, List.of(v)));
    return HttpHeaders.of(map, (k, v) -> true);
  }

  @Test
  void readsOpenAisResetDurations() {
    assertEquals(Optional.of(Duration.ofSeconds(1)), Pacer.parseDuration("1s"));
    assertEquals(Optional.of(Duration.ofMinutes(6)), Pacer.parseDuration("6m0s"));
    assertEquals(Optional.of(Duration.ofMillis(20)), Pacer.parseDuration("20ms"));
    assertEquals(Optional.of(Duration.ofMillis(3_723_500)), Pacer.parseDuration("1h2m3.5s"));
    assertEquals(Optional.of(Duration.ofMillis(1500)), Pacer.parseDuration("1.5"));
    assertEquals(Optional.empty(), Pacer.parseDuration("soon"));
    assertEquals(Optional.empty(), Pacer.parseDuration("1s and more"));
    assertEquals(Optional.empty(), Pacer.parseDuration(""));
  }

  @Test
  void readsRetryAfterInSecondsMillisecondsOrAsADate() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    assertEquals(
        Optional.of(Duration.ofSeconds(20)),
        Pacer.retryAfter(headers(Map.of("Retry-After", "20")), now));
    assertEquals(
        Optional.of(Duration.ofMillis(250)),
        Pacer.retryAfter(headers(Map.of("retry-after-ms", "250", "Retry-After", "1")), now));
    assertEquals(
        Optional.of(Duration.ofSeconds(90)),
        Pacer.retryAfter(headers(Map.of("Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT")), now));
    assertEquals(
        Optional.of(Duration.ZERO),
        Pacer.retryAfter(headers(Map.of("Retry-After", "Wed, 31 Dec 2025 23:00:00 GMT")), now));
    assertEquals(Optional.empty(), Pacer.retryAfter(headers(Map.of("Retry-After", "later")), now));
    assertEquals(Optional.empty(), Pacer.retryAfter(headers(Map.of()), now));
  }

  @Test
  void unreadableRateLimitHeadersAreIgnored() {
    FakeTime time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
    Pacer pacer = new Pacer(time, time, Duration.ofMinutes(5));
    pacer.observe(
        headers(
            Map.of("x-ratelimit-remaining-requests", "lots", "x-ratelimit-reset-requests", "1s")),
        10);
    assertEquals(Duration.ZERO, pacer.interval());
    pacer.observe(
        headers(Map.of("x-ratelimit-remaining-requests", "10", "x-ratelimit-reset-requests", "2s")),
        10);
    assertEquals(Duration.ofMillis(200), pacer.interval());
  }
}
