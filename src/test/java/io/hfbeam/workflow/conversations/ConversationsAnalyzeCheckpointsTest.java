package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.STAGES;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.assertComplete;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.parquetHashes;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.snapshot;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.stageLines;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Skips and staleness of {@code conversations analyze}: an identical re-run rewrites nothing, a
 * changed setting rebuilds only the stages it feeds, a changed input rebuilds everything, a stage
 * without checkpoint.json (failed half way) is rebuilt, and fresh runs are byte-identical.
 */
class ConversationsAnalyzeCheckpointsTest {
  static final String SKIPPED = "up to date, skipped";
  static final String STALE = "stale (made from other inputs or settings), rebuilding";
  static final String BUILDING = "building";
  @TempDir Path tmp;

  static Map<String, String> expect(String... states) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < STAGES.size(); i++) m.put(STAGES.get(i), states[i]);
    return m;
  }

  /** The snapshot's entries under one stage's folder. */
  static Map<String, String> under(Map<String, String> snap, String stage) {
    Map<String, String> out = new TreeMap<>();
    snap.forEach(
        (k, v) -> {
          if (k.startsWith(stage + "/")) out.put(k, v);
        });
    return out;
  }

  @Test
  void skipsRebuildsAndDeterminism() throws Exception {
    Path input = tmp.resolve("in/conversations.jsonl");
    Files.createDirectories(input.getParent());
    Files.copy(AnalyzeRuns.MT_BENCH, input);
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    String in = input.toString();

    Cli first = analyzeOk(a, "--input", in, "--clusters", "8");
    assertEquals(expect(BUILDING, BUILDING, BUILDING, BUILDING, BUILDING), stageLines(first));
    Map<String, String> made = snapshot(a);
    Thread.sleep(1100); // a rewrite would show in the mtimes even on a coarse clock

    // an identical re-run: every stage skipped, no file touched
    Cli again = analyzeOk(a, "--input", in, "--clusters", "8");
    assertEquals(expect(SKIPPED, SKIPPED, SKIPPED, SKIPPED, SKIPPED), stageLines(again));
    assertEquals(made, snapshot(a), "an up-to-date run rewrites nothing");

    // determinism: a second fresh run into another folder gives the same Parquet bytes
    analyzeOk(b, "--input", in, "--clusters", "8");
    assertEquals(parquetHashes(a), parquetHashes(b));
    for (String stage : STAGES) {
      assertEquals(
          CheckpointLayout.read(a, stage).orElseThrow().fingerprint(),
          CheckpointLayout.read(b, stage).orElseThrow().fingerprint(),
          stage);
    }

    // another k: only the stages made from the clustering are rebuilt
    Cli nine = analyzeOk(a, "--input", in, "--clusters", "9");
    assertEquals(expect(SKIPPED, SKIPPED, STALE, STALE, STALE), stageLines(nine));
    Map<String, String> afterNine = snapshot(a);
    for (String stage : List.of(StageFeatures.CONVERSATIONS, StageFeatures.EMBEDDINGS)) {
      assertEquals(under(made, stage), under(afterNine, stage), stage + " untouched");
    }
    for (String stage :
        List.of(
            StageFeatures.CLUSTERS, StageFeatures.META_CLUSTERS, StageFeatures.DIMENSIONALITY)) {
      assertNotEquals(
          under(made, stage).get(stage + "/data/train-00000-of-00001.parquet"),
          under(afterNine, stage).get(stage + "/data/train-00000-of-00001.parquet"),
          stage + " rebuilt");
      assertComplete(a, stage);
    }
    assertEquals(9, CheckpointLayout.read(a, StageFeatures.CLUSTERS).orElseThrow().rows());

    // a stage that failed half way: no checkpoint.json, a broken data file; it alone is rebuilt
    Path embData = a.resolve("embeddings/data/train-00000-of-00001.parquet");
    byte[] embBytes = Files.readAllBytes(embData);
    Files.delete(a.resolve("embeddings/checkpoint.json"));
    Files.write(
        embData, new byte[] {'P', 'A', 'R', '1', 0, 0}, StandardOpenOption.TRUNCATE_EXISTING);
    Cli redo = analyzeOk(a, "--input", in, "--clusters", "9");
    assertEquals(expect(SKIPPED, BUILDING, SKIPPED, SKIPPED, SKIPPED), stageLines(redo));
    assertComplete(a, StageFeatures.EMBEDDINGS);
    org.junit.jupiter.api.Assertions.assertArrayEquals(embBytes, Files.readAllBytes(embData));
    Map<String, String> afterRedo = snapshot(a);
    for (String stage :
        List.of(
            StageFeatures.CONVERSATIONS,
            StageFeatures.CLUSTERS,
            StageFeatures.META_CLUSTERS,
            StageFeatures.DIMENSIONALITY)) {
      assertEquals(under(afterNine, stage), under(afterRedo, stage), stage + " untouched");
    }

    // a changed input file: everything is stale
    String extra =
        Files.readAllLines(AnalyzeRuns.MT_BENCH, StandardCharsets.UTF_8)
            .get(0)
            .replace("\"mt-bench-81\"", "\"mt-bench-81-again\"");
    Files.writeString(input, extra + "\n", StandardOpenOption.APPEND);
    Cli changed = analyzeOk(a, "--input", in, "--clusters", "9");
    assertEquals(expect(STALE, STALE, STALE, STALE, STALE), stageLines(changed));
    assertEquals(81, CheckpointLayout.read(a, StageFeatures.CONVERSATIONS).orElseThrow().rows());
    assertEquals(81, CheckpointLayout.read(a, StageFeatures.EMBEDDINGS).orElseThrow().rows());
    for (String stage : STAGES) assertComplete(a, stage);
  }
}
