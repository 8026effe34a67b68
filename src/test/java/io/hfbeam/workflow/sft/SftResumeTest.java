package io.hfbeam.workflow.sft;

import static io.hfbeam.workflow.sft.SftRuns.stats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ResponseJournal;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Never paying twice, measured: sft-generate in a child JVM is killed with SIGKILL mid-run; the
 * same command run again sends again at most the requests that were in flight (the concurrency) and
 * makes a dataset byte-identical to an uninterrupted run's.
 */
class SftResumeTest {
  static final int PAIRS = 60;
  static final int CONCURRENCY = 4;

  @TempDir Path tmp;

  static List<String> args(Path out) {
    return List.of(
        "sft-generate",
        "--input",
        SftRuns.MEDEC,
        "--output",
        out.toString(),
        "--num-pairs",
        "" + PAIRS,
        "--concurrency",
        "" + CONCURRENCY);
  }

  static ScriptedOpenAiServer server() throws Exception {
    ScriptedOpenAiServer s = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec());
    s.latency(Duration.ofMillis(50));
    return s;
  }

  static List<String> chatBodies(ScriptedOpenAiServer s) {
    return s.requests().stream()
        .filter(r -> r.path().equals("/chat/completions"))
        .map(ScriptedOpenAiServer.Received::body)
        .toList();
  }

  /** io.hfbeam.cli.Main in a child JVM with the test classpath, talking to {@code server}. */
  static Process child(ScriptedOpenAiServer server, Path out, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
    cmd.add("io.hfbeam.cli.Main");
    cmd.addAll(args(out));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("OPENAI_"));
    pb.environment().putAll(SftRuns.env(server));
    return pb.start();
  }

  @Test
  void killMinus9ThenTheSameCommandSendsAgainOnlyWhatWasInFlight() throws Exception {
    // an uninterrupted run, for the expected dataset
    Path whole = tmp.resolve("whole");
    try (ScriptedOpenAiServer s = server()) {
      Cli c = Cli.runWith(SftRuns.env(s), args(whole).toArray(String[]::new));
      assertEquals(0, c.exitCode, c.toString());
      List<String> bodies = chatBodies(s);
      assertEquals(PAIRS, bodies.size());
      assertEquals(PAIRS, new HashSet<>(bodies).size(), "every pair's request is its own");
    }

    Path out = tmp.resolve("out");
    Path log = tmp.resolve("child.log");
    try (ScriptedOpenAiServer s = server()) {
      Process p = child(s, out, log);
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (s.chatRequests() < PAIRS / 2) {
          if (!p.isAlive()) fail("the child ended before the kill:\n" + Files.readString(log));
          if (System.nanoTime() > deadline) fail("no progress:\n" + Files.readString(log));
          Thread.sleep(2);
        }
      } finally {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no sync
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
      }
      long sentBeforeKill = s.chatRequests();
      assertTrue(sentBeforeKill < PAIRS, "killed mid-run: " + sentBeforeKill + " sent");
      assertTrue(!Files.exists(out.resolve("README.md")), "the killed run published nothing");
      long journaled;
      try (ResponseJournal j = ResponseJournal.open(SftGenerateWorkflow.journalDir(out))) {
        journaled = j.recovery().records();
      }

      Cli again = Cli.runWith(SftRuns.env(s), args(out).toArray(String[]::new));
      assertEquals(0, again.exitCode, again.toString());
      Matcher m =
          Pattern.compile("resuming: (\\d+) of " + PAIRS + " pairs already answered")
              .matcher(again.out);
      assertTrue(m.find(), again.toString());
      long resumed = Long.parseLong(m.group(1));
      assertTrue(
          resumed >= journaled && journaled > 0,
          "resuming " + resumed + " but the journal held " + journaled);

      List<String> bodies = chatBodies(s);
      long distinct = new HashSet<>(bodies).size();
      long sentAgain = bodies.size() - distinct;
      String summary =
          "sent "
              + sentBeforeKill
              + " before the kill, "
              + journaled
              + " journaled, "
              + bodies.size()
              + " in all, "
              + sentAgain
              + " sent again";
      System.out.println("kill -9 + re-run: " + summary);
      assertEquals(PAIRS, distinct, summary);
      assertTrue(sentAgain <= CONCURRENCY, summary);
    }

    // the same files, byte for byte
    Map<String, byte[]> want = SftRuns.files(whole);
    Map<String, byte[]> got = SftRuns.files(out);
    List<String> compared = new ArrayList<>();
    for (String f : want.keySet()) {
      if (f.startsWith("sft_") || f.endsWith(".parquet") || f.equals("README.md")) {
        assertTrue(got.containsKey(f), f + " missing; the re-run wrote " + got.keySet());
        assertArrayEquals(
            want.get(f), got.get(f), f + " differs:\n" + diff(want.get(f), got.get(f)));
        compared.add(f);
      }
    }
    assertTrue(
        compared.stream().filter(f -> f.endsWith(".parquet")).count() >= 3, compared.toString());
    assertTrue(compared.contains("README.md") && compared.contains("sft_combined_safe.jsonl"));
    assertEquals(want.keySet(), got.keySet());
    // the statistics differ legitimately (requests, time), not in their pair counts
    JsonNode a = stats(whole), b = stats(out);
    for (String k : List.of("pairs_done", "pairs_failed", "pairs_skipped", "pairs_remaining")) {
      assertEquals(a.path(k), b.path(k), k);
    }
    assertEquals(PAIRS, b.path("pairs_done").asLong());
  }

  @Test
  void theDatasetDoesNotDependOnConcurrencyOrAnswerOrder() throws Exception {
    // answers come back out of order: each waits a random 0-40 ms
    java.util.Random random = new java.util.Random(7);
    ScriptedOpenAiServer.Answer medec = ScriptedOpenAiServer.medec();
    Map<String, byte[]> first = null;
    for (int concurrency : new int[] {1, 8}) {
      Path out = tmp.resolve("c" + concurrency);
      try (ScriptedOpenAiServer s =
          new ScriptedOpenAiServer()
              .chatDefault(
                  (exchange, request) -> {
                    int ms;
                    synchronized (random) {
                      ms = random.nextInt(40);
                    }
                    Thread.sleep(ms);
                    medec.answer(exchange, request);
                  })) {
        List<String> args = new ArrayList<>(args(out));
        args.set(args.indexOf("--num-pairs") + 1, "30");
        args.set(args.indexOf("--concurrency") + 1, "" + concurrency);
        args.add("--add-reasoning");
        Cli c = Cli.runWith(SftRuns.env(s), args.toArray(String[]::new));
        assertEquals(0, c.exitCode, c.toString());
        if (concurrency > 1) assertTrue(s.maxInFlight() > 1, "ran " + s.maxInFlight() + " at once");
      }
      Map<String, byte[]> files = SftRuns.files(out);
      files.keySet().removeIf(f -> f.equals("generation_stats.json"));
      if (first == null) {
        first = files;
        continue;
      }
      assertEquals(first.keySet(), files.keySet());
      for (String f : first.keySet())
        assertArrayEquals(
            first.get(f), files.get(f), f + " differs:\n" + diff(first.get(f), files.get(f)));
    }
  }

  private static String diff(byte[] a, byte[] b) {
    String x = new String(a, StandardCharsets.UTF_8), y = new String(b, StandardCharsets.UTF_8);
    int i = 0;
    while (i < Math.min(x.length(), y.length()) && x.charAt(i) == y.charAt(i)) i++;
    return "at char "
        + i
        + ": expected ..."
        + x.substring(i, Math.min(x.length(), i + 120))
        + "\n got ..."
        + y.substring(i, Math.min(y.length(), i + 120));
  }
}
