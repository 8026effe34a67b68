package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watching run stopped at any step of an increment (a failure injected there stands for kill -9:
 * nothing runs after it) and started again ends with the set a run never stopped makes.
 */
class ConversationsWatchStopTest {
  @TempDir Path tmp;

  @AfterEach
  void noMoreStops() {
    PendingIncrement.steps = step -> {};
  }

  /** What a set holds: every stage's rows and record, its errors, its ids and watch state. */
  static Map<String, Object> contents(Path root) throws Exception {
    Map<String, Object> out = new TreeMap<>();
    for (String stage : CheckpointLayout.STAGES) {
      if (stage.equals(StageFeatures.SUMMARIES)) continue; // offline: no LLM
      CheckpointLayout.StageInfo info = CheckpointLayout.read(root, stage).orElse(null);
      out.put(stage + " record", info == null ? "absent" : info.rows() + " rows, " + info.failed());
      List<String> rows = new ArrayList<>();
      StageFiles.forEachRow(root, stage, row -> rows.add(row.toString()));
      rows.sort(null);
      out.put(stage + " rows", rows);
      List<String> errors =
          new ArrayList<>(
              StageFiles.lines(
                  CheckpointLayout.stageDir(root, stage).resolve("_errors/errors.jsonl")));
      errors.sort(null);
      out.put(stage + " errors", errors);
    }
    List<String> ids = new ArrayList<>(StageFiles.lines(WatchState.idsFile(root)));
    ids.sort(null);
    out.put("ids", ids);
    WatchState state = WatchState.load(root);
    out.put(
        "state",
        List.of(
            state.ingested(),
            state.increments(),
            state.conversations(),
            state.sinceRebuild(),
            state.driftedSinceRebuild(),
            state.refused()));
    return out;
  }

  /** Each part of the two sets equal; a difference named by its part, not printed whole. */
  static void assertSameSet(Map<String, Object> expected, Map<String, Object> actual, String when) {
    assertEquals(expected.keySet(), actual.keySet(), when);
    for (String k : expected.keySet()) {
      Object e = expected.get(k);
      Object a = actual.get(k);
      if (e.equals(a)) continue;
      if (e instanceof List<?> el && a instanceof List<?> al) {
        List<Object> missing = new ArrayList<>(el);
        missing.removeAll(al);
        List<Object> extra = new ArrayList<>(al);
        extra.removeAll(el);
        fail(
            when
                + ": "
                + k
                + " differ: "
                + al.size()
                + " instead of "
                + el.size()
                + (missing.isEmpty() ? "" : "; missing " + clip(missing))
                + (extra.isEmpty() ? "" : "; extra " + clip(extra)));
      }
      assertEquals(e, a, when + ": " + k);
    }
  }

  private static String clip(Object o) {
    String s = o.toString();
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : s.toList()) {
        Path t = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(t);
        else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /**
   * With --repo: an increment stopped after its commit point is finished when the watch starts
   * again and published then, before any new file lands (not with the next increment).
   */
  @Test
  void anIncrementFinishedAtStartIsPublishedThen() throws Exception {
    String token = "hf_" + "watchstoptoken0123456789abcd";
    try (io.hfbeam.hub.server.LocalHubServer hub =
        io.hfbeam.hub.server.LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            io.hfbeam.hub.server.LocalHubServer.Options.defaults().withToken(token, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT", hub.url(), "HF_TOKEN", token, "HF_HOME", tmp.resolve("hf").toString());
      io.hfbeam.workflow.RunSettings run =
          io.hfbeam.workflow.RunSettings.defaults()
              .withHub(io.hfbeam.workflow.HubTarget.to("alice/conv").withEnvironment(env));
      io.hfbeam.hub.HubClient client =
          io.hfbeam.hub.HubClient.Settings.builder().environment(env).build().newClient();
      Path dir = tmp.resolve("in");
      Path out = tmp.resolve("out");
      AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
      ConversationsIncrementRun.Policy policy = ConversationsIncrementRun.Policy.defaults();
      stopAfterCommitPoint(s, dir, policy, run);
      assertEquals(24, publishedRows(client), "the first batch was published");
      assertTrue(Files.exists(PendingIncrement.file(out)), "stopped after the commit point");
      // started again, nothing new lands: the increment is finished and published
      ConversationsWatchIncrementTest.watch(s, dir, policy, run, Map.of(), 2, 120_000);
      assertFalse(Files.exists(PendingIncrement.file(out)));
      assertEquals(40, publishedRows(client), "the finished increment was published");
    }
  }

  /**
   * A pending record whose shard names were changed to paths is refused whole before anything
   * moves: the set and the file the path names are as they were.
   */
  @Test
  void aPendingRecordNamingAPathIsRefusedBeforeAnythingMoves() throws Exception {
    Path dir = tmp.resolve("in");
    Path out = tmp.resolve("out");
    stopAfterCommitPoint(
        ConversationsWatchTest.settings(dir, out),
        dir,
        ConversationsIncrementRun.Policy.defaults(),
        io.hfbeam.workflow.RunSettings.defaults());
    Path victim = Files.writeString(tmp.resolve("victim.parquet"), "keep me");
    Path record = PendingIncrement.file(out);
    String original = Files.readString(record);
    String tampered =
        original.replaceAll("\"train-[0-9]+-of-[0-9]+\\.parquet\"", "\"../../../victim.parquet\"");
    assertTrue(!tampered.equals(original), original);
    Files.writeString(record, tampered);
    Map<String, Object> before = contents(out);
    java.io.IOException e =
        assertThrows(java.io.IOException.class, () -> PendingIncrement.finish(out));
    assertTrue(e.getMessage().contains("not a shard name"), e.getMessage());
    assertEquals("keep me", Files.readString(victim));
    assertSameSet(before, contents(out), "nothing moved");
  }

  /**
   * A watch of {@code dir}: a first batch of 24 MT-Bench conversations, then an increment of 16
   * stopped right after its commit point (its pending record written).
   */
  private static void stopAfterCommitPoint(
      AnalyzeSettings s,
      Path dir,
      ConversationsIncrementRun.Policy policy,
      io.hfbeam.workflow.RunSettings run)
      throws Exception {
    Files.createDirectories(dir);
    List<String> lines = ConversationsWatchIncrementTest.mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 24));
    PendingIncrement.steps =
        at -> {
          if (at.equals("recorded")) throw new IllegalStateException("stopped after " + at);
        };
    assertThrows(
        Exception.class,
        () ->
            ConversationsWatchIncrementTest.watch(
                s,
                dir,
                policy,
                run,
                Map.of(1, () -> Files.write(dir.resolve("b.jsonl"), lines.subList(24, 40))),
                2,
                300_000));
    PendingIncrement.steps = at -> {};
    assertTrue(Files.exists(PendingIncrement.file(Path.of(s.output()))), "stopped after it");
  }

