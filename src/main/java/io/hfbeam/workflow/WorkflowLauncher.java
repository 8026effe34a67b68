package io.hfbeam.workflow;

import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.DatasetOptions;
import io.hfbeam.dataset.StagedDataset;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.Directories;
import io.hfbeam.runner.Checkpoints;
import io.hfbeam.runner.EmbeddedFlink;
import io.hfbeam.runner.RunnerProfiles;
import io.hfbeam.runner.WorkflowRun;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptor;

/**
 * Runs a workflow the same way for every caller (the CLI, tests, a Beam user's {@code main}):
 * resolves the runner profile, checks that the output is not inside the input, configures
 * checkpoints, checks the Hub token and creates the repo before any processing, builds the pipeline
 * (batch or watching), adds the publish step, runs it with progress, the summary table and the
 * error budget, and cleans up after a finished job.
 *
 * <p>The steps are public so that the CLI can tell usage errors (an {@link
 * IllegalArgumentException} from {@link #prepare}) from a Hub that refuses ({@link #checkHub}) and
 * from a failed run ({@link #execute}); {@link #run} does them all.
 */
public final class WorkflowLauncher implements AutoCloseable {
  private final RunSettings run;
  private final PrintStream out;
  private final PrintStream err;
  private Optional<EmbeddedFlink> embeddedFlink = Optional.empty();
  private Launchable job;
  private io.hfbeam.dataset.OutputLock lock;
  private boolean ownsLock = true;
  private PipelineOptions options;
  private Optional<Checkpoints.Checkpoint> resumedFrom = Optional.empty();
  private String manifestBefore = "";

  public WorkflowLauncher(RunSettings run, PrintStream out, PrintStream err) {
    this.run = run;
    this.out = out;
    this.err = err;
  }

  /** Runs {@code job} to the end; throws on a usage error, a Hub that refuses, or a failed run. */
  public static WorkflowRun.Outcome run(Launchable job, RunSettings run, PrintStream out)
      throws Exception {
    return run(job, run, out, null);
  }

  /**
   * As {@link #run(Launchable, RunSettings, PrintStream)}, under the output's lock that the caller
   * holds for longer (a watching run, between its increments); null: the run takes its own.
   */
  public static WorkflowRun.Outcome run(
      Launchable job, RunSettings run, PrintStream out, io.hfbeam.dataset.OutputLock held)
      throws Exception {
    try (WorkflowLauncher launcher = new WorkflowLauncher(run, out, out)) {
      launcher.lock = held;
      launcher.ownsLock = false;
      launcher.startRunner(job.name());
      launcher
          .checkRunner(job.name())
          .ifPresent(
              problem -> {
                throw new IllegalStateException(problem);
              });
      launcher.prepare(job);
      launcher.checkHub();
      return launcher.execute();
    }
  }

  /** The runner profile's settings with the run's parallelism and the job's name in place. */
  private Map<String, String> runnerSettings(String workflow) {
    return runnerSettings(
        RunnerProfiles.settings(run.runner(), Map.of()),
        run.parallelism(),
        job == null ? Optional.empty() : job.directRunnerThreads(),
        workflow);
  }

  /**
   * A profile's settings with the parallelism asked for ({@code --parallelism}), else, on the
   * DirectRunner, the threads the workflow asks for, and the job's name.
   */
  static Map<String, String> runnerSettings(
      Map<String, String> profile,
      Integer parallelism,
      Optional<Integer> directRunnerThreads,
      String workflow) {
    Map<String, String> settings = new java.util.LinkedHashMap<>(profile);
    boolean flink = settings.getOrDefault("runner", "").contains("Flink");
    if (parallelism != null) {
      settings.put(flink ? "parallelism" : "targetParallelism", parallelism.toString());
    } else if (!flink && directRunnerThreads.isPresent()) {
      settings.put("targetParallelism", directRunnerThreads.get().toString());
    }
    settings.putIfAbsent("jobName", "hfbeam-" + workflow); // the job's name in the Flink web UI
    return settings;
  }

  /**
   * Starts an embedded Flink cluster now, while the settings are checked and the pipeline built, if
   * the runner profile asks for one (see {@link EmbeddedFlink}); a profile that cannot be read is
   * reported by {@link #prepare}.
   */
  public void startRunner(String workflow) {
    try {
      embeddedFlink = EmbeddedFlink.startFor(runnerSettings(workflow));
    } catch (RuntimeException e) {
      embeddedFlink = Optional.empty();
    }
  }

