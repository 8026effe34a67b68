package io.hfbeam.runner;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;

/**
 * The two Beam counters progress shows (write/records_out, read/bytes_in), as a running job on an
 * embedded Flink cluster reports them. Beam's Flink runner mirrors each step's Beam counters into
 * Flink counters when a bundle ends, while its accumulator (what the job's result reads) is filled
 * only when a task closes: this reporter, given to the cluster's metric registry, sees the Flink
 * counters as they are registered and reads them live.
 */
final class JobCounters implements MetricReporter {
  /** Per task and counter: the live counter, or the last count of a task that finished. */
  private final Map<String, Count> records = new ConcurrentHashMap<>();

  private final Map<String, Count> bytes = new ConcurrentHashMap<>();

  /** A task's counter while it runs ({@code live}), then what it had counted when it closed. */
  private record Count(Counter live, long last) {
    long get() {
      return live != null ? live.getCount() : last;
    }
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    Map<String, Count> to = of(name);
    // a restarted task registers under the same identifier and replaces the count of the attempt it
    // restarts
    if (to != null && metric instanceof Counter c)
      to.put(group.getMetricIdentifier(name), new Count(c, 0));
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    Map<String, Count> to = of(name);
    if (to != null && metric instanceof Counter c) {
      // only this counter's own entry: the removal may come after a restarted task registered its
      // new counter
      to.computeIfPresent(
          group.getMetricIdentifier(name),
          (id, now) -> now.live() == c ? new Count(null, c.getCount()) : now);
    }
  }

  /** Beam names its Flink counters namespace, scope delimiter, name. */
  private Map<String, Count> of(String name) {
    if (named(name, "write", "records_out")) return records;
    if (named(name, "read", "bytes_in")) return bytes;
    return null;
  }

  private static boolean named(String name, String namespace, String counter) {
    return name.length() == namespace.length() + 1 + counter.length()
        && name.startsWith(namespace)
        && name.endsWith(counter);
  }

  /** The counts so far. */
  Progress.Counts counts() {
    return new Progress.Counts(sum(records), sum(bytes));
  }

  private static long sum(Map<String, Count> counters) {
    long n = 0;
    for (Count c : counters.values()) n += c.get();
    return n;
  }
}
