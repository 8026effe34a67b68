package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never paying twice, measured for {@code conversations analyze --llm}: the run in a child JVM is
 * killed with SIGKILL when about half of the summaries are answered; the same command run again
 * sends again at most the requests that were in flight (bounded by {@code --concurrency}), and
 * makes every stage with the rows of an uninterrupted run. No stage of the killed run looks
 * complete unless it was written whole.
 */
class ConversationsResumeTest {
  static final int CONVERSATIONS = 80; // MT-Bench
  static final int CONCURRENCY = 4;
  static final String CLUSTER_PROMPT = "These summaries belong to one group";

  @TempDir Path tmp;

  static List<String> args(Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "conversations",
                "analyze",
                "--input",
                ConversationsLlmTest.MT_BENCH,
                "--output",
                out.toString(),
                "--llm",
                "openai",
                "--clusters",
                "8",
                "--concurrency",
                "" + CONCURRENCY));
    a.addAll(List.of(extra));
    return a;
  }

  static Map<String, String> env(ScriptedOpenAiServer s) {
    return Map.of("OPENAI_BASE_URL", s.baseUrl(), "OPENAI_API_KEY", ConversationsLlmTest.KEY);
  }

  static ScriptedOpenAiServer server() throws Exception {
    return new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.conversations());
  }

  /** The bodies of the summary requests received (every attempt). */
  static List<String> summaryBodies(ScriptedOpenAiServer s) {
    return s.requests().stream()
        .filter(r -> r.path().equals("/chat/completions"))
        .map(ScriptedOpenAiServer.Received::body)
        .filter(b -> !b.contains(CLUSTER_PROMPT))
        .toList();
  }

  /** io.hfbeam.cli.Main in a child JVM with the test classpath, talking to {@code server}. */
  static Process child(ScriptedOpenAiServer server, List<String> args, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    cmd.add("io.hfbeam.cli.Main");
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OPENAI_"));
    pb.environment().putAll(env(server));
    return pb.start();
  }

  /** The stages an LLM run writes. */
  static final List<String> STAGES =
      List.of(
          StageFeatures.CONVERSATIONS,
          StageFeatures.SUMMARIES,
          StageFeatures.EMBEDDINGS,
          StageFeatures.CLUSTERS,
          StageFeatures.META_CLUSTERS,
          StageFeatures.DIMENSIONALITY);

  @Test
  void killMinus9ThenTheSameCommandPaysOnlyForWhatWasInFlight() throws Exception {
    // 80 x 150 ms / 4 = 3 s of summaries: the kill lands among them
    killAndRerun(List.of(), List.of(), Duration.ofMillis(150));
  }

  @Test
  void onEmbeddedFlinkKillMinus9ThenResume() throws Exception {
    // checkpoints every second and 80 x 800 ms / 4 = 16 s of summaries, so that a checkpoint is
    // mostly complete among them before the kill and the re-run restores it (on a busy machine a
    // checkpoint can take longer: then the re-run starts over and the journal answers)
    killAndRerun(
        List.of("--runner", "flink-local", "--checkpoint-interval", "1"),
        List.of("--resume"),
        Duration.ofMillis(800));
  }

  /** A checkpoint Flink completed (its metadata written) under the output's state folder. */
  static boolean checkpointTaken(Path out) throws Exception {
    Path dir = Path.of(out + ".checkpoints");
    if (!Files.isDirectory(dir)) return false;
    try (var files = Files.walk(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().equals("_metadata"));
    }
  }

  private void killAndRerun(List<String> runner, List<String> rerun, Duration latency)
      throws Exception {
    boolean flink = runner.contains("flink-local");
    String[] flags = runner.toArray(String[]::new);
    Path whole = tmp.resolve("whole");
    Path out = tmp.resolve("out");
    Path log = tmp.resolve("child.log");
    // one server for both runs: the fingerprints name its URL
    try (ScriptedOpenAiServer s = server()) {
      // an uninterrupted run, for the expected rows
      s.latency(Duration.ZERO);
      Cli whole1 = Cli.runWith(env(s), args(whole, flags).toArray(String[]::new));
      assertEquals(0, whole1.exitCode, whole1.toString());
      int before = summaryBodies(s).size();
      assertEquals(CONVERSATIONS, new HashSet<>(summaryBodies(s)).size());
      s.latency(latency);

      Process p = child(s, args(out, flags), log);
      int inFlightAtKill = -1;
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        // about half answered; on Flink, until a checkpoint is complete too (at most 7/8 answered)
        while (summaryBodies(s).size() - before < CONVERSATIONS / 2
            || (flink
                && !checkpointTaken(out)
                && summaryBodies(s).size() - before < CONVERSATIONS * 7 / 8)) {
          if (!p.isAlive()) fail("the child ended before the kill:\n" + Files.readString(log));
          if (System.nanoTime() > deadline) fail("no progress:\n" + Files.readString(log));
          Thread.sleep(2);
        }
      } finally {
        inFlightAtKill = s.inFlight(); // received by the server, not yet answered
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no sync
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      }
      boolean checkpointed = flink && checkpointTaken(out);
      long sentBeforeKill = summaryBodies(s).size() - before;
      assertTrue(
          sentBeforeKill < CONVERSATIONS,
          "killed mid-summaries: " + sentBeforeKill + " sent\n" + Files.readString(log));

      // (d) a stage of the killed run is complete only if it was written whole
      assertFalse(
          Files.exists(
              CheckpointLayout.stageDir(out, StageFeatures.SUMMARIES).resolve("checkpoint.json")),
          "the summaries stage was cut off by the kill yet looks complete");
      List<String> completeAfterKill = new ArrayList<>();
      for (String stage : STAGES) {
        if (CheckpointLayout.read(out, stage).isPresent()) {
          completeAfterKill.add(stage);
          assertEquals(
              rows(whole, stage), rows(out, stage), stage + " looks complete after the kill");
        }
      }
      assertFalse(Files.exists(out.resolve("README.md")) && completeAfterKill.isEmpty());

      List<String> again = new ArrayList<>(args(out, flags));
      again.addAll(rerun);
      long t0 = System.nanoTime();
      Cli c = Cli.runWith(env(s), again.toArray(String[]::new));
      double rerunSeconds = (System.nanoTime() - t0) / 1e9;
      // (a) the re-run completes
      assertEquals(0, c.exitCode, c + "\n--- killed run\n" + Files.readString(log));

      // (b) what was paid for before the kill is not paid again, but for the requests in flight
      List<String> all = summaryBodies(s);
      List<String> bodies = all.subList(before, all.size());
      long distinct = new HashSet<>(bodies).size();
      long sentAgain = bodies.size() - distinct;
      String summary =
          "summary requests: "
              + sentBeforeKill
              + " before the kill ("
              + inFlightAtKill
              + " in flight"
              + (flink ? checkpointed ? ", a checkpoint complete" : ", no checkpoint complete" : "")
              + "), "
              + bodies.size()
              + " in all, "
              + sentAgain
              + " sent again; complete after the kill: "
              + completeAfterKill
              + String.format("; re-run %.1f s", rerunSeconds)
              + c.out
                  .lines()
                  .filter(l -> l.contains("resum") || l.contains("summaries:"))
                  .map(l -> "\n  " + l.strip())
                  .reduce("", String::concat);
      System.out.println("kill -9 + re-run " + runner + rerun + ": " + summary);
      assertEquals(CONVERSATIONS, distinct, summary);
      // the finished run removed the checkpoints it went on from
      assertFalse(checkpointTaken(out), "checkpoints left after the run finished");
      assertTrue(bodies.size() <= CONVERSATIONS + CONCURRENCY, summary);
    }

    // (c) every stage: the rows of the uninterrupted run
    for (String stage : STAGES) {
      assertTrue(CheckpointLayout.read(out, stage).isPresent(), stage + " incomplete");
      assertEquals(
          CheckpointLayout.read(whole, stage).orElseThrow().fingerprint(),
          CheckpointLayout.read(out, stage).orElseThrow().fingerprint(),
          stage);
      List<Row> want = rows(whole, stage);
      assertFalse(want.isEmpty(), stage);
      assertEquals(want, rows(out, stage), stage);
    }
  }

  static List<Row> rows(Path root, String stage) throws Exception {
    return ConversationsLlmTest.rows(root, stage);
  }
}
