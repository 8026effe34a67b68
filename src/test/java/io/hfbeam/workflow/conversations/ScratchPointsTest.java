package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster stage reads its points from scratch files, not the heap: the same points, texts and
 * results as the points held in memory, and no scratch left behind.
 */
class ScratchPointsTest {
  @TempDir Path dir;

  @Test
  void scratchPointsAreThePointsAndClusterTheSame() throws Exception {
    Path out = dir.resolve("set");
    AnalyzeRuns.analyzeOk(out, "--input", AnalyzeRuns.MT_BENCH.toString(), "--clusters", "8");
    ConversationLayout layout =
        AnalyzeRuns.layout(AnalyzeRuns.read(out, StageFeatures.CONVERSATIONS).features());
    List<ClusterAnalysis.Point> memory =
        new ArrayList<>(AnalyzeRuns.memoryPoints(out, false, layout, 300));
    memory.sort(Comparator.comparing(ClusterAnalysis.Point::chatId));
    ClusterAnalysis.Settings settings = new ClusterAnalysis.Settings(8, 0, 3, 10, 300);
    final ClusterAnalysis.Result fromMemory =
        ClusterAnalysis.run(memory, settings, new ClusterAnalysis.TfIdfNamer(), "fp");
    Path scratchDir;
    try (ScratchPoints scratch = ScratchPoints.of(out, false, layout, 300)) {
      assertEquals(80, scratch.chatIds().size());
      for (int i = 0; i < memory.size(); i++) {
        assertEquals(memory.get(i).chatId(), scratch.chatIds().get(i));
        assertArrayEquals(memory.get(i).vector(), scratch.vectors().row(i));
        assertEquals(memory.get(i).text(), scratch.text(i));
      }
      assertTrue(memory.stream().anyMatch(p -> p.text().length() == 300), "texts are clipped");
      try (Stream<Path> s = Files.list(out.resolve(".hfbeam"))) {
        scratchDir =
            s.filter(p -> p.getFileName().toString().startsWith("cluster-")).findFirst().get();
      }
      ClusterAnalysis.Result fromScratch =
          ClusterAnalysis.run(scratch, settings, new ClusterAnalysis.TfIdfNamer(), "fp");
      assertEquals(rows(fromMemory), rows(fromScratch));
      assertTrue(fromScratch.metaClusters().size() > fromScratch.clusters().size());
    }
    assertFalse(Files.exists(scratchDir), "scratch files removed on close");
    // two sets together (a watched set and its increment; here the same set twice: every chat id
    // twice, kept once) and the vectors by chat id
    try (ScratchPoints twice = ScratchPoints.of(List.of(out, out), false, layout, 300)) {
      assertEquals(80, twice.chatIds().size());
      java.util.Map<String, float[]> byId = twice.vectorsById();
      assertEquals(80, byId.size());
      for (ClusterAnalysis.Point p : memory) {
        assertArrayEquals(p.vector(), byId.get(p.chatId()));
        assertTrue(byId.containsKey(p.chatId()));
      }
      assertEquals(null, byId.get("no such chat"));
      assertFalse(byId.containsKey("no such chat"));
      assertEquals(
          memory.stream().map(ClusterAnalysis.Point::chatId).toList(),
          new ArrayList<>(byId.keySet()));
      assertEquals(
          rows(fromMemory),
          rows(ClusterAnalysis.run(twice, settings, new ClusterAnalysis.TfIdfNamer(), "fp")));
    }
    // the pipeline's stage is the same analysis (its settings: --clusters 8, the defaults)
    ClusterAnalysis.Result defaults =
        ClusterAnalysis.run(
            AnalyzeRuns.memoryPoints(out, false, layout, 1_000),
            new ClusterAnalysis.Settings(8, 0, 10, 10, 1_000),
            new ClusterAnalysis.TfIdfNamer(),
            "");
    List<String> names = new ArrayList<>();
    StageFiles.forEachRow(
        out, StageFeatures.CLUSTERS, row -> names.add(StageRows.cluster(row).name()));
    assertEquals(
        defaults.clusters().stream().map(c -> c.name()).sorted().toList(),
        names.stream().sorted().toList());
  }

  private static List<String> rows(ClusterAnalysis.Result r) {
    List<String> out = new ArrayList<>();
    r.clusters().forEach(c -> out.add(StageRows.row(c).toString()));
    r.metaClusters().forEach(c -> out.add(StageRows.row(c).toString()));
    r.projected().forEach(p -> out.add(StageRows.row(p).toString()));
    return out;
  }
}
