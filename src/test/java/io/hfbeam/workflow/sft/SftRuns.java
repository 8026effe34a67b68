package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What the sft-generate tests share: runs of the CLI against a scripted server, and readers. */
final class SftRuns {
  static final String MEDEC = SftGenerateTest.MEDEC;
  static final String KEY = "sk-" + "test-SECRET123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  private SftRuns() {}

  static Map<String, String> env(ScriptedOpenAiServer server) {
    return Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", KEY);
  }

  /** sft-generate on the MEDEC CSV into {@code out}, with {@code extra} flags. */
  static Cli run(ScriptedOpenAiServer server, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(List.of("sft-generate", "--input", MEDEC, "--output", out.toString()));
    args.addAll(List.of(extra));
    return Cli.runWith(env(server), args.toArray(String[]::new));
  }

  static List<JsonNode> lines(Path f) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    if (!Files.exists(f)) return out;
    for (String l : Files.readAllLines(f)) if (!l.isBlank()) out.add(JSON.readTree(l));
    return out;
  }

  static JsonNode stats(Path out) throws IOException {
    return JSON.readTree(out.resolve("generation_stats.json").toFile());
  }

  /** The rows of each JSON Lines split file. */
  static int rows(Path out, String file) throws IOException {
    return lines(out.resolve(file)).size();
  }

  /**
   * What a user must see on a failure or a warning: no stack trace, no key, every "error:" one
   * line.
   */
  static void readable(Cli c) {
    String all = c.out + "\n" + c.err;
    assertFalse(all.contains(KEY), "the key is printed:\n" + c);
    assertFalse(all.contains("SECRET123456789"), "part of the key is printed:\n" + c);
    assertFalse(all.matches("(?s).*\\n\\s+at [a-z]+\\.[\\w.$]+\\(.*"), "a stack trace:\n" + c);
    assertFalse(all.contains("Exception:"), "an exception's name:\n" + c);
  }

  /** The lines of {@code c}'s stderr that start with {@code error:}. */
  static List<String> errorLines(Cli c) {
    return c.err.lines().filter(l -> l.startsWith("error:")).toList();
  }

  /** Every regular file under {@code dir} (relative path -> bytes), except the .hfbeam folder. */
  static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) return out;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = dir.relativize(p).toString();
        if (rel.startsWith(".hfbeam")) continue;
        out.put(rel, Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void assertContains(String haystack, String needle, Object context) {
    assertTrue(haystack.contains(needle), "no '" + needle + "' in:\n" + context);
  }
}
