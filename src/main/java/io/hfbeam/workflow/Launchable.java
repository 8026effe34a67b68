package io.hfbeam.workflow;

import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.runner.RunSummary;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * One workflow with its settings, ready for {@link WorkflowLauncher}: what it reads and writes, and
 * how it adds itself to a pipeline. Workflows that can watch a directory also implement {@link
 * Watchable}.
 */
public interface Launchable {
  /** The workflow's name (chess-positions, qa-export, convert), also its Flink job name. */
  String name();

  /** The dataset's output directory. */
  Path output();

  /**
   * The directories the input is searched in (a directory, a glob's base): the output must not be
   * inside one.
   */
  List<Path> inputDirs();

  /** Size of the input, for progress (0 when unknown). */
  long inputBytes();

  /**
   * The workflow's steps in pipeline order (the namespaces of their counters), for the run summary.
   */
  List<String> steps();

  /**
   * Adds the workflow to the pipeline and returns its finished files (what gets published to {@code
   * hub}, when given); may print what it decided to {@code out}.
   */
  PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException;

  /**
   * Whether the workflow keeps its own record of finished work beside the output (sft-generate's
   * answers journal), so that --resume means something on a runner without checkpoints.
   */
  default boolean resumesFromItsOutput() {
    return false;
  }

  /**
   * The DirectRunner threads this workflow runs best on when {@code --parallelism} does not say
   * (empty: the runner profile's). sft-generate asks for 1: its requests run on a pool of their
   * own, and on the DirectRunner a free runner thread spends itself polling (a busy loop with its
   * garbage) for as long as a bundle is outstanding, which a generation bundle is for the whole
   * run.
   */
  default Optional<Integer> directRunnerThreads() {
    return Optional.empty();
  }

  /** The last lines of a finished run: where the output is and how to load it. */
  default String doneMessage() {
    return DoneMessage.of(output());
  }

  /**
   * Why the run's output was refused (over the error budget, no rows), if it was. A query: it
   * changes nothing, and may be asked any number of times.
   */
  default Optional<String> rejection() {
    return io.hfbeam.dataset.StagedDataset.rejected(output());
  }

  /**
   * Called by the launcher exactly once after the pipeline finished, with whether its output was
   * accepted ({@link #rejection()} empty): where a workflow puts right what a refused run left
   * (e.g. stages of a checkpoint set built from the refused input). Not called when the pipeline
   * itself failed: what it finished is whole and stays.
   */
  default void afterRun(boolean accepted) throws IOException {}

  /** Frees what the run held in this JVM (a loaded model, open journals), however it ended. */
  default void release() {}

  /** What the run's counts say the user should know, e.g. input columns the features dropped. */
  default List<String> warnings(RunSummary summary) {
    return List.of();
  }

  /** A workflow whose input can be a watched directory. */
  interface Watchable extends Launchable {
    /** Set when the run watches its input instead of reading it once. */
    Optional<WatchSettings> watch();

    /**
     * The first batch the settings give, or empty: a watching run then continues the output's
     * numbering.
     */
    Optional<Integer> firstBatch();

    /** The continuous form, its batches numbered from {@code firstBatch}. */
    WatchedWorkflow<?> watched(int firstBatch);
  }
}
