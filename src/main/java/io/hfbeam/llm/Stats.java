package io.hfbeam.llm;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What a client did: requests sent, retries by cause, tokens, call latency and failures.
 * Thread-safe; {@link #snapshot()} gives a consistent-enough copy for progress lines and the run's
 * stats file.
 */
public final class Stats {
  // Latency buckets grow by 2^(1/4) (about 19%) from 1 ms: p50/p95 within one bucket, fixed memory.
  private static final int BUCKETS = 120;
  private static final double STEP = Math.pow(2, 0.25);

  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final Map<RetryCause, AtomicLong> retries = new EnumMap<>(RetryCause.class);
  private final AtomicLongArray latency = new AtomicLongArray(BUCKETS);

  public Stats() {
    for (RetryCause cause : RetryCause.values()) {
      retries.put(cause, new AtomicLong());
    }
  }

  void request() {
    requests.incrementAndGet();
  }

  void retry(RetryCause cause) {
    retries.get(cause).incrementAndGet();
  }

  void failure() {
    failures.incrementAndGet();
  }

  /** A call that got its answer: tokens from the answer's usage, latency including retries. */
  void success(long prompt, long completion, Duration elapsed) {
    calls.incrementAndGet();
    promptTokens.addAndGet(prompt);
    completionTokens.addAndGet(completion);
    latency.incrementAndGet(bucket(elapsed.toNanos() / 1e6));
  }

  static int bucket(double millis) {
    if (millis <= 1) {
      return 0;
    }
    int index = (int) Math.ceil(Math.log(millis) / Math.log(STEP));
    return Math.min(index, BUCKETS - 1);
  }

  static double upperMillis(int bucket) {
    return Math.pow(STEP, bucket);
  }

  public Snapshot snapshot() {
    Map<RetryCause, Long> byCause = new EnumMap<>(RetryCause.class);
    retries.forEach((cause, count) -> byCause.put(cause, count.get()));
    long[] counts = new long[BUCKETS];
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] = latency.get(i);
      total += counts[i];
    }
    return new Snapshot(
        requests.get(),
        calls.get(),
        failures.get(),
        Map.copyOf(byCause),
        promptTokens.get(),
        completionTokens.get(),
        percentile(counts, total, 0.50),
        percentile(counts, total, 0.95));
  }

  private static double percentile(long[] counts, long total, double fraction) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return upperMillis(i);
      }
    }
    return upperMillis(counts.length - 1);
  }

  /**
   * A copy of the counters.
   *
   * @param requests HTTP requests sent (every attempt)
   * @param succeeded calls that got an answer
   * @param failures calls that ended in an exception
   * @param retries retries by cause
   * @param promptTokens prompt tokens from the answers' usage
   * @param completionTokens completion tokens from the answers' usage
   * @param p50Millis median call latency (retries included), to about 19%
   * @param p95Millis 95th percentile call latency, to about 19%
   */
  public record Snapshot(
      long requests,
      long succeeded,
      long failures,
      Map<RetryCause, Long> retries,
      long promptTokens,
      long completionTokens,
      double p50Millis,
      double p95Millis) {
    public long retries(RetryCause cause) {
      return retries.getOrDefault(cause, 0L);
    }

    public long totalRetries() {
      return retries.values().stream().mapToLong(Long::longValue).sum();
    }

    public long totalTokens() {
      return promptTokens + completionTokens;
    }
  }
}
