package io.hfbeam.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Python virtual environment under target/pyenv with datasets, pyarrow and huggingface_hub,
 * created once per build and shared by every interop test. Tests call {@link #available()} and skip
 * (loudly) only when Python or pip is missing on the machine.
 */
public final class PythonEnv {
  public static final Path DIR = Path.of("target", "pyenv").toAbsolutePath();
  // datasets pinned: DatasetsParityTest checks hf-beam against this version's behaviour; pydantic
  // pinned: KuraJsonPydanticTest checks Kura checkpoint bytes against it. pillow: datasets' Image
  // feature encodes and decodes with it. scikit-learn pinned: MtBenchPurityTest compares our
  // k-means with its KMeans.
  private static final String[] PACKAGES = {
    "datasets==5.0.1",
    "pyarrow",
    "huggingface_hub",
    "pillow",
    "openai",
    "pydantic==2.13.5",
    "scikit-learn==1.9.1"
  };
  private static Boolean ready;
  private static String reason = "";

  private PythonEnv() {}

  /** True when the venv exists with the packages; creates it on first call. */
  public static synchronized boolean available() {
    if (ready != null) return ready;
    try {
      Files.createDirectories(DIR.getParent());
      try (FileChannel ch =
              FileChannel.open(
                  Path.of("target", "pyenv.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        Path marker = DIR.resolve(".complete");
        // the marker names the packages installed: a venv made for another list is topped up
        String wanted = String.join(" ", PACKAGES);
        if (!Files.exists(marker) || !Files.readString(marker).equals(wanted)) {
          if (!Files.exists(DIR.resolve("bin"))
              && run(List.of("python3", "-m", "venv", DIR.toString()), 300).exitCode != 0) {
            return fail("python3 -m venv failed (is python3-venv installed?)");
          }
          // --retries 0: an unreachable default index fails at once and pip goes on to the
          // configured mirrors.
          List<String> pip =
              new ArrayList<>(List.of(python(), "-m", "pip", "install", "-q", "--retries", "0"));
          pip.addAll(List.of(PACKAGES));
          Result r = run(pip, 900);
          if (r.exitCode != 0) return fail("pip install failed: " + r.output);
          Files.writeString(marker, wanted);
        }
      }
      ready = true;
    } catch (IOException e) {
      return fail("python3 not usable: " + e.getMessage());
    }
    return ready;
  }

  public static String skipReason() {
    return reason;
  }

  private static boolean fail(String why) {
    reason = why;
    System.err.println("!!!!! PYTHON INTEROP TESTS SKIPPED: " + why + " !!!!!");
    ready = false;
    return false;
  }

  public static String python() {
    return DIR.resolve("bin").resolve("python").toString();
  }

  /** Runs a Python script with the venv's interpreter; returns exit code and combined output. */
  public static Result runScript(
      String script, Map<String, String> env, Path workDir, long timeoutSeconds)
      throws IOException {
    Path file = Files.createTempFile("hfbeam-test", ".py");
    Files.writeString(file, script);
    try {
      ProcessBuilder pb = new ProcessBuilder(python(), file.toString()).redirectErrorStream(true);
      if (workDir != null) pb.directory(workDir.toFile());
      pb.environment().putAll(env);
      return run(pb, timeoutSeconds);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  public static Result run(List<String> cmd, long timeoutSeconds) throws IOException {
    return run(new ProcessBuilder(cmd).redirectErrorStream(true), timeoutSeconds);
  }

  public static Result run(ProcessBuilder pb, long timeoutSeconds) throws IOException {
    Path out = Files.createTempFile("hfbeam-proc", ".log");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out after " + timeoutSeconds + "s: " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  /** Exit code and combined stdout/stderr of a finished process. */
  public record Result(int exitCode, String output) {}
}