  private static long publishedRows(io.hfbeam.hub.HubClient client) throws Exception {
    Path f =
        client.download(
            io.hfbeam.hub.RepoId.dataset("alice/conv"), "main", "conversations/checkpoint.json");
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(f.toFile())
        .path("rows")
        .asLong();
  }

  @Test
  void aStopAtAnyStepOfAnIncrementEndsAsARunNeverStopped() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    List<String> lines = ConversationsWatchIncrementTest.mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 24));
    Path base = tmp.resolve("base");
    long t0 = System.nanoTime();
    // placement only: the nearest cluster does not depend on the order the rows come in
    ConversationsIncrementRun.Policy policy = new ConversationsIncrementRun.Policy(1.0, 1_000_000);
    assertEquals(
        1,
        ConversationsWatchIncrementTest.watch(
            ConversationsWatchTest.settings(dir, base), dir, policy, Map.of(), 1, 300_000));
    System.err.printf("first batch: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    // the increment: new conversations, one seen before (a duplicate) and a broken line
    List<String> b = new ArrayList<>(lines.subList(24, 40));
    b.add(lines.get(0));
    b.add("{\"chat_id\": \"broken\", \"messages\": [");
    Files.write(dir.resolve("b.jsonl"), b);

    Path ref = tmp.resolve("ref");
    copyTree(base, ref);
    ConversationsWatchIncrementTest.watch(
        ConversationsWatchTest.settings(dir, ref), dir, policy, Map.of(), 2, 120_000);
    Map<String, Object> expected = contents(ref);
    assertEquals("40 rows, 2", expected.get("conversations record"), expected.toString());
    assertEquals(2, ((List<?>) expected.get("conversations errors")).size());

    List<String> steps =
        PendingIncrement.stepNames(List.of(StageFeatures.CONVERSATIONS, StageFeatures.EMBEDDINGS));
    int i = 0;
    for (String step : steps) {
      long t1 = System.nanoTime();
      Path out = tmp.resolve("stop-" + i++);
      copyTree(base, out);
      AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
      // stopped at the step, and once more at the same step of the restart's own finishing
      // (before the record there is none: the restart runs the increment again)
      int stops = step.equals("prepared") ? 1 : 2;
      Map<String, Integer> seen = new HashMap<>();
      PendingIncrement.steps =
          at -> {
            if (at.equals(step) && seen.merge(at, 1, Integer::sum) <= stops) {
              throw new IllegalStateException("stopped after " + at);
            }
          };
      assertThrows(
          Exception.class,
          () -> ConversationsWatchIncrementTest.watch(s, dir, policy, Map.of(), 2, 120_000),
          step);
      try {
        ConversationsWatchIncrementTest.watch(s, dir, policy, Map.of(), 2, 120_000);
      } catch (Exception e) {
        // the second stop (at a step the restart runs again)
      }
      PendingIncrement.steps = at -> {};
      ConversationsWatchIncrementTest.watch(s, dir, policy, Map.of(), 2, 120_000);
      assertSameSet(expected, contents(out), "stopped after " + step);
      assertFalse(Files.exists(PendingIncrement.file(out)), step);
      for (String stage : CheckpointLayout.STAGES) {
        if (stage.equals(StageFeatures.SUMMARIES)) continue;
        assertTrue(
            Files.isRegularFile(
                CheckpointLayout.stageDir(out, stage).resolve(CheckpointLayout.STAGE_FILE)),
            stage + " complete, stopped after " + step);
      }
      for (String stage : List.of(StageFeatures.CONVERSATIONS, StageFeatures.EMBEDDINGS)) {
        ConversationsWatchIncrementTest.assertCardCountsEveryRow(out, stage);
      }
      System.err.printf("stopped after %s: %.1f s%n", step, (System.nanoTime() - t1) / 1e9);
    }
    assertEquals(steps.size(), i);
  }
}
