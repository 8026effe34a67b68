package io.hfbeam.cli;

import io.hfbeam.runner.WorkflowRun;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.RunSettings;
import io.hfbeam.workflow.WorkflowLauncher;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Shape of every workflow command: turn the options (flag, else pipeline YAML, else default) into
 * the workflow's typed settings and hand them to {@link WorkflowLauncher}; report as a CLI does: a
 * bad flag or a missing file is a usage error (exit 2, one line), a Hub that refuses the token
 * exits 1 in seconds before any processing, a failed run exits 1 with one line and what became of
 * the output, a finished run ends with where the dataset is.
 */
abstract class WorkflowCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Mixin CommonOptions common;
  @Spec CommandSpec spec;

  PrintStream out = System.out;
  PrintStream err = System.err;

  /**
   * HF_* variables for the Hub client; null means the process environment (tests and embedding set
   * a map).
   */
  Map<String, String> env;

  /** The workflow name, also the name of its pipeline YAML. */
  abstract String workflow();

  /** The output directory the run will write (--output, else the YAML's, else the default). */
  java.nio.file.Path outputDir() {
    return common.output();
  }

  /** The workflow with its typed settings; throws IllegalArgumentException for usage errors. */
  abstract Launchable launchable();

  /**
   * Whether {@code option} was given on the command line (not taken from the YAML or a default).
   */
  final boolean given(String option) {
    return spec.commandLine().getParseResult().hasMatchedOption(option);
  }

  /** The error budget: --max-error-rate, else the YAML's max_error_rate, else none (1.0). */
  double maxErrorRate() {
    return common.maxErrorRate;
  }

  RunSettings runSettings() {
    RunSettings run = common.runSettings(workflow(), given("--max-error-rate"), maxErrorRate());
    Optional<HubOptions> hub = mixin(HubOptions.class);
    return hub.isPresent()
        ? run.withHub(hub.get().target(common.node(workflow(), "hub"), env).orElse(null))
        : run;
  }

  @Override
  public Integer call() {
    RunSettings run;
    try {
      mixin(WatchOptions.class).ifPresent(WatchOptions::check);
      run = runSettings();
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return fail(USAGE, e);
    }
    try (WorkflowLauncher launcher = new WorkflowLauncher(run, out, err)) {
      // an embedded Flink starts now, while the settings are checked and the pipeline built
      launcher.startRunner(workflow());
      return run(launcher);
    }
  }

  private int run(WorkflowLauncher launcher) {
    try {
      Optional<String> noCluster = launcher.checkRunner(workflow());
      if (noCluster.isPresent()) {
        err.println("error: " + noCluster.get());
        return FAILED;
      }
      // before the job is built: building it may write to the output (a staged Hub dataset)
      launcher.lockOutput(outputDir());
      launcher.prepare(launchable());
    } catch (IllegalStateException e) {
      err.println("error: " + e.getMessage());
      return FAILED;
    } catch (IllegalArgumentException | UncheckedIOException e) {
      return fail(USAGE, e);
    }
    try {
      launcher.checkHub();
    } catch (IllegalArgumentException e) {
      return fail(USAGE, e);
    } catch (IOException e) {
      err.println("error: " + CliErrors.oneLine(e)); // the Hub's messages already say what to do
      return FAILED;
    }
    try {
      WorkflowRun.Outcome outcome = launcher.execute();
      launcher.warnings(outcome).forEach(w -> err.println("warning: " + w));
      if (!outcome.ok()) {
        err.println("error: " + outcome.budgetMessage());
        err.println(launcher.kept());
        return FAILED;
      }
      out.println(launcher.done());
      return OK;
    } catch (Exception e) {
      int code = fail(FAILED, e);
      err.println(launcher.kept());
      return code;
    }
  }

  /** The command's mixin of this type, if it has one. */
  final <M> Optional<M> mixin(Class<M> type) {
    return spec.mixins().values().stream()
        .map(CommandSpec::userObject)
        .filter(type::isInstance)
        .map(type::cast)
        .findFirst();
  }

  int fail(int code, Throwable e) {
    CliErrors.report(
        new PrintWriter(err, true), e, common != null && common.verbose, code == FAILED);
    return code;
  }
}
