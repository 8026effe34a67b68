package io.hfbeam.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The base of a command group's subcommands ({@code hub X}, {@code hub cache X}, {@code datasets
 * X}, {@code checkpoints X}): {@code --verbose} and {@code --help}, and one way to report what went
 * wrong: one line on stderr, tokens redacted, the stack trace only with {@code --verbose}; exit 2
 * for a usage error (an {@link IllegalArgumentException}, with a pointer to the subcommand's help),
 * 1 for a failure, else the subcommand's own code.
 */
abstract class SubCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  // help on every subcommand, even those with required options (picocli skips those checks for
  // help)
  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  /** Does the work; the exit code. */
  abstract int run() throws Exception;

  /** The group as the user types it, e.g. {@code hub cache}: the help pointer names it. */
  abstract String group();

  /** The one line a failure is reported by (before redaction). */
  String failureMessage(Exception e) {
    return CliErrors.oneLine(e);
  }

  @Override
  public Integer call() {
    try {
      return run();
    } catch (IllegalArgumentException e) {
      err()
          .println(
              "error: "
                  + HubCommand.redact(e.getMessage())
                  + " (see '"
                  + group()
                  + " "
                  + spec.name()
                  + " --help')");
      if (verbose) e.printStackTrace(err());
      return 2;
    } catch (Exception e) {
      err().println("error: " + HubCommand.redact(failureMessage(e)));
      if (verbose) e.printStackTrace(err());
      return 1;
    } finally {
      out().flush();
      err().flush();
    }
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
