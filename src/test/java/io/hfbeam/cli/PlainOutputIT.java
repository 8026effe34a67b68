package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code java -jar target/hfbeam.jar} prints into a pipe: no escape codes, no Beam advice
 * about cloud storage, a line per watched pane, and the same stopped message for SIGTERM as for
 * Ctrl-C (SIGINT).
 */
class PlainOutputIT {
  @TempDir Path tmp;

  private static ProcessBuilder jar(String... args) {
    List<String> cmd =
        new ArrayList<>(
            List.of("java", "-jar", Path.of("target/hfbeam.jar").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // what makes picocli colour a pipe unless told otherwise
    pb.environment().put("CLICOLOR_FORCE", "1");
    pb.environment().put("TERM", "xterm-256color");
    return pb;
  }

  @Test
  void helpInAPipeHasNoEscapeCodes() throws Exception {
    for (String[] args :
        List.of(
            new String[] {"--help"},
            new String[] {"convert", "--help"},
            new String[] {"chess-positions", "--help"},
            new String[] {"convert", "--no-such-flag"})) {
      PythonEnv.Result r = PythonEnv.run(jar(args), 120);
      assertThat(r.output(), containsString("--"));
      assertThat(
          String.join(" ", args) + ":\n" + r.output(),
          r.output().contains("\u001b"),
          equalTo(false));
    }
  }

  @Test
  void sigtermOnWatchSaysStoppedLikeCtrlC() throws Exception {
    String term = watchAndStop(false);
    String interrupt = watchAndStop(true);
    assertThat(term, containsString("stopped;"));
    assertThat(term, containsString("pane 1 written: 3 rows"));
    assertThat("no advice for Google Cloud Storage", term, not(containsString("Pub/Sub")));
    assertThat(term, not(containsString("WARN")));
    assertThat(term.contains("\u001b"), equalTo(false));
    assertThat(stoppedLine(term), equalTo(stoppedLine(interrupt)));
  }

  private static String stoppedLine(String output) {
    return output.lines().filter(l -> l.startsWith("stopped;")).findFirst().orElse("(none)");
  }

  private String watchAndStop(boolean sigint) throws Exception {
    Path in = Files.createDirectories(tmp.resolve("in-" + sigint));
    Files.writeString(in.resolve("a.jsonl"), "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
    Path log = tmp.resolve("log-" + sigint);
    ProcessBuilder pb =
        jar(
                "convert",
                "--watch",
                "--input",
                in.toString(),
                "--output",
                tmp.resolve("out-" + sigint).toString(),
                "--poll-interval",
                "1",
                "--commit-interval",
                "1")
            .redirectOutput(log.toFile());
    if (sigint) {
      // a JVM started with SIGINT ignored (as a background job of a script is) never sees Ctrl-C:
      // restore it
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "python3",
                  "-c",
                  "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])"));
      cmd.addAll(pb.command());
      pb.command(cmd);
    }
    Process p = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.readString(log, StandardCharsets.UTF_8).contains("pane 1 written")
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      if (sigint) {
        new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
      } else {
        p.destroy(); // SIGTERM on Linux
      }
      if (!p.waitFor(60, TimeUnit.SECONDS))
        throw new AssertionError("still running after the signal");
    } finally {
      p.destroyForcibly();
    }
    return Files.readString(log, StandardCharsets.UTF_8);
  }
}
