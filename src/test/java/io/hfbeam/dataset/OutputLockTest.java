package io.hfbeam.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cli.Cli;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run at a time writes an output. */
class OutputLockTest {
  @TempDir Path tmp;

  @Test
  void aSecondHolderIsRefusedUntilTheFirstLetsGo() throws Exception {
    Path out = tmp.resolve("out");
    try (OutputLock first = OutputLock.acquire(out)) {
      assertTrue(Files.notExists(out), "the lock is not in the output: nothing is written there");
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> OutputLock.acquire(out));
      assertTrue(
          e.getMessage().startsWith(out + " is being written by another hf-beam run (pid "),
          e.getMessage());
      assertTrue(e.getMessage().endsWith("; wait for it to end, or give another --output"));
    }
    OutputLock.acquire(out).close(); // free again
  }

  /** Another process holds it: refused with its pid; killed, the lock goes with it. */
  @Test
  void anotherProcessHoldsItUntilItDies() throws Exception {
    Path out = tmp.resolve("out");
    Process holder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Holder.class.getName(),
                out.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader r =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", r.readLine());
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> OutputLock.acquire(out));
      assertTrue(e.getMessage().contains("(pid " + holder.pid() + ", since "), e.getMessage());
      // the CLI: one line, exit 1, nothing written
      Path in = tmp.resolve("in.jsonl");
      Files.writeString(in, "{\"a\":1}\n");
      Cli c = Cli.run("convert", "--input", in.toString(), "--output", out.toString());
      assertEquals(1, c.exitCode, c.toString());
      assertEquals(1, c.err.strip().lines().count(), c.toString());
      assertTrue(c.err.startsWith("error: " + out + " is being written by another"), c.err);
      assertTrue(Files.notExists(out.resolve("README.md")));
    } finally {
      holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    OutputLock.acquire(out).close(); // a killed holder leaves no lock
  }

  /** Holds the lock of the output given until killed. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      OutputLock.acquire(Path.of(args[0]));
      System.out.println("locked");
      System.out.flush();
      Thread.sleep(600_000);
    }
  }
}
