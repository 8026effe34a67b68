package io.hfbeam.runner;

import java.io.PrintStream;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricResults;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * Progress of a run: records written and input bytes read, from the Beam counters the steps keep
 * (write/records_out, read/bytes_in), as the running job reports them; a daemon thread prints
 * records done, rate and ETA against the known input size.
 */
final class Progress {
  private static final MetricsFilter COUNTED =
      MetricsFilter.builder()
          .addNameFilter(MetricNameFilter.named("write", "records_out"))
          .addNameFilter(MetricNameFilter.named("read", "bytes_in"))
          .build();

  private Progress() {}

  /** What a run has done so far: records written, input bytes read. */
  record Counts(long records, long bytes) {
    /** The counts in a job's metrics (attempted values: the work so far). */
    static Counts of(MetricResults metrics) {
      long records = 0;
      long bytes = 0;
      for (MetricResult<Long> c : metrics.queryMetrics(COUNTED).getCounters()) {
        Long v = c.getAttempted();
        if (v == null) continue;
        if (c.getName().getName().equals("records_out")) {
          records += v;
        } else {
          bytes += v;
        }
      }
      return new Counts(records, bytes);
    }
  }

  /**
   * Starts printing every {@code everyMillis} to {@code out}; returns the thread to interrupt at
   * the end.
   *
   * @param counts what the running job has counted so far; empty while it cannot say (not started,
   *     or a runner that reports its metrics only at the end: then the line says how long it has
   *     run)
   */
  static Thread start(
      Supplier<Optional<Counts>> counts, long totalBytes, long everyMillis, PrintStream out) {
    long t0 = System.nanoTime();
    return daemon(
        everyMillis,
        () -> {
          double seconds = (System.nanoTime() - t0) / 1e9;
          Optional<Counts> done = counts.get();
          out.println(
              done.isPresent()
                  ? line(done.get(), totalBytes, seconds)
                  : String.format("progress: running, %.0f s", seconds));
        });
  }

  /**
   * For a job on a Flink cluster: where to watch it, then the elapsed time every {@code
   * everyMillis}.
   */
  static Thread startCluster(String webUi, long everyMillis, PrintStream out) {
    out.println(
        "submitting to the Flink cluster at "
            + webUi
            + " (progress: its web UI, Jobs > Running Jobs)");
    long t0 = System.nanoTime();
    return daemon(
        everyMillis,
        () ->
            out.printf(
                "progress: running on the Flink cluster, %.0f s%n",
                (System.nanoTime() - t0) / 1e9));
  }

  private static Thread daemon(long everyMillis, Runnable print) {
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(everyMillis);
                  print.run();
                }
              } catch (InterruptedException e) {
                // run finished
              }
            },
            "hfbeam-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static String line(Counts done, long totalBytes, double seconds) {
    long records = done.records();
    long bytes = done.bytes();
    double rate = records / Math.max(seconds, 1e-9);
    StringBuilder sb =
        new StringBuilder(String.format("progress: %,d records, %,.0f records/s", records, rate));
    if (totalBytes > 0) {
      double frac = Math.min(1.0, bytes / (double) totalBytes);
      sb.append(String.format(", %.1f%% of input read", frac * 100));
      if (frac > 0.01 && frac < 1) {
        sb.append(String.format(", ETA %.0f s", seconds * (1 - frac) / frac));
      }
    }
    return sb.toString();
  }
}
