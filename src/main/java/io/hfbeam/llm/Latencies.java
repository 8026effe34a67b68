package io.hfbeam.llm;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A latency histogram of fixed size: buckets grow by 2^(1/4) (about 19%) from 1 ms, so p50/p95 are
 * within one bucket. Thread-safe; histograms of several workers add up bucket by bucket.
 */
public final class Latencies {
  public static final int BUCKETS = 120;
  private static final double STEP = Math.pow(2, 0.25);

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  public void record(double millis) {
    counts.incrementAndGet(bucket(millis));
  }

  /** A copy of the bucket counts. */
  public long[] counts() {
    long[] out = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) out[i] = counts.get(i);
    return out;
  }

  static int bucket(double millis) {
    if (millis <= 1) return 0;
    int index = (int) Math.ceil(Math.log(millis) / Math.log(STEP));
    return Math.min(index, BUCKETS - 1);
  }

  static double upperMillis(int bucket) {
    return Math.pow(STEP, bucket);
  }

  /**
   * The upper edge of the bucket holding the {@code fraction} quantile of {@code counts}; 0 when
   * empty.
   */
  public static double percentile(long[] counts, double fraction) {
    long total = 0;
    for (long c : counts) total += c;
    if (total == 0) return 0;
    long rank = (long) Math.ceil(fraction * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) return upperMillis(i);
    }
    return upperMillis(counts.length - 1);
  }
}
