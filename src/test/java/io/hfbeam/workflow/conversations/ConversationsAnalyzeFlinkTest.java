package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.STAGES;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.comparable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The MT-Bench run on embedded Flink, streaming (flink-local) and batch (flink-batch), makes the
 * same checkpoints as on the DirectRunner.
 */
class ConversationsAnalyzeFlinkTest {
  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"flink-local", "flink-batch"})
  void embeddedFlinkMakesTheSameClustersAsTheDirectRunner(String runner) throws Exception {
    Path direct = tmp.resolve("direct");
    Path flink = tmp.resolve(runner);
    String in = AnalyzeRuns.MT_BENCH.toString();
    analyzeOk(direct, "--input", in, "--clusters", "8");
    analyzeOk(flink, "--input", in, "--clusters", "8", "--runner", runner);
    for (String stage : STAGES) {
      assertEquals(comparable(direct, stage), comparable(flink, stage), stage);
      assertEquals(
          CheckpointLayout.read(direct, stage).orElseThrow().fingerprint(),
          CheckpointLayout.read(flink, stage).orElseThrow().fingerprint(),
          stage);
    }
  }

  @Test
  void theBatchProfileHasNoCheckpointsToResumeFrom() {
    Cli r =
        AnalyzeRuns.analyze(
            tmp.resolve("out"),
            "--input",
            AnalyzeRuns.MT_BENCH.toString(),
            "--runner",
            "flink-batch",
            "--resume");
    assertEquals(2, r.exitCode, r.toString());
    assertTrue(r.err.contains("--resume needs checkpoints"), r.err);
    assertEquals(1, r.err.strip().lines().count(), r.err);
  }
}
