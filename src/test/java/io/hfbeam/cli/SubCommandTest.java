package io.hfbeam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one base of the {@code hub}, {@code hub cache}, {@code datasets} and {@code checkpoints}
 * subcommands: a usage error is one line pointing at the subcommand's help and exit 2, a failure
 * one line and exit 1, the stack trace only with {@code --verbose}.
 */
class SubCommandTest {
  @TempDir Path tmp;

  record Case(List<String> args, String line, int exit) {}

  @Test
  void everyGroupReportsTheSameWay() {
    String cache = tmp.toString();
    String missing = tmp.resolve("missing").toString();
    List<Case> cases =
        List.of(
            new Case(
                List.of("hub", "ls", "a/b/c"),
                "error: repo id must look like owner/name, got 'a/b/c' (see 'hub ls --help')",
                2),
            new Case(
                List.of("hub", "cache", "prune", "--cache-dir", cache, "--max-size", "lots"),
                "error: size 'lots' is not a size; write it like 500MB, 10GB, 2GiB or a number of"
                    + " bytes (see 'hub cache prune --help')",
                2),
            new Case(
                List.of("hub", "cache", "scan", "--cache-dir", missing),
                "error: no Hugging Face cache at "
                    + missing
                    + " (it is HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)",
                1),
            new Case(
                List.of("datasets", "info", ""),
                "error: no dataset given (see 'datasets info --help')",
                2),
            new Case(
                List.of("checkpoints", "export", missing, tmp.resolve("kura").toString()),
                "error: "
                    + missing
                    + " is not a directory (a checkpoint set) (see 'checkpoints export --help')",
                2));
    for (Case c : cases) {
      Cli r = Cli.run(c.args().toArray(String[]::new));
      assertEquals(c.exit(), r.exitCode, c.args() + ": " + r);
      assertEquals(c.line(), r.err.strip(), c.args() + ": " + r);
      assertEquals("", r.out, c.args() + ": " + r);

      // --verbose: the same line, then the stack trace
      List<String> verbose = new java.util.ArrayList<>(c.args());
      verbose.add("--verbose");
      Cli v = Cli.run(verbose.toArray(String[]::new));
      assertEquals(c.exit(), v.exitCode, verbose + ": " + v);
      List<String> lines = v.err.lines().toList();
      assertEquals(c.line(), lines.get(0), verbose + ": " + v);
      assertTrue(lines.size() > 2 && lines.get(2).strip().startsWith("at "), v.toString());
    }
  }

  @Test
  void aTokenInAMessageIsRedacted() {
    Cli r = Cli.run("hub", "ls", "hf_SECRETTOKEN123/x/y");
    assertEquals(2, r.exitCode, r.toString());
    assertFalse(r.err.contains("SECRETTOKEN123"), r.toString());
    assertTrue(r.err.contains("hf_***"), r.toString());
  }
}
