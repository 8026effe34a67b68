package io.hfbeam.cli;

import io.hfbeam.runner.WorkflowRun;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/**
 * Shape of every workflow command: prepare settings (a bad flag or a missing file is a usage error, exit 2,
 * one line), run the pipeline (a failure exits 1, one line), and end with where the dataset is.
 */
abstract class WorkflowCommand implements Callable<Integer> {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  @Mixin CommonOptions common;

  PrintStream out = System.out;
  PrintStream err = System.err;

  /** The workflow name, also the name of its pipeline YAML. */
  abstract String workflow();

  /** Reads flags and YAML and checks inputs; throws IllegalArgumentException for usage errors. */
  abstract void prepare();

  /** Builds and runs the pipeline. */
  abstract WorkflowRun.Outcome execute() throws Exception;

  /** What to print after a successful run: where the dataset is and how to load it. */
  abstract String done();

  @Override
  public Integer call() {
    try {
      prepare();
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      return fail(USAGE, e);
    }
    try {
      WorkflowRun.Outcome outcome = execute();
      if (!outcome.ok()) {
        err.println("error: " + outcome.budgetMessage());
        return FAILED;
      }
      out.println(done());
      return OK;
    } catch (Exception e) {
      return fail(FAILED, e);
    }
  }

  int fail(int code, Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    err.println("error: " + msg.lines().findFirst().orElse(msg));
    if (common != null && common.verbose) e.printStackTrace(err);
    else if (code == FAILED) err.println("(run again with --verbose for the stack trace)");
    return code;
  }
}
