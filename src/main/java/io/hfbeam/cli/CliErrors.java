package io.hfbeam.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How the CLI reports what went wrong: one readable line on stderr, the stack trace only with
 * --verbose, exit 2 for usage errors and 1 for failures. Values the user typed next to an unknown
 * option are never printed: a mistyped {@code --token} would otherwise put the token on the screen
 * and in logs.
 */
final class CliErrors {
  private CliErrors() {}

  /**
   * Usage errors: one line with a suggestion when a name is close to a known one, and a pointer to
   * --help.
   */
  static CommandLine.IParameterExceptionHandler usageErrors() {
    return (ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      // a wrong choice names the choices already: no pointer to --help
      String help =
          isChoice(ex) ? "" : " (see '" + cmd.getCommandSpec().qualifiedName() + " --help')";
      cmd.getErr().println("error: " + usageMessage(ex) + help);
      return cmd.getCommandSpec().exitCodeOnInvalidInput();
    };
  }

  static String usageMessage(ParameterException ex) {
    if (isChoice(ex)) return choiceMessage((OptionSpec) ex.getArgSpec(), ex.getValue());
    if (!(ex instanceof UnmatchedArgumentException u)) return HubCommand.redact(ex.getMessage());
    CommandSpec spec = u.getCommandLine().getCommandSpec();
    List<String> options = new ArrayList<>();
    for (String arg : u.getUnmatched()) {
      // "--tokn=SECRET" names an option too; only the part before '=' is shown
      if (arg.startsWith("-"))
        options.add(
            "'" + printable(arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg) + "'");
    }
    if (!options.isEmpty()) {
      List<String> known = new ArrayList<>();
      for (OptionSpec o : spec.options()) if (!o.hidden()) known.addAll(List.of(o.names()));
      String first = options.get(0);
      String hint =
          closest(first.substring(1, first.length() - 1), known)
              .map(s -> " (did you mean " + s + "?)")
              .orElse("");
      return (options.size() == 1 ? "Unknown option: " : "Unknown options: ")
          + String.join(", ", options)
          + hint;
    }
    String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
    if (!spec.subcommands().isEmpty() && first.matches("[A-Za-z][A-Za-z0-9-]{0,40}")) {
      return "Unknown command: '"
          + first
          + "'"
          + closest(first, spec.subcommands().keySet())
              .map(s -> " (did you mean " + s + "?)")
              .orElse("");
    }
    // a stray value may be a secret (a token typed without its flag): say where, not what
    return "'"
        + spec.qualifiedName()
        + "' takes no further value here ("
        + u.getUnmatched().size()
        + " unexpected, not shown)";
  }

  private static boolean isChoice(ParameterException ex) {
    return ex.getArgSpec() instanceof OptionSpec o && o.type().isEnum() && ex.getValue() != null;
  }

  /** Options whose choices read as a list ("jsonl, parquet or both"); the others say "one of". */
  private static final java.util.Set<String> LISTED_CHOICES =
      java.util.Set.of("--format", "--input-format");

  /**
   * A value that is none of an enum option's choices (from a flag or the pipeline YAML): the
   * choices in the order of the option's label ({@code token_sequence|bitboard|planes}).
   */
  private static String choiceMessage(OptionSpec o, String value) {
    List<String> choices =
        o.paramLabel().contains("|")
            ? List.of(o.paramLabel().split("\\|"))
            : java.util.Arrays.stream(o.type().getEnumConstants())
                .map(c -> c.toString().toLowerCase(java.util.Locale.ROOT))
                .toList();
    String list =
        LISTED_CHOICES.contains(o.longestName())
            ? String.join(", ", choices.subList(0, choices.size() - 1))
                + " or "
                + choices.get(choices.size() - 1)
            : "one of " + String.join(", ", choices);
    return o.longestName()
        + " must be "
        + list
        + ", got "
        + printable(value.toLowerCase(java.util.Locale.ROOT));
  }

  /** The known name within a small edit distance of {@code typed}, if any. */
  static java.util.Optional<String> closest(String typed, Collection<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String k : known) {
      int d = distance(typed, k);
      if (d < bestDistance) {
        best = k;
        bestDistance = d;
      }
    }
    // close, but not so short that any name is close ("-x" is not a typo of "-h")
    boolean close =
        bestDistance <= Math.max(2, typed.length() / 3)
            && bestDistance < typed.replaceFirst("^-+", "").length();
    return close ? java.util.Optional.of(best) : java.util.Optional.empty();
  }

  /** Levenshtein distance, with a swap of neighbours counted as one edit (the commonest typo). */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static String printable(String s) {
    String cut = s.length() > 60 ? s.substring(0, 60) + "..." : s;
    return HubCommand.redact(cut.replaceAll("\\p{Cntrl}", "?"));
  }

  /**
   * Anything a command let escape: one line (the innermost message), the stack trace only with
   * --verbose. Commands report their own failures this way too ({@link #report}), so every failure
   * reads the same.
   */
  static CommandLine.IExecutionExceptionHandler failures() {
    return (ex, cmd, parseResult) -> {
      boolean verbose = false;
      for (CommandLine.ParseResult r = parseResult; r != null; r = r.subcommand()) {
        verbose |= r.hasMatchedOption("--verbose");
      }
      report(cmd.getErr(), ex, verbose, true);
      return 1;
    };
  }

  /**
   * Prints {@code error: <one line>}; then the stack trace with --verbose, or how to get it for
   * failures.
   */
  static void report(PrintWriter err, Throwable e, boolean verbose, boolean failure) {
    err.println("error: " + HubCommand.redact(oneLine(e)));
    if (verbose) e.printStackTrace(err);
    else if (failure) err.println("(run again with --verbose for the stack trace)");
    err.flush();
  }

  /**
   * First line of the innermost cause's message (outer ones mostly wrap it), except that a Hub
   * error's own message wins: it already says what happened and what to do.
   */
  static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null
        && root.getCause() != root
        && !(root instanceof io.hfbeam.hub.HubException)) {
      root = root.getCause();
    }
    String msg =
        root.getMessage() == null || root.getMessage().isBlank()
            ? root.getClass().getSimpleName()
            : root.getMessage();
    return msg.lines().findFirst().orElse(msg);
  }
}
