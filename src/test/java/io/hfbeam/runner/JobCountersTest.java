package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

public class JobCountersTest {
  /**
   * A task's metric group: identifiers are scoped by the task, as Flink scopes them by operator and
   * subtask.
   */
  private static MetricGroup task(String name) {
    return new UnregisteredMetricsGroup() {
      @Override
      public String getMetricIdentifier(String metricName) {
        return name + "." + metricName;
      }
    };
  }

  private static SimpleCounter counted(long n) {
    SimpleCounter c = new SimpleCounter();
    c.inc(n);
    return c;
  }

  @Test
  public void sumsTheProgressCountersOfAllTasksAndKeepsWhatFinishedTasksCounted() {
    JobCounters counters = new JobCounters();
    SimpleCounter records1 = counted(10);
    counters.notifyOfAddedMetric(records1, "write.records_out", task("Process.0"));
    counters.notifyOfAddedMetric(counted(5), "write.records_out", task("Process.1"));
    counters.notifyOfAddedMetric(counted(700), "read.bytes_in", task("Process.0"));
    counters.notifyOfAddedMetric(counted(99), "write.files_written", task("Write.0"));
    assertThat(counters.counts(), equalTo(new Progress.Counts(15, 700)));

    records1.inc(2); // read live
    assertThat(counters.counts(), equalTo(new Progress.Counts(17, 700)));

    counters.notifyOfRemovedMetric(records1, "write.records_out", task("Process.0"));
    records1.inc(100); // a closed task's counter no longer counts, what it had counted stays
    assertThat(counters.counts(), equalTo(new Progress.Counts(17, 700)));

    // a restarted task replaces the count of the attempt it restarts, even when the old one is
    // removed after
    SimpleCounter restarted = counted(1);
    counters.notifyOfAddedMetric(restarted, "write.records_out", task("Process.0"));
    counters.notifyOfRemovedMetric(records1, "write.records_out", task("Process.0"));
    assertThat(counters.counts(), equalTo(new Progress.Counts(6, 700)));
    restarted.inc();
    assertThat(counters.counts(), equalTo(new Progress.Counts(7, 700)));
  }
}
