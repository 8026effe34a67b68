package io.hfbeam.cli;

import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point: {@code hfbeam <workflow> [flags]}, {@code hfbeam hub ...} and {@code
 * hfbeam llm ...}.
 */
@Command(
    name = "hfbeam",
    mixinStandardHelpOptions = true,
    version = "hfbeam 0.1.0",
    description = "Build versioned Hugging Face datasets with Apache Beam pipelines.",
    subcommands = {
      ChessPositionsCommand.class,
      QaExportCommand.class,
      ConvertCommand.class,
      DatasetsCommand.class,
      CheckpointsCommand.class,
      HubCommand.class,
      LlmCommand.class,
      SftGenerateCommand.class,
      ConversationsCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /** Runs the CLI and returns the exit code (0 ok, 1 run failed, 2 usage error). */
  public static int execute(String... args) {
    return commandLine(System.out, System.err).execute(args);
  }

  static CommandLine commandLine(PrintStream out, PrintStream err) {
    return commandLine(out, err, null);
  }

  /**
   * With {@code env} (HF_ENDPOINT, HF_TOKEN, HF_HOME, ...) instead of the process environment, when
   * not null.
   */
  static CommandLine commandLine(PrintStream out, PrintStream err, Map<String, String> env) {
    CommandLine cl = new CommandLine(new Main(), new StreamsFactory(out, err, env));
    // The one place errors are printed: one readable line, exit 2 for usage and 1 for failures,
    // never a value typed after an unknown option; stack traces only with --verbose.
    cl.setParameterExceptionHandler(CliErrors.usageErrors());
    cl.setCaseInsensitiveEnumValuesAllowed(
        true); // --encoding BITBOARD, bitboard and the YAML's "bitboard" alike
    cl.setExecutionExceptionHandler(CliErrors.failures());
    cl.setColorScheme(
        CommandLine.Help.defaultColorScheme(ansi(System.console() != null, System.getenv())));
    return cl;
  }

  /**
   * Colours and bold in help text only on a terminal that shows them: a console, TERM not dumb,
   * NO_COLOR unset. picocli's own choice also colours a pipe when CLICOLOR_FORCE is set, which
   * leaves escape codes in logs.
   */
  static CommandLine.Help.Ansi ansi(boolean console, Map<String, String> env) {
    String term = env.get("TERM");
    boolean on =
        console
            && term != null
            && !term.isBlank()
            && !term.equals("dumb")
            && env.get("NO_COLOR") == null;
    return on ? CommandLine.Help.Ansi.ON : CommandLine.Help.Ansi.OFF;
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out, ansi(System.console() != null, System.getenv()));
  }

  /**
   * Gives commands the streams to print to and the environment to read, so tests can set and read
   * them.
   */
  private record StreamsFactory(PrintStream out, PrintStream err, Map<String, String> env)
      implements CommandLine.IFactory {
    @Override
    public <K> K create(Class<K> cls) throws Exception {
      if (cls == HubCommand.class && env != null) return cls.cast(new HubCommand(env));
      if (cls == DatasetsCommand.class && env != null) return cls.cast(new DatasetsCommand(env));
      if (cls == CheckpointsCommand.class && env != null) {
        return cls.cast(new CheckpointsCommand(env));
      }
      K k = CommandLine.defaultFactory().create(cls);
      if (k instanceof WorkflowCommand w) {
        w.out = out;
        w.err = err;
        w.env = env;
      }
      return k;
    }
  }
}
