package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void percentilesAreWithinOneBucket() {
    Stats stats = new Stats();
    for (int i = 1; i <= 100; i++) {
      stats.success(1, 2, Duration.ofMillis(i * 10L));
    }
    Stats.Snapshot snapshot = stats.snapshot();
    // True p50 is 500 ms and p95 950 ms; buckets are about 19% wide.
    assertTrue(
        snapshot.p50Millis() >= 500 && snapshot.p50Millis() < 600, "" + snapshot.p50Millis());
    assertTrue(
        snapshot.p95Millis() >= 950 && snapshot.p95Millis() < 1140, "" + snapshot.p95Millis());
    assertEquals(100, snapshot.promptTokens());
    assertEquals(200, snapshot.completionTokens());
    assertEquals(300, snapshot.totalTokens());
  }

  @Test
  void anEmptySnapshotHasZeros() {
    Stats.Snapshot snapshot = new Stats().snapshot();
    assertEquals(0, snapshot.p50Millis());
    assertEquals(0, snapshot.totalRetries());
    assertEquals(RetryCause.values().length, snapshot.retries().size());
  }

  @Test
  void countsFromManyThreads() throws Exception {
    Stats stats = new Stats();
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  stats.request();
                  stats.retry(RetryCause.TIMEOUT);
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(4000, stats.snapshot().requests());
    assertEquals(4000, stats.snapshot().retries(RetryCause.TIMEOUT));
  }
}
