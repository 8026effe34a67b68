package io.hfbeam.cli;

import io.hfbeam.format.files.Directories;

import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.runner.Checkpoints;
import io.hfbeam.runner.EmbeddedFlink;
import io.hfbeam.runner.RunnerProfiles;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.values.TypeDescriptor;
import io.hfbeam.runner.WorkflowRun;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.DatasetOptions;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.dataset.StagedDataset;
import java.nio.file.Files;
import io.hfbeam.dataset.WrittenFile;
import java.nio.file.Path;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.values.PCollection;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Shape of every workflow command: prepare settings (a bad flag or a missing file is a usage error, exit 2,
 * one line), check the Hub token and create the repo when the command publishes ({@link HubOptions}: a bad token
 * exits 1 in seconds, one line, before any processing), run the pipeline (a failure exits 1: one line, then what
 * became of the output and where the run's work is), and end with where the dataset is.
 */
abstract class WorkflowCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  PrintStream out = System.out;
  PrintStream err = System.err;
  /** HF_* variables for the Hub client; null means the process environment (tests and embedding set a map). */
  Map<String, String> env;

  /** The workflow name, also the name of its pipeline YAML. */
  abstract String workflow();

  /** Reads flags and YAML and checks inputs; throws IllegalArgumentException for usage errors. */
  abstract void prepare();

  /** Adds the workflow to the pipeline; returns its finished files (what gets published). */
  abstract PCollection<WrittenFile> build(Pipeline p) throws IOException;

  /** The dataset's output directory. */
  abstract Path output();

  /** Size of the input, for progress. */
  abstract long inputBytes();

  /** The inputs as given (files, directories, globs), set by {@link #prepare()}; none for fixed input files. */
  List<String> inputSpecs = List.of();

  /** The directories the input is searched in (a directory, a glob's base): the output must not be inside one. */
  final List<Path> inputDirs() {
    return inputSpecs.stream().map(InputFiles::searchedDir).flatMap(Optional::stream).toList();
  }

  /** The workflow's steps in pipeline order (the namespaces of their counters), for the run summary. */
  abstract List<String> steps();

  /** The checkpoint this run resumes from, if any. */
  private Optional<Checkpoints.Checkpoint> resumedFrom = Optional.empty();

  /** Pipeline options from the runner profile; set by {@link #prepare()}. */
  PipelineOptions options;

  /**
   * The continuous form of the workflow (--watch): the panes it writes. Only commands with the {@link WatchOptions}
   * mixin are asked for it.
   */
  PCollection<AssemblePanes.Pane> buildWatch(Pipeline p, WatchOptions watch) throws IOException {
    throw new UnsupportedOperationException(workflow() + " has no --watch");
  }

  /**
   * Where a watching job's batch numbers start unless given: after the highest batch already on the Hub (with
   * --repo) or in the output directory. A --resume'd job goes on with the numbering in its checkpoint.
   */
  int nextBatchOfOutput() throws IOException {
    Optional<HubOptions> hub = hubOptions();
    return hub.isPresent()
        ? HubOptions.nextBatchNumber(HubOptions.clientSettings(env).newClient(), hub.get().repoId(), hub.get().revision)
        : HubOptions.nextLocalBatchNumber(output());
  }

  /** Builds the pipeline, publishes when asked, runs it to the end with the summary and the error budget. */
  WorkflowRun.Outcome execute() throws IOException {
    double maxErrorRate = maxErrorRate();
    options.as(DatasetOptions.class).setMaxErrorRate(maxErrorRate); // the sink checks it before the files go in place
    Pipeline p = Pipeline.create(options);
    Optional<WatchOptions> watch = watchOptions();
    if (watch.isPresent()) {
      PCollection<AssemblePanes.Pane> panes = buildWatch(p, watch.get());
      hubOptions().ifPresent(h -> h.publishEach(panes
          .apply("PaneFiles", MapElements.into(new TypeDescriptor<List<WrittenFile>>() {}).via(AssemblePanes.Pane::files))
          .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class))), env, common.node(workflow(), "hub")));
      out.println("watching for new files; new batches at most every " + watch.get().commitInterval().getStandardSeconds()
          + " s. Stop with Ctrl-C" + (RunnerProfiles.isFlink(options) ? "; continue later with --resume." : "."));
    } else {
      PCollection<WrittenFile> files = build(p);
      hubOptions().ifPresent(h -> h.publish(files, env, common.node(workflow(), "hub")));
    }
    // Ctrl-C (SIGINT) or a kill (SIGTERM) both end here: say how to go on (the checkpoints stay where they are)
    Thread interrupted = new Thread(() -> err.println(Checkpoints.stateDirOf(options)
        .map(dir -> "\nstopped; checkpoints are kept in " + dir + ": run the same command with --resume to continue")
        .orElse("\nstopped; this runner keeps no checkpoints: the same command starts over"
            + " (with --runner flink-local a stopped run continues with --resume)")));
    Runtime.getRuntime().addShutdownHook(interrupted);
    Optional<EmbeddedFlink> flink = embeddedFlink.filter(f -> f.attach(options)); // the cluster, if the job takes it
    WorkflowRun.Outcome outcome;
    try {
      outcome = WorkflowRun.run(p, inputBytes(), () -> StagedDataset.rejected(output()).orElse(null), out, steps(), flink);
    } finally {
      Runtime.getRuntime().removeShutdownHook(interrupted);
    }
    resumedFrom.ifPresent(c -> out.println("(resumed from checkpoint " + c.number()
        + ": the counts above are this run's work; the rest was done before the checkpoint)"));
    // the job finished: its checkpoints and the parts it assembled from are no longer needed
    Checkpoints.clear(options);
    Directories.deleteTree(AssembleDataset.partsDir(output()));
    return outcome;
  }

  /** What the run's counts say the user should know, e.g. input columns the features dropped. */
  List<String> warnings(io.hfbeam.runner.RunSummary summary) {
    return List.of();
  }

  /** The error budget: --max-error-rate, else the YAML's max_error_rate, else none (1.0). */
  double maxErrorRate() {
    return common.number(workflow(), common.maxErrorRate, "max_error_rate", 1.0);
  }

  /** What to print after a successful run: where the dataset is, how to load it, where it was published. */
  String done() {
    return DoneMessage.of(output()) + hubOptions().map(h -> "\npublished to " + h.repoId() + "@" + h.revision).orElse("");
  }

  /** The embedded Flink cluster started ahead of the pipeline, when the runner profile uses one. */
  private Optional<EmbeddedFlink> embeddedFlink = Optional.empty();

  @Override
  public Integer call() {
    embeddedFlink = startEmbeddedFlink();
    try {
      return run();
    } finally {
      embeddedFlink.ifPresent(EmbeddedFlink::close);
    }
  }

  /**
   * Starts an embedded Flink cluster now, while the options are checked and the pipeline built, if the runner profile
   * asks for one (see {@link EmbeddedFlink}); a profile that cannot be read is reported by {@link #prepare()}.
   */
  private Optional<EmbeddedFlink> startEmbeddedFlink() {
    try {
      return EmbeddedFlink.startFor(common.runnerSettings(workflow()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private int run() {
    try {
      watchMixin().ifPresent(WatchOptions::check);
      common.checkNumbers(workflow());
      Optional<String> noCluster = RunnerProfiles.unansweredFlinkCluster(common.runnerSettings(workflow()),
          java.time.Duration.ofSeconds(3));
      if (noCluster.isPresent()) {
        err.println("error: " + noCluster.get());
        return FAILED;
      }
      prepare();
      checkOutsideInput(output(), inputDirs());
      resumedFrom = Checkpoints.configure(options, output(), common.resume, common.checkpointInterval,
          watchOptions().map(WatchOptions::commitInterval).orElse(null), out);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      return fail(USAGE, e);
    }
    Optional<HubOptions> hub = hubOptions();
    try {
      if (hub.isPresent()) hub.get().checkAndCreateRepo(env);
    } catch (IllegalArgumentException e) {
      return fail(USAGE, e);
    } catch (IOException e) {
      err.println("error: " + CliErrors.oneLine(e)); // the Hub's messages already say what to do
      return FAILED;
    }
    // files staged by an earlier failed run are not this run's; a resumed run goes on with them
    if (!common.resume) Directories.deleteTree(StagedDataset.stagingDir(output()));
    String manifestBefore = manifest();
    try {
      WorkflowRun.Outcome outcome = execute();
      List<String> warnings = warnings(outcome.summary());
      warnings.forEach(w -> err.println("warning: " + w));
      if (!outcome.ok()) {
        err.println("error: " + outcome.budgetMessage());
        err.println(kept(manifestBefore));
        return FAILED;
      }
      out.println(done());
      return OK;
    } catch (Exception e) {
      int code = fail(FAILED, e);
      err.println(kept(manifestBefore));
      return code;
    }
  }

  /** Refuses an output inside a directory the input is searched in: its files would be read back as input. */
  static void checkOutsideInput(Path output, List<Path> inputDirs) {
    Path out = real(output);
    for (Path dir : inputDirs) {
      Path in = real(dir);
      if (out.startsWith(in)) {
        throw new IllegalArgumentException("the output " + output + " is inside the input directory " + dir
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

  private String manifest() {
    try {
      Path m = output().resolve(StagedDataset.MANIFEST);
      return Files.isRegularFile(m) ? Files.readString(m) : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** After a failed run: what became of the output, where the run's work is and how to go on with it. */
  private String kept(String manifestBefore) {
    Path output = output().toAbsolutePath().normalize();
    StringBuilder sb = new StringBuilder();
    if (manifest().equals(manifestBefore)) {
      sb.append(Files.exists(output.resolve("README.md")) ? "the previous dataset in " + output + " is untouched"
          : "no dataset was written to " + output + " (a previous dataset there is untouched)");
      if (hubOptions().isPresent()) sb.append(" and nothing was published");
    } else {
      sb.append("the dataset in ").append(output).append(" was written before the failure");
    }
    Path staging = StagedDataset.stagingDir(output);
    if (Files.isDirectory(staging)) sb.append("; this run's files are in ").append(staging);
    Optional<Path> state = Checkpoints.stateDirOf(options).filter(Files::isDirectory);
    state.ifPresent(dir -> sb.append("; its checkpoints are in ").append(dir)
        .append(": run the same command with --resume to continue"));
    return sb.toString();
  }

  /** The watch options when the command has the {@link WatchOptions} mixin and --watch was given. */
  Optional<WatchOptions> watchOptions() {
    return watchMixin().filter(WatchOptions::enabled);
  }

  private Optional<WatchOptions> watchMixin() {
    return spec.mixins().values().stream().map(CommandSpec::userObject).filter(WatchOptions.class::isInstance)
        .map(WatchOptions.class::cast).findFirst();
  }

  /** The publishing options when the command has the {@link HubOptions} mixin and --repo was given. */
  Optional<HubOptions> hubOptions() {
    return spec.mixins().values().stream().map(CommandSpec::userObject).filter(HubOptions.class::isInstance)
        .map(HubOptions.class::cast).filter(HubOptions::enabled).findFirst();
  }

  int fail(int code, Throwable e) {
    CliErrors.report(new java.io.PrintWriter(err, true), e, common != null && common.verbose, code == FAILED);
    return code;
  }
}
