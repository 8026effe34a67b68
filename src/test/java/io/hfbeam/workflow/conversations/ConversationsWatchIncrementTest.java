package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Features;
import io.hfbeam.workflow.RunSettings;
import io.hfbeam.workflow.WatchSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watching run's increments beyond the happy path: an increment of only bad records, the cards'
 * sizes after appends, and the nearest-cluster placement from the persisted cluster sums.
 */
class ConversationsWatchIncrementTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  /** Something done once, when the watch state first records {@code increments}. */
  interface Step {
    void run() throws Exception;
  }

  /**
   * Watches until the state records {@code until} increments (or {@code millis} pass), running each
   * step when its increment count is first seen; returns the increments made.
   */
  static int watch(
      AnalyzeSettings s,
      Path dir,
      ConversationsIncrementRun.Policy policy,
      Map<Integer, Step> steps,
      int until,
      long millis)
      throws Exception {
    return watch(s, dir, policy, RunSettings.defaults(), steps, until, millis);
  }

  static int watch(
      AnalyzeSettings s,
      Path dir,
      ConversationsIncrementRun.Policy policy,
      RunSettings run,
      Map<Integer, Step> steps,
      int until,
      long millis)
      throws Exception {
    Path out = Path.of(s.output());
    long deadline = System.currentTimeMillis() + millis;
    Map<Integer, Step> pending = new HashMap<>(steps);
    WatchSettings w =
        WatchSettings.of(dir.toString())
            .withPoll(Duration.millis(200))
            .withCommitInterval(Duration.millis(200));
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return ConversationsWatch.run(
        s,
        policy,
        w,
        run,
        sink,
        () -> {
          try {
            int done = WatchState.load(out).increments();
            Step step = pending.remove(done);
            if (step != null) step.run();
            return done >= until || System.currentTimeMillis() > deadline;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  static List<String> mtBench() throws Exception {
    return Files.readAllLines(Path.of(ConversationsLlmTest.MT_BENCH), StandardCharsets.UTF_8);
  }

  static List<JsonNode> errors(Path out) throws Exception {
    List<JsonNode> errors = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("conversations/_errors/errors.jsonl"))) {
      errors.add(JSON.readTree(l));
    }
    return errors;
  }

  static boolean located(List<JsonNode> errors, Path file, int line, String reason) {
    return errors.stream()
        .anyMatch(
            n ->
                n.path("source").asText().equals(file.toString())
                    && n.path("line").asInt() == line
                    && n.path("reason").asText().contains(reason));
  }

  /**
   * The stage's card says what a full count says: rows, Arrow bytes of every row (as the batch
   * run's sink counts them) and the files' bytes.
   */
  static void assertCardCountsEveryRow(Path root, String stage) throws Exception {
    List<Path> files = StageFiles.files(root, stage);
    long rows = 0;
    long arrow = 0;
    long download = 0;
    for (Path f : files) {
      download += Files.size(f);
      try (HfParquetReader r = HfParquetReader.open(f)) {
        Features features = r.features();
        while (r.hasNext()) {
          arrow += features.arrowBytes(r.next());
          rows++;
        }
      }
    }
    JsonNode info =
        DatasetCard.frontMatter(
                Files.readString(CheckpointLayout.stageDir(root, stage).resolve("README.md")))
            .path("dataset_info");
    JsonNode split = info.path("splits").path(0);
    assertEquals(rows, split.path("num_examples").asLong(), stage + " card rows");
    assertEquals(arrow, split.path("num_bytes").asLong(), stage + " card Arrow bytes");
    assertEquals(arrow, info.path("dataset_size").asLong(), stage + " card dataset_size");
    assertEquals(download, info.path("download_size").asLong(), stage + " card download_size");
    assertEquals(rows, CheckpointLayout.read(root, stage).orElseThrow().rows(), stage + " rows");
  }

  @Test
  void anIncrementOfOnlyBadRecordsIsRecordedAndTheWatchGoesOn() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines = mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 24));
    Path bad = dir.resolve("bad.jsonl");
    Path c = dir.resolve("c.jsonl");
    AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
    int made =
        watch(
            s,
            dir,
            ConversationsIncrementRun.Policy.defaults(),
            Map.of(
                1,
                () ->
                    Files.write(
                        bad,
                        List.of(
                            "{\"chat_id\": \"broken\", \"messages\": [",
                            ConversationsAnalyzeBadInputTest.conv(
                                "no-messages", "2025-06-01T09:00:00"),
                            lines.get(0))), // analysed in a.jsonl: a duplicate
                2,
                () -> Files.write(c, lines.subList(24, 48))),
            3,
            180_000);
    assertEquals(3, made, "the bad file is an increment and the good one after it another");
    WatchState state = WatchState.load(out);
    assertEquals(3, state.increments());
    assertTrue(state.ingested().containsKey(bad.toString()), state.ingested().toString());
    assertTrue(state.ingested().containsKey(c.toString()), state.ingested().toString());
    assertEquals(48, state.conversations());

    List<JsonNode> errors = errors(out);
    assertEquals(3, errors.size(), errors.toString());
    assertTrue(located(errors, bad, 1, "broken JSON"), errors.toString());
    assertTrue(located(errors, bad, 2, "no messages"), errors.toString());
    assertTrue(located(errors, bad, 3, "duplicate"), errors.toString());

    CheckpointLayout.StageInfo conv =
        CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow();
    assertEquals(48, conv.rows());
    assertEquals(3, conv.failed());
    assertEquals(
        48, CheckpointLayout.read(out, StageFeatures.EMBEDDINGS).orElseThrow().rows(), "embedded");
    assertEquals(48, ConversationsLlmTest.rows(out, StageFeatures.EMBEDDINGS).size());
    long inClusters = 0;
    for (var row : ConversationsLlmTest.rows(out, StageFeatures.CLUSTERS)) {
      inClusters += row.getInt64("count");
    }
    assertEquals(48, inClusters, "every good conversation is in a cluster");
    for (String stage : CheckpointLayout.STAGES) {
      if (!stage.equals(StageFeatures.SUMMARIES)) {
        assertTrue(CheckpointLayout.read(out, stage).isPresent(), stage);
      }
    }
    // the appended stages' cards: what a count of every row gives, though no increment recounted
    for (String stage : List.of(StageFeatures.CONVERSATIONS, StageFeatures.EMBEDDINGS)) {
      assertCardCountsEveryRow(out, stage);
    }
    // the increment's scratch set is gone, refused or not
    assertTrue(!Files.exists(ConversationsIncrementRun.scratch(out)), "scratch left behind");
  }

  /**
   * A refused increment's failures kept a second time (a stop between keeping them and saving the
   * state: the restart refuses the same file again) are kept once; others are added.
   */
  @Test
  void refusedFailuresAreKeptOnceWhenKeptAgain() throws Exception {
    Path out = Files.createDirectories(tmp.resolve("out"));
    Path errors = tmp.resolve("errors.jsonl");
    Files.write(errors, List.of("{\"line\": 2}", "{\"line\": 3}"));
    ConversationsIncrementRun.keepRefusedErrors(out, List.of(errors, tmp.resolve("absent")));
    ConversationsIncrementRun.keepRefusedErrors(out, List.of(errors));
    Files.write(errors, List.of("{\"line\": 3}", "{\"line\": 4}"));
    ConversationsIncrementRun.keepRefusedErrors(out, List.of(errors));
    assertEquals(
        List.of("{\"line\": 2}", "{\"line\": 3}", "{\"line\": 4}"),
        Files.readAllLines(ConversationsIncrementRun.refusedErrors(out)));
  }

  /**
   * The first files to land are refused (over --max-error-rate): the watch records them and goes
   * on, and the next good file makes the first batch; nothing of the refused file is in the set.
   */
  @Test
  void aRefusedFirstBatchIsRecordedAndTheNextFileMakesTheFirstBatch() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines = mtBench();
    Path mixed = dir.resolve("a-mixed.jsonl");
    Files.write(
        mixed,
        List.of(
            lines.get(0),
            "{\"chat_id\": \"broken\", \"messages\": [",
            "{\"chat_id\": \"broken-too\", \"messages\": ["));
    Path good = dir.resolve("b-good.jsonl");
    AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
    WatchSettings w =
        WatchSettings.of(dir.toString())
            .withPoll(Duration.millis(200))
            .withCommitInterval(Duration.millis(200));
    long deadline = System.currentTimeMillis() + 150_000;
    int made =
        ConversationsWatch.run(
            s,
            ConversationsIncrementRun.Policy.defaults(),
            w,
            RunSettings.defaults().withMaxErrorRate(0.05),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            () -> {
              try {
                WatchState st = WatchState.load(out);
                if (!st.refused().isEmpty() && !Files.exists(good)) {
                  Files.write(good, lines.subList(10, 30));
                }
                return st.increments() >= 1 || System.currentTimeMillis() > deadline;
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    assertEquals(2, made, "the refused first batch, then the good one");
    WatchState state = WatchState.load(out);
    assertEquals(1, state.increments());
    assertEquals(Set.of(good.toString()), state.ingested().keySet());
    WatchState.Refused refused = state.refused().get(mixed.toString());
    assertTrue(refused != null, state.refused().toString());
    assertEquals(Files.size(mixed), refused.size());
    assertTrue(refused.reason().contains("2 of 3 records failed"), refused.reason());
    assertEquals(20, state.conversations());
    assertEquals(20, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().rows());
    assertEquals(0, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().failed());
    for (String stage : AnalyzeRuns.STAGES) AnalyzeRuns.assertComplete(out, stage);
    List<JsonNode> kept = new ArrayList<>();
    for (String l : Files.readAllLines(ConversationsIncrementRun.refusedErrors(out))) {
      kept.add(JSON.readTree(l));
    }
    assertTrue(located(kept, mixed, 2, "broken JSON"), kept.toString());
    assertTrue(located(kept, mixed, 3, "broken JSON"), kept.toString());
    assertEquals(2, kept.size(), kept.toString());
  }

  @Test
  void aRefusedIncrementIsRecordedTheWatchGoesOnAndTriesTheFileAgainOnlyOnceChanged()
      throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines = mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 24));
    Path mixed = dir.resolve("mixed.jsonl");
    Path c = dir.resolve("c.jsonl");
    Path d = dir.resolve("d.jsonl");
    AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
    RunSettings strict = RunSettings.defaults().withMaxErrorRate(0.05);
    // mixed (2 of 3 records broken) and c (good) land in the same poll: together 2 of 19 fail,
    // over the budget; tried one at a time, c lands and mixed is refused. Then d lands.
    int made =
        watch(
            s,
            dir,
            ConversationsIncrementRun.Policy.defaults(),
            strict,
            Map.of(
                1,
                () -> {
                  Files.write(
                      mixed,
                      List.of(
                          lines.get(30),
                          "{\"chat_id\": \"broken\", \"messages\": [",
                          "{\"chat_id\": \"broken-too\", \"messages\": ["));
                  Files.write(c, lines.subList(40, 56));
                },
                2,
                () -> Files.write(d, lines.subList(56, 64))),
            3,
            150_000);
    assertTrue(made >= 3, "made " + made);
    WatchState state = WatchState.load(out);
    assertEquals(3, state.increments(), "c and d landed");
    assertTrue(state.ingested().containsKey(c.toString()), state.ingested().toString());
    assertTrue(state.ingested().containsKey(d.toString()), state.ingested().toString());
    assertTrue(!state.ingested().containsKey(mixed.toString()), state.ingested().toString());
    WatchState.Refused refused = state.refused().get(mixed.toString());
    assertTrue(refused != null, state.refused().toString());
    assertEquals(Files.size(mixed), refused.size());
    assertTrue(refused.reason().contains("2 of 3 records failed"), refused.reason());
    assertEquals(Set.of(mixed.toString()), state.refused().keySet(), "c is not refused");
    // nothing of the refused file in the set: no rows, no failures in the stages' _errors
    assertEquals(24 + 16 + 8, state.conversations());
    CheckpointLayout.StageInfo conv =
        CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow();
    assertEquals(48, conv.rows());
    assertEquals(0, conv.failed());
    assertEquals(48, CheckpointLayout.read(out, StageFeatures.EMBEDDINGS).orElseThrow().rows());
    assertTrue(
        !WatchState.ids(out).contains(JSON.readTree(lines.get(30)).path("chat_id").asText()));
    Path stageErrors = out.resolve("conversations/_errors/errors.jsonl");
    assertTrue(
        !Files.exists(stageErrors) || !Files.readString(stageErrors).contains("mixed.jsonl"),
        "the refused file's failures are not the set's");
    // they are kept beside the state, located
    List<JsonNode> kept = new ArrayList<>();
    for (String l : Files.readAllLines(ConversationsIncrementRun.refusedErrors(out))) {
      kept.add(JSON.readTree(l));
    }
    assertTrue(located(kept, mixed, 2, "broken JSON"), kept.toString());
    assertTrue(located(kept, mixed, 3, "broken JSON"), kept.toString());

    // restarted: the refused file, unchanged, is not tried again
    String before = Files.readString(WatchState.file(out));
    assertEquals(
        0,
        watch(s, dir, ConversationsIncrementRun.Policy.defaults(), strict, Map.of(), 4, 3_000),
        "several polls: every file looks stable");
    assertEquals(before, Files.readString(WatchState.file(out)));

    // changed (fixed), it is tried again and lands
    Files.write(mixed, List.of(lines.get(30), lines.get(31)));
    watch(s, dir, ConversationsIncrementRun.Policy.defaults(), strict, Map.of(), 4, 60_000);
    state = WatchState.load(out);
    assertEquals(4, state.increments());
    assertTrue(state.ingested().containsKey(mixed.toString()), state.ingested().toString());
    assertTrue(state.refused().isEmpty(), state.refused().toString());
    assertEquals(50, state.conversations());
    assertEquals(50, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().rows());
  }

  /** The cluster stages as an increment found them, and the ids it then took in. */
  record Before(
      List<Cluster> base,
      List<Cluster> all,
      List<ProjectedCluster> projected,
      double radius,
      List<String> newIds) {
    static Before of(Path out, List<String> newLines) throws Exception {
      List<String> ids = new ArrayList<>();
      for (String l : newLines) ids.add(JSON.readTree(l).path("chat_id").asText());
      return new Before(
          StageFiles.readAll(out, StageFeatures.CLUSTERS, StageRows::cluster),
          StageFiles.readAll(out, StageFeatures.META_CLUSTERS, StageRows::cluster),
          StageFiles.readAll(out, StageFeatures.DIMENSIONALITY, StageRows::projectedCluster),
          WatchState.load(out).radius(),
          ids);
    }

    /** The placement the full read makes: centroids from every vector of the set. */
    ClusterUpdate.Result byFullRead(Path out) throws Exception {
      return ClusterUpdate.assign(base, all, projected, StageFiles.vectors(out), newIds, radius);
    }
  }

  @Test
  void anIncrementPlacesFromTheSavedSumsWithoutReadingTheSetsEmbeddings() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines = mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 24));
    // three increments of 16: the first two from saved sums with the set's old embeddings
    // unreadable, the third without sums (the full read)
    List<List<String>> news =
        List.of(lines.subList(24, 40), lines.subList(40, 56), lines.subList(56, 72));
    AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
    Map<Path, byte[]> hidden = new HashMap<>();
    List<Before> before = new ArrayList<>();
    List<ClusterUpdate.Result> expected = new ArrayList<>();
    List<List<Cluster>> actual = new ArrayList<>();
    List<List<Cluster>> actualAll = new ArrayList<>();
    Map<Integer, Step> steps = new HashMap<>();
    for (int k = 1; k <= 4; k++) {
      int at = k;
      steps.put(
          at,
          () -> {
            for (Map.Entry<Path, byte[]> e : hidden.entrySet()) {
              Files.write(e.getKey(), e.getValue());
            }
            hidden.clear();
            if (at > 1) {
              expected.add(before.get(at - 2).byFullRead(out));
              actual.add(StageFiles.readAll(out, StageFeatures.CLUSTERS, StageRows::cluster));
              actualAll.add(
                  StageFiles.readAll(out, StageFeatures.META_CLUSTERS, StageRows::cluster));
            }
            if (at == 4) return;
            assertTrue(Files.isRegularFile(ClusterSums.file(out)), "sums saved, step " + at);
            before.add(Before.of(out, news.get(at - 1)));
            if (at < 3) {
              // the set's embeddings made unreadable: an increment that opens one fails
              for (Path f : StageFiles.files(out, StageFeatures.EMBEDDINGS)) {
                hidden.put(f, Files.readAllBytes(f));
                Files.write(f, new byte[(int) Files.size(f)]);
              }
            } else {
              Files.delete(ClusterSums.file(out));
            }
            Files.write(dir.resolve("n" + at + ".jsonl"), news.get(at - 1));
          });
    }
    // never made again: every increment places by the centroids
    int made =
        watch(s, dir, new ConversationsIncrementRun.Policy(1.0, 1_000_000), steps, 4, 240_000);
    assertEquals(4, made);
    assertEquals(72, WatchState.load(out).conversations());
    assertEquals(3, expected.size());
    for (int i = 0; i < 3; i++) {
      assertEquals(
          expected.get(i).clusters(), actual.get(i), "base clusters, increment " + (i + 2));
      assertEquals(
          expected.get(i).metaClusters(), actualAll.get(i), "all clusters, increment " + (i + 2));
      long placed = 0;
      for (List<String> ids : expected.get(i).placed().values()) placed += ids.size();
      assertEquals(16, placed, "every new conversation placed");
    }
    // the sums saved after the last increment are the full read's
    List<Cluster> base = StageFiles.readAll(out, StageFeatures.CLUSTERS, StageRows::cluster);
    String fp = CheckpointLayout.read(out, StageFeatures.CLUSTERS).orElseThrow().fingerprint();
    ClusterSums saved = ClusterSums.load(out, fp).orElseThrow();
    Map<String, float[]> full = ClusterUpdate.centroids(base, StageFiles.vectors(out));
    Map<String, float[]> fromSums = saved.centroids();
    assertEquals(full.keySet(), fromSums.keySet());
    for (String id : full.keySet()) {
      float[] x = full.get(id);
      float[] y = fromSums.get(id);
      for (int j = 0; j < x.length; j++) assertEquals(x[j], y[j], 1e-6, id + "[" + j + "]");
    }
    for (String stage : List.of(StageFeatures.CONVERSATIONS, StageFeatures.EMBEDDINGS)) {
      assertCardCountsEveryRow(out, stage);
    }
  }

  /**
   * An increment that makes the clusters again (here every one: re-cluster after 1 conversation)
   * gets what clustering the whole set in memory gets: the same members and names; the saved sums
   * and radius are those clusters'.
   */
  @Test
  void anIncrementThatMakesTheClustersAgainClustersTheWholeSet() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines = mtBench();
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 40));
    AnalyzeSettings s = ConversationsWatchTest.settings(dir, out);
    Map<Integer, Step> steps = new HashMap<>();
    steps.put(1, () -> Files.write(dir.resolve("b.jsonl"), lines.subList(40, 80)));
    int made = watch(s, dir, new ConversationsIncrementRun.Policy(1.0, 1), steps, 2, 240_000);
    assertEquals(2, made);
    CheckpointLayout.StageInfo clusters =
        CheckpointLayout.read(out, StageFeatures.CLUSTERS).orElseThrow();
    assertTrue(clusters.madeBy().contains("made again at increment 2"), clusters.madeBy());
    List<ClusterAnalysis.Point> points =
        AnalyzeRuns.memoryPoints(out, false, ConversationLayout.SAFE, s.clustering().textChars());
    assertEquals(80, points.size());
    ClusterAnalysis.Result whole =
        ClusterAnalysis.run(points, s.clustering(), new ClusterAnalysis.TfIdfNamer(), "");
    List<Cluster> base = StageFiles.readAll(out, StageFeatures.CLUSTERS, StageRows::cluster);
    List<Cluster> all = StageFiles.readAll(out, StageFeatures.META_CLUSTERS, StageRows::cluster);
    assertEquals(members(whole.clusters()), members(base));
    assertEquals(members(whole.metaClusters()), members(all));
    ClusterSums saved = ClusterSums.load(out, clusters.fingerprint()).orElseThrow();
    Map<String, float[]> vectors = StageFiles.vectors(out);
    Map<String, float[]> full = ClusterUpdate.centroids(base, vectors);
    assertEquals(full.keySet(), saved.centroids().keySet());
    for (String id : full.keySet())
      assertArrayEquals(full.get(id), saved.centroids().get(id), 1e-6f, id);
    assertEquals(ClusterUpdate.radius(base, vectors), WatchState.load(out).radius(), 1e-9);
  }

  /** Each cluster's members and name, in a stable order (ids differ with the fingerprint). */
  private static List<String> members(List<Cluster> clusters) {
    return clusters.stream()
        .map(c -> c.name() + " " + new java.util.TreeSet<>(c.chatIds()))
        .sorted()
        .toList();
  }
}
