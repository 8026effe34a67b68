package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.junit.jupiter.api.Test;

/** The progress line, read from the Beam metrics of a running pipeline. */
public class ProgressTest {
  /** Counts what the dataset steps count: a record written and 10 input bytes read per element. */
  static final class CountFn extends DoFn<Integer, Integer> {
    private final Counter records = Metrics.counter("write", "records_out");
    private final Counter bytes = Metrics.counter("read", "bytes_in");

    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Integer> out) {
      records.inc();
      bytes.inc(10);
      out.output(i);
    }
  }

  /** What the run printed so far. */
  private static final ByteArrayOutputStream PRINTED = new ByteArrayOutputStream();

  /**
   * Keeps the pipeline running until the run prints the expected progress line (or 60 s pass): a
   * line printed while the job runs can only come from the running job's metrics.
   */
  static final class HoldFn extends DoFn<Integer, Integer> {
    private final String awaited;

    HoldFn(String awaited) {
      this.awaited = awaited;
    }

    @ProcessElement
    public void process(@Element Integer i) throws InterruptedException {
      long end = System.nanoTime() + 60_000_000_000L;
      while (!printed().contains(awaited) && System.nanoTime() < end) Thread.sleep(20);
    }
  }

  static String printed() {
    synchronized (PRINTED) {
      return PRINTED.toString(StandardCharsets.UTF_8);
    }
  }

  static void clearPrinted() {
    synchronized (PRINTED) {
      PRINTED.reset();
    }
  }

  static PrintStream printedStream() {
    return new PrintStream(PRINTED, true, StandardCharsets.UTF_8);
  }

  @Test
  public void aRunningDirectRunnerPipelineShowsTheRecordsAndBytesItsMetricsCount() {
    clearPrinted();
    PrintStream out = printedStream();
    // the DirectRunner with its immutability and encodability checks on, as in every test
    Pipeline p = Pipeline.create(PipelineOptionsFactory.create());
    p.apply("Numbers", Create.of(1, 2, 3))
        .apply("Count", ParDo.of(new CountFn()))
        .apply("Hold", ParDo.of(new HoldFn("progress: 3 records")));
    WorkflowRun.Outcome outcome =
        WorkflowRun.run(p, 100, () -> null, out, List.of(), Optional.empty(), 50);
    String printed = printed();
    assertThat(printed, containsString("progress: 3 records"));
    assertThat(printed, containsString("30.0% of input read"));
    assertThat(outcome.summary().get("write", "records_out"), equalTo(3L));
  }

  @Test
  public void theLineSaysRecordsRateShareReadAndEta() {
    assertThat(
        Progress.line(new Progress.Counts(1_000, 250), 1_000, 10.0),
        equalTo("progress: 1,000 records, 100 records/s, 25.0% of input read, ETA 30 s"));
    // an unknown input size: no share, no ETA
    assertThat(
        Progress.line(new Progress.Counts(5, 250), 0, 1.0),
        equalTo("progress: 5 records, 5 records/s"));
  }
}
