package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * What a newcomer sees when things go wrong: help everywhere, one readable line, suggestions, no
 * secrets.
 */
class CliErrorsTest {
  static final String SECRET = "hf_SeCrEtToKeNvalue123";

  @TempDir Path tmp;

  /** Every command path of the CLI, from the picocli tree ("hub serve" as ["hub", "serve"]). */
  private static List<List<String>> commandPaths() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(System.out, System.err), new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(CommandLine cmd, List<String> prefix, List<List<String>> paths) {
    paths.add(prefix);
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (!sub.getCommandSpec().name().equals(name)) return; // an alias
              List<String> p = new ArrayList<>(prefix);
              p.add(name);
              collect(sub, p, paths);
            });
  }

  @Test
  void everyCommandAndSubcommandPrintsItsHelpWithExitZero() {
    List<List<String>> paths = commandPaths();
    assertThat(paths.size() > 10, is(true)); // hfbeam, 3 workflows, hub and its 7 subcommands
    for (List<String> path : paths) {
      List<String> args = new ArrayList<>(path);
      args.add("--help");
      Cli r = Cli.run(args.toArray(String[]::new));
      assertThat(String.join(" ", args) + "\n" + r, r.exitCode, is(0));
      assertThat(
          String.join(" ", args) + "\n" + r,
          r.out,
          containsString(("Usage: hfbeam " + String.join(" ", path)).trim()));
      assertThat(String.join(" ", args) + "\n" + r, r.err, is(""));
    }
  }

  @Test
  void anUnknownOptionIsNamedWithASuggestionAndItsValueIsNeverEchoed() {
    for (String[] args :
        List.of(
            new String[] {"hub", "login", "--tokn", SECRET},
            new String[] {"hub", "login", "--tokn=" + SECRET},
            new String[] {"hub", "login", SECRET})) {
      Cli r = Cli.run(args);
      assertThat(r.toString(), r.exitCode, is(2));
      assertThat(r.toString(), r.err, not(containsString(SECRET)));
      assertThat(r.toString(), r.err, not(containsString("hf_")));
      assertThat(r.toString(), r.err.lines().count(), is(1L));
    }
    Cli r = Cli.run("hub", "login", "--tokn", SECRET);
    assertThat(r.err, containsString("Unknown option: '--tokn' (did you mean --token?)"));
    r = Cli.run("convert", "--outptu", "private-value");
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("Unknown option: '--outptu' (did you mean --output?)"));
    assertThat(r.err, not(containsString("private-value")));
  }

  @Test
  void aMistypedCommandGetsASuggestion() {
    Cli r = Cli.run("chess-positons");
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("did you mean chess-positions?"));
    assertThat(r.err.lines().count(), is(1L));
    r = Cli.run("hub", "downlod", "a/b");
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("did you mean download?"));
  }

  @Test
  void yamlErrorsGiveFileLineAndColumn() throws Exception {
    Path config = tmp.resolve("bad.yaml");
    Files.writeString(config, "output: out\nmax_error_rate: [0.1\nrunner: direct\n");
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"a\":1}\n");
    Cli r = Cli.run("convert", "--config", config.toString(), "--input", in.toString());
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("bad.yaml"));
    assertThat(r.err, containsString("line 3, column"));
    assertThat(r.err.lines().count(), is(1L));

    Path profile = tmp.resolve("profile.yaml");
    Files.writeString(
        profile, "runner: DirectRunner\noptions:\n  targetParallelism: 2\n bad: indent\n");
    r =
        Cli.run(
            "convert",
            "--runner",
            profile.toString(),
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("o").toString());
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("profile.yaml"));
    assertThat(r.err, containsString("line 4, column"));
    assertThat(r.err.lines().count(), is(1L));

    Path mapping = tmp.resolve("mapping.yaml");
    Files.writeString(mapping, "fields:\n  - name: a\n    from: {x\n");
    r =
        Cli.run(
            "qa-export",
            "--mapping",
            mapping.toString(),
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("q").toString());
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("mapping.yaml, line 4, column"));
    assertThat(r.err.lines().count(), is(1L));
  }

  @Test
  void aBrokenClassLabelSaysWhatIsWrong() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(yaml.readTree("label: class_label(neg pos\n")))
            .getMessage(),
        containsString("feature 'label': class_label(neg pos: missing ')'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(yaml.readTree("label: class_label neg,pos\n")))
            .getMessage(),
        containsString("missing '('"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> Features.parse(yaml.readTree("label: class_label()\n")))
            .getMessage(),
        containsString("no names"));
  }

  @Test
  void outOfRangeNumbersAreUsageErrorsBeforeAnyInputIsRead() throws Exception {
    Path missing =
        tmp.resolve("never-read.jsonl"); // the range check comes first: no "file not found"
    for (String[] bad :
        List.of(
            new String[] {"--max-error-rate", "-1"},
            new String[] {"--max-error-rate", "1.5"},
            new String[] {"--parallelism", "0"})) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "convert",
                  "--input",
                  missing.toString(),
                  "--output",
                  tmp.resolve("out").toString()));
      args.addAll(List.of(bad));
      Cli r = Cli.run(args.toArray(String[]::new));
      assertThat(r.toString(), r.exitCode, is(2));
      assertThat(r.toString(), r.err, containsString(bad[0]));
      assertThat(r.err.lines().count(), is(1L));
      assertThat(Files.exists(tmp.resolve("out")), is(false));
    }
  }

  @Test
  void anExistingRepoPointsAtTheExistOkFlag() throws Exception {
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubCommandTest.TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_HOME",
              tmp.resolve("hf").toString(),
              "HF_TOKEN",
              HubCommandTest.TOKEN);
      assertThat(Cli.runWith(env, "hub", "create", "alice/x").exitCode, is(0));
      Cli r = Cli.runWith(env, "hub", "create", "alice/x");
      assertThat(r.toString(), r.exitCode, is(1));
      assertThat(r.err, containsString("--exist-ok"));
    }
  }

  @Test
  void aFlinkClusterThatDoesNotAnswerIsReportedAtOnceWithHowToStartOne() throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path profile = tmp.resolve("cluster.yaml");
    Files.writeString(
        profile,
        "runner: FlinkRunner\noptions:\n  flinkMaster: \"localhost:"
            + port
            + "\"\n  parallelism: 1\n");
    Path in = tmp.resolve("in.jsonl");
    Files.writeString(in, "{\"a\":1}\n");
    long t0 = System.nanoTime();
    Cli r =
        Cli.run(
            "convert",
            "--runner",
            profile.toString(),
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("out").toString());
    assertThat(r.toString(), (System.nanoTime() - t0) / 1e9 < 15, is(true));
    assertThat(r.toString(), r.exitCode, is(1));
    assertThat(r.err, containsString("no Flink cluster answers at http://localhost:" + port));
    assertThat(r.err, containsString("runners/flink-cluster/start"));
    assertThat(r.err.lines().count(), is(1L));
    assertThat(r.out, not(containsString("progress")));
  }

  @picocli.CommandLine.Command(name = "boom")
  static final class Boom implements Runnable {
    @picocli.CommandLine.Option(names = "--verbose")
    boolean verbose;

    @Override
    public void run() {
      throw new IllegalStateException(
          "outer", new IllegalStateException("what went wrong\nsecond line"));
    }
  }

  @Test
  void whatACommandLetsEscapeIsOneLineAndTheStackTraceOnlyWithVerbose() {
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cl =
        new CommandLine(new Boom())
            .setExecutionExceptionHandler(CliErrors.failures())
            .setErr(new java.io.PrintWriter(err, true));
    assertThat(cl.execute(), is(1));
    assertThat(
        err.toString(),
        is("error: what went wrong\n(run again with --verbose for the stack trace)\n"));
    err.getBuffer().setLength(0);
    assertThat(cl.execute("--verbose"), is(1));
    assertThat(err.toString(), containsString("at io.hfbeam.cli.CliErrorsTest$Boom.run"));
  }

  @Test
  void aCorruptFirstFileDuringFeatureInferenceIsOneLineWithoutAStackTrace() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    Files.writeString(in.resolve("a.parquet"), "PAR1garbagegarbagePAR1");
    Cli r =
        Cli.run(
            "convert",
            "--input",
            in.resolve("a.parquet").toString(),
            "--output",
            tmp.resolve("out").toString());
    // an unreadable file is passed over by inference; with no readable file at all there is nothing
    // to infer from
    assertThat(r.toString(), r.exitCode, is(2));
    assertThat(r.err, containsString("a.parquet"));
    assertThat(r.err, containsString("error: "));
    assertThat(r.err, not(containsString("\tat ")));
    assertThat(r.err, not(containsString("Exception")));
    Cli verbose =
        Cli.run(
            "convert",
            "--input",
            in.resolve("a.parquet").toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--verbose");
    assertThat(verbose.err, containsString("\tat "));
  }
}
