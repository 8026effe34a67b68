package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /**
   * A time that only moves when the test advances it; {@code sleep} blocks until then. The test
   * advances only while every sleeper waits for a later time (none is still waking up).
   */
  private static final class ManualTime extends java.time.Clock implements Sleeper {
    private Instant now;
    private final List<Instant> sleeping = new java.util.ArrayList<>();

    ManualTime(Instant start) {
      now = start;
    }

    @Override
    public synchronized void sleep(Duration duration) throws InterruptedException {
      Instant until = now.plus(duration);
      sleeping.add(until);
      notifyAll();
      try {
        while (now.isBefore(until)) wait();
      } finally {
        sleeping.remove(until);
        notifyAll();
      }
    }

    synchronized void advance(Duration d) {
      now = now.plus(d);
      notifyAll();
    }

    /**
     * Waits (real time, at most 5 s) until somebody sleeps and nobody is waking up; false if that
     * did not happen.
     */
    synchronized boolean awaitSleeper() throws InterruptedException {
      long end = System.nanoTime() + 5_000_000_000L;
      while (sleeping.isEmpty() || sleeping.stream().anyMatch(t -> !now.isBefore(t))) {
        long left = end - System.nanoTime();
        if (left <= 0) return false;
        wait(Math.max(1, left / 1_000_000));
      }
      return true;
    }

    @Override
    public synchronized Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void callersAlreadyWaitingGoSoonerWhenTheServerAllowsMore() throws Exception {
    // The bench against a token-bucket server (bench/sft.sh, issue 14): few requests left spaced
    // the callers a second apart; each waiting caller had reserved its own slot (1 s, 2 s, 3 s, ...
    // with 128 callers, 128 s) and kept it when the next answers said many requests were left
    // again. Throughput swung between bursts and stalls: 156 of 200 requests/s.
    ManualTime time = new ManualTime(Instant.parse("2026-01-01T00:00:00Z"));
    Pacer pacer = new Pacer(time, time, Duration.ofMinutes(5));
    pacer.observe(
        headers(Map.of("x-ratelimit-remaining-requests", "1", "x-ratelimit-reset-requests", "1s")),
        0);
    pacer.awaitTurn(); // at once; the next one a second later
    java.util.concurrent.ExecutorService callers =
        java.util.concurrent.Executors.newFixedThreadPool(3);
    try {
      List<java.util.concurrent.Future<?>> waiting = new java.util.ArrayList<>();
      for (int i = 0; i < 3; i++) {
        waiting.add(
            callers.submit(
                () -> {
                  pacer.awaitTurn();
                  return null;
                }));
      }
      assertTrue(time.awaitSleeper(), "the callers wait for their turn");
      Thread.sleep(200); // (real time) so that all three are waiting, not only the first
      // Answers now say 100 requests are left for the next second: one every 10 ms.
      pacer.observe(
          headers(
              Map.of("x-ratelimit-remaining-requests", "100", "x-ratelimit-reset-requests", "1s")),
          0);
      Instant start = time.instant();
      while (waiting.stream().anyMatch(f -> !f.isDone())
          && Duration.between(start, time.instant()).compareTo(Duration.ofMillis(1500)) < 0) {
        if (!time.awaitSleeper()) break;
        time.advance(Duration.ofMillis(10));
      }
      // Whoever waited with the old spacing may finish that wait (1 s); the rest go 10 ms apart.
      for (java.util.concurrent.Future<?> f : waiting) {
        assertTrue(f.isDone(), "all three started within 1.5 s, not at 2 s and 3 s");
        f.get();
      }
    } finally {
      callers.shutdownNow();
    }
  }
}
