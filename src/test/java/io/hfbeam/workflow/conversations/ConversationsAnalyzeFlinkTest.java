package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.STAGES;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.comparable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hfbeam.conversations.CheckpointLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MT-Bench run on embedded Flink makes the same checkpoints as on the DirectRunner. */
class ConversationsAnalyzeFlinkTest {
  @TempDir Path tmp;

  @Test
  void embeddedFlinkMakesTheSameClustersAsTheDirectRunner() throws Exception {
    Path direct = tmp.resolve("direct");
    Path flink = tmp.resolve("flink");
    String in = AnalyzeRuns.MT_BENCH.toString();
    analyzeOk(direct, "--input", in, "--clusters", "8");
    analyzeOk(flink, "--input", in, "--clusters", "8", "--runner", "flink-local");
    for (String stage : STAGES) {
      assertEquals(comparable(direct, stage), comparable(flink, stage), stage);
      assertEquals(
          CheckpointLayout.read(direct, stage).orElseThrow().fingerprint(),
          CheckpointLayout.read(flink, stage).orElseThrow().fingerprint(),
          stage);
    }
  }
}
