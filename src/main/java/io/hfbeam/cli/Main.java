package io.hfbeam.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The single entry point: {@code hfbeam <workflow> [flags]} and {@code hfbeam hub ...}. */
@Command(
    name = "hfbeam",
    mixinStandardHelpOptions = true,
    version = "hfbeam 0.1.0",
    description = "Build versioned Hugging Face datasets with Apache Beam pipelines.",
    subcommands = {})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (0 ok, 1 run failed, 2 usage error); tests call this. */
  public static int execute(String... args) {
    return new CommandLine(new Main()).execute(args);
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
