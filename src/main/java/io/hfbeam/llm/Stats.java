package io.hfbeam.llm;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a client did: requests sent, retries by cause, tokens, call latency and failures.
 * Thread-safe; {@link #snapshot()} gives a consistent-enough copy for progress lines and the run's
 * stats file.
 */
public final class Stats {
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong promptTokens = new AtomicLong();
  private final AtomicLong completionTokens = new AtomicLong();
  private final Map<RetryCause, AtomicLong> retries = new EnumMap<>(RetryCause.class);
  private final Latencies latency = new Latencies();

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
    latency.record(elapsed.toNanos() / 1e6);
  }

  public Snapshot snapshot() {
    Map<RetryCause, Long> byCause = new EnumMap<>(RetryCause.class);
    retries.forEach((cause, count) -> byCause.put(cause, count.get()));
    long[] counts = latency.counts();
    return new Snapshot(
        requests.get(),
        calls.get(),
        failures.get(),
        Map.copyOf(byCause),
        promptTokens.get(),
        completionTokens.get(),
        Latencies.percentile(counts, 0.50),
        Latencies.percentile(counts, 0.95));
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
