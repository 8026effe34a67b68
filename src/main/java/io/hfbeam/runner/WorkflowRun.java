package io.hfbeam.runner;

import io.hfbeam.dataset.RunEvents;
import java.io.PrintStream;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.beam.runners.direct.DirectOptions;
import org.apache.beam.runners.direct.DirectRunner;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Runs a built pipeline to the end, showing progress, then prints the per-step summary and applies
 * the error budget. Every workflow ends here, so every run ends the same way.
 */
public final class WorkflowRun {
  private WorkflowRun() {}

  /** The summary of a finished run and whether it stayed within its error budget. */
  public record Outcome(RunSummary summary, long records, long failed, String budgetMessage) {
    public boolean ok() {
      return budgetMessage == null;
    }
  }

  /**
   * @param totalBytes input size for progress ETA (0 when unknown)
   * @param verdict after the run: why its output was not made the dataset (no rows, over the error
   *     budget), or null. The dataset sink decides from the files it wrote, not from this run's
   *     counters: a resumed run counts only the work after its checkpoint.
   * @param steps the workflow's steps (counter namespaces) in pipeline order, for the summary table
   */
  public static Outcome run(
      Pipeline pipeline,
      long totalBytes,
      Supplier<String> verdict,
      PrintStream out,
      java.util.List<String> steps) {
    return run(pipeline, totalBytes, verdict, out, steps, Optional.empty());
  }

  /**
   * As {@link #run(Pipeline, long, Supplier, PrintStream, java.util.List)}, on an embedded Flink
   * cluster that {@link EmbeddedFlink#attach attached} the pipeline's options: progress reads the
   * job's counters from it.
   */
  public static Outcome run(
      Pipeline pipeline,
      long totalBytes,
      Supplier<String> verdict,
      PrintStream out,
      java.util.List<String> steps,
      Optional<EmbeddedFlink> flink) {
    return run(pipeline, totalBytes, verdict, out, steps, flink, 10_000);
  }

  static Outcome run(
      Pipeline pipeline,
      long totalBytes,
      Supplier<String> verdict,
      PrintStream out,
      java.util.List<String> steps,
      Optional<EmbeddedFlink> flink,
      long progressEveryMillis) {
    long t0 = System.nanoTime();
    PipelineOptions options = pipeline.getOptions();
    String cluster = RunnerProfiles.flinkClusterUrl(options);
    // The DirectRunner's result reads its metrics as bundles finish, but by default run() returns
    // only at the end. Flink's (attached) result exists only at the end: an embedded cluster
    // reports a running job's counters.
    AtomicReference<PipelineResult> running = new AtomicReference<>();
    boolean direct = options.getRunner() == DirectRunner.class;
    if (direct) options.as(DirectOptions.class).setBlockOnRun(false);
    Supplier<Optional<Progress.Counts>> counts =
        direct
            ? () -> Optional.ofNullable(running.get()).map(r -> Progress.Counts.of(r.metrics()))
            : () -> flink.flatMap(EmbeddedFlink::jobCounts);
    // on a cluster the work happens in the TaskManagers: this JVM cannot count it, the web UI shows
    // it
    Thread progress =
        cluster == null
            ? Progress.start(counts, totalBytes, progressEveryMillis, out)
            : Progress.startCluster(cluster, progressEveryMillis, out);
    PipelineResult result;
    try (RunEvents.Printing events = RunEvents.printTo(out)) {
      result = pipeline.run();
      running.set(result);
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE)
        throw new IllegalStateException("pipeline ended in state " + state);
    } finally {
      progress.interrupt();
    }
    RunSummary summary = RunSummary.of(result, (System.nanoTime() - t0) / 1e9, steps);
    out.println();
    out.print(summary.table());
    long failed = summary.totalFailed();
    long records = summary.get("write", "records_out") + failed;
    return new Outcome(summary, records, failed, verdict.get());
  }
}