  /**
   * Takes the output for this run until {@link #close()}: a second run into the same output stops
   * here with one line. Called before the job is built when building it writes there (a staged Hub
   * dataset); {@link #prepare} takes it otherwise.
   *
   * @throws IllegalStateException another run holds the output
   */
  public void lockOutput(Path output) {
    if (lock != null) return;
    try {
      lock = io.hfbeam.dataset.OutputLock.acquire(output);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Why the runner cannot take the job (a Flink cluster that does not answer), checked in seconds.
   */
  public Optional<String> checkRunner(String workflow) {
    return RunnerProfiles.unansweredFlinkCluster(
        runnerSettings(workflow), java.time.Duration.ofSeconds(3));
  }

  /**
   * Checks what can be checked before anything is read or written: the output is not inside the
   * input, the runner profile makes pipeline options, --resume and checkpoints apply to the runner.
   *
   * @throws IllegalArgumentException a usage error
   */
  public void prepare(Launchable job) {
    lockOutput(job.output());
    this.job = job;
    checkOutsideInput(job.output(), job.inputDirs());
    options = RunnerProfiles.create(run.runner(), runnerSettings(job.name()));
    Optional<WatchSettings> watch = watch();
    boolean resume = run.resume();
    if (resume && job.resumesFromItsOutput() && !RunnerProfiles.isFlink(options)) {
      // the workflow's own record of finished work (an answers journal) is the way back in
      out.println(
          "--resume: this runner keeps no checkpoints; the run goes on from "
              + job.name()
              + "'s journal");
      resume = false;
    }
    resumedFrom =
        Checkpoints.configure(
            options,
            job.output(),
            resume,
            run.checkpointIntervalSeconds(),
            watch.map(WatchSettings::commitInterval).orElse(null),
            out);
  }

  /**
   * Checks the Hub token and creates the repo when the run publishes: a bad token costs seconds,
   * not a run.
   */
  public void checkHub() throws IOException {
    if (run.hub().isPresent()) run.hub().get().checkAndCreateRepo();
  }

  private Optional<WatchSettings> watch() {
    return job instanceof Launchable.Watchable w ? w.watch() : Optional.empty();
  }

  /**
   * Builds the pipeline, publishes when asked, runs it to the end with the summary and the error
   * budget.
   */
  public WorkflowRun.Outcome execute() throws IOException {
    // files staged by an earlier failed run are not this run's; a resumed run goes on with them
    if (!run.resume()) Directories.deleteTree(StagedDataset.stagingDir(job.output()));
    manifestBefore = manifest();
    options
        .as(DatasetOptions.class)
        .setMaxErrorRate(run.maxErrorRate()); // the sink checks it before the files go in place
    Pipeline p = Pipeline.create(options);
    Optional<HubTarget> hub = run.hub();
    Optional<WatchSettings> watch = watch();
    if (watch.isPresent()) {
      PCollection<AssemblePanes.Pane> panes =
          buildWatch(p, (Launchable.Watchable) job, watch.get());
      hub.ifPresent(
          h ->
              h.publishEach(
                  panes
                      .apply(
                          "PaneFiles",
                          MapElements.into(new TypeDescriptor<List<WrittenFile>>() {})
                              .via(AssemblePanes.Pane::files))
                      .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))));
      out.println(
          "watching for new files; new batches at most every "
              + watch.get().commitInterval().getStandardSeconds()
              + " s. Stop with Ctrl-C"
              + (RunnerProfiles.isFlink(options) ? "; continue later with --resume." : "."));
    } else {
      PCollection<WrittenFile> files = job.build(p, hub, out);
      hub.ifPresent(h -> h.publish(files));
    }
    // Ctrl-C (SIGINT) or a kill (SIGTERM) both end here: say how to go on (the checkpoints stay
    // where they are)
    Thread interrupted =
        new Thread(
            () ->
                err.println(
                    Checkpoints.stateDirOf(options)
                        .map(
                            dir ->
                                "\nstopped; checkpoints are kept in "
                                    + dir
                                    + ": run the same command with --resume to continue")
                        .orElse(
                            "\nstopped; this runner keeps no checkpoints: the same command starts over"
                                + " (with --runner flink-local a stopped run continues with --resume)")));
    Runtime.getRuntime().addShutdownHook(interrupted);
    Optional<EmbeddedFlink> flink =
        embeddedFlink.filter(f -> f.attach(options)); // the cluster, if the job takes it
    WorkflowRun.Outcome outcome;
    try {
      outcome =
          WorkflowRun.run(
              p, job.inputBytes(), () -> job.rejection().orElse(null), out, job.steps(), flink);
    } finally {
      Runtime.getRuntime().removeShutdownHook(interrupted);
    }
    job.afterRun(outcome.ok());
    resumedFrom.ifPresent(
        c ->
            out.println(
                "(resumed from checkpoint "
                    + c.number()
                    + ": the counts above are this run's work; the rest was done before the checkpoint)"));
    // the job finished: its checkpoints and the parts it assembled from are no longer needed
    Checkpoints.clear(options);
    Directories.deleteTree(AssembleDataset.partsDir(job.output()));
    return outcome;
  }

