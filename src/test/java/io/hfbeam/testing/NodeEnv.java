package io.hfbeam.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An npm project under target/nodeenv with the official JS clients used as independent checkers
 * (@huggingface/hub, chess.js), installed once per build. Tests skip loudly only when node/npm are
 * missing.
 */
public final class NodeEnv {
  public static final Path DIR = Path.of("target", "nodeenv").toAbsolutePath();
  private static final String[] PACKAGES = {"@huggingface/hub@2.17.5", "chess.js@1.4.0"};
  private static Boolean ready;
  private static String reason = "";

  private NodeEnv() {}

  public static synchronized boolean available() {
    if (ready != null) return ready;
    try {
      Files.createDirectories(DIR);
      try (FileChannel ch =
              FileChannel.open(
                  Path.of("target", "nodeenv.lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock lock = ch.lock()) {
        Path marker = DIR.resolve(".complete");
        if (!Files.exists(marker)) {
          Files.writeString(
              DIR.resolve("package.json"),
              "{\"name\":\"hfbeam-interop\",\"private\":true,\"type\":\"module\"}\n");
          List<String> cmd =
              new ArrayList<>(
                  List.of("npm", "install", "--no-audit", "--no-fund", "--loglevel=error"));
          cmd.addAll(List.of(PACKAGES));
          ProcessBuilder pb =
              new ProcessBuilder(cmd).redirectErrorStream(true).directory(DIR.toFile());
          PythonEnv.Result r = PythonEnv.run(pb, 600);
          if (r.exitCode() != 0) return fail("npm install failed: " + r.output());
          Files.writeString(marker, "ok");
        }
      }
      ready = true;
    } catch (IOException e) {
      return fail("node/npm not usable: " + e.getMessage());
    }
    return ready;
  }

  public static String skipReason() {
    return reason;
  }

  private static boolean fail(String why) {
    reason = why;
    System.err.println("!!!!! NODE INTEROP TESTS SKIPPED: " + why + " !!!!!");
    ready = false;
    return false;
  }

  /** Runs an ES-module script with node from inside the npm project so its packages resolve. */
  public static PythonEnv.Result runScript(
      String script, Map<String, String> env, long timeoutSeconds) throws IOException {
    Path file = Files.createTempFile(DIR, "check", ".mjs");
    Files.writeString(file, script);
    try {
      ProcessBuilder pb =
          new ProcessBuilder("node", file.toString())
              .redirectErrorStream(true)
              .directory(DIR.toFile());
      pb.environment().putAll(env);
      return PythonEnv.run(pb, timeoutSeconds);
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
