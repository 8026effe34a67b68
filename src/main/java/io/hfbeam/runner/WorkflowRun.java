package io.hfbeam.runner;

import java.io.PrintStream;
import java.util.function.Supplier;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;

/**
 * Runs a built pipeline to the end, showing progress, then prints the per-step summary and applies the error
 * budget. Every workflow ends here, so every run ends the same way.
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
   * @param verdict after the run: why its output was not made the dataset (no rows, over the error budget), or null.
   *     The dataset sink decides from the files it wrote, not from this run's counters: a resumed run counts only
   *     the work after its checkpoint.
   * @param steps the workflow's steps (counter namespaces) in pipeline order, for the summary table
   */
  public static Outcome run(Pipeline pipeline, long totalBytes, Supplier<String> verdict, PrintStream out,
      java.util.List<String> steps) {
    long t0 = System.nanoTime();
    String cluster = RunnerProfiles.flinkClusterUrl(pipeline.getOptions());
    // on a cluster the work happens in the TaskManagers: this JVM cannot count it, the web UI shows it
    Thread progress = cluster == null ? Progress.start(totalBytes, 10_000, out) : Progress.startCluster(cluster, 10_000, out);
    PipelineResult result;
    try {
      result = pipeline.run();
      PipelineResult.State state = result.waitUntilFinish();
      if (state != PipelineResult.State.DONE) throw new IllegalStateException("pipeline ended in state " + state);
    } finally {
      progress.interrupt();
      Progress.stopEvents();
    }
    RunSummary summary = RunSummary.of(result, (System.nanoTime() - t0) / 1e9, steps);
    out.println();
    out.print(summary.table());
    long failed = summary.totalFailed();
    long records = summary.get("write", "records_out") + failed;
    return new Outcome(summary, records, failed, verdict.get());
  }
}