  /**
   * The one continuous path: the batch numbers start where the settings say, else after the highest
   * batch already on the Hub (when publishing) or in the output directory. A resumed job goes on
   * with the numbering in its checkpoint.
   */
  private PCollection<AssemblePanes.Pane> buildWatch(
      Pipeline p, Launchable.Watchable w, WatchSettings watch) throws IOException {
    Optional<HubTarget> hub = run.hub();
    int first =
        w.firstBatch().isPresent()
            ? w.firstBatch().get()
            : hub.isPresent()
                ? hub.get().nextBatchNumber()
                : HubTarget.nextLocalBatchNumber(w.output());
    WatchedWorkflow<?> watched = w.watched(first);
    out.println(
        "watching "
            + watched.glob(watch.source())
            + " (every "
            + watch.poll().getMillis() / 1000.0
            + " s), batches from "
            + first);
    return watched.build(p, watch);
  }

  /** What the run's counts say the user should know. */
  public List<String> warnings(WorkflowRun.Outcome outcome) {
    return job.warnings(outcome.summary());
  }

  /** After a successful run: where the dataset is, how to load it, where it was published. */
  public String done() {
    return job.doneMessage()
        + run.hub().map(h -> "\npublished to " + h.repo() + "@" + h.revision()).orElse("");
  }

  /**
   * After a failed run: what became of the output, where the run's work is and how to go on with
   * it.
   */
  public String kept() {
    Path output = job.output().toAbsolutePath().normalize();
    StringBuilder sb = new StringBuilder();
    if (manifest().equals(manifestBefore)) {
      sb.append(
          Files.exists(output.resolve("README.md"))
              ? "the previous dataset in " + output + " is untouched"
              : "no dataset was written to " + output + " (a previous dataset there is untouched)");
      if (run.hub().isPresent()) sb.append(" and nothing was published");
    } else {
      sb.append("the dataset in ").append(output).append(" was written before the failure");
    }
    Path staging = StagedDataset.stagingDir(output);
    if (Files.isDirectory(staging)) sb.append("; this run's files are in ").append(staging);
    Optional<Path> state = Checkpoints.stateDirOf(options).filter(Files::isDirectory);
    state.ifPresent(
        dir ->
            sb.append("; its checkpoints are in ")
                .append(dir)
                .append(": run the same command with --resume to continue"));
    return sb.toString();
  }

  private String manifest() {
    try {
      Path m = job.output().resolve(StagedDataset.MANIFEST);
      return Files.isRegularFile(m) ? Files.readString(m) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Refuses an output inside a directory the input is searched in: its files would be read back as
   * input.
   */
  public static void checkOutsideInput(Path output, List<Path> inputDirs) {
    Path out = real(output);
    for (Path dir : inputDirs) {
      Path in = real(dir);
      if (out.startsWith(in)) {
        throw new IllegalArgumentException(
            "the output "
                + output
                + " is inside the input directory "
                + dir
                + ", where its files would be read back as input: choose an output outside it");
      }
    }
  }

  private static Path real(Path p) {
    Path abs = p.toAbsolutePath().normalize();
    // resolve links where the path exists, so two names of one directory compare equal
    Path existing = abs;
    while (existing != null && !Files.exists(existing)) existing = existing.getParent();
    try {
      return existing == null ? abs : existing.toRealPath().resolve(existing.relativize(abs));
    } catch (IOException e) {
      return abs;
    }
  }

  @Override
  public void close() {
    try {
      if (job != null) job.release();
      embeddedFlink.ifPresent(EmbeddedFlink::close);
    } finally {
      if (lock != null && ownsLock) {
        try {
          lock.close();
        } catch (IOException e) {
          // the process ending lets the lock go all the same
        }
      }
    }
  }
}
