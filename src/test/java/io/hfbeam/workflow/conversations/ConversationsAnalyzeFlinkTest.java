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
    Cli r = analyzeOk(flink, "--input", in, "--clusters", "8", "--runner", runner);
    // each stage in place is a line of the run's output (flink-batch shows no counts while running)
    for (String line :
        new String[] {
          "clustering 80 conversations (8 clusters)",
          "stage conversations in place: 80 rows",
          "stage embeddings in place: 80 rows",
          "stage clusters in place: 8 rows",
          "stage dimensionality in place: "
        }) {
      assertTrue(r.out.contains(line), line + " in\n" + r.out);
    }
    for (String stage : STAGES) {
      assertEquals(comparable(direct, stage), comparable(flink, stage), stage);
      assertEquals(
          CheckpointLayout.read(direct, stage).orElseThrow().fingerprint(),
          CheckpointLayout.read(flink, stage).orElseThrow().fingerprint(),
          stage);
    }
  }

  /**
   * A cluster's row lists every chat id under it (Kura's format): with 50,000-character ids the
   * largest of 8 clusters' rows is about 1 MB, more than one record of a Flink batch sort holds at
   * 64 MiB of managed memory (720,896 bytes). The cluster stages never pass through a sort: the run
   * ends with every id in place.
   */
  @Test
  void aMetaClusterRowLargerThanFlinksSortBufferIsWritten() throws Exception {
    String pad = "x".repeat(50_000);
    Path in = tmp.resolve("long-ids.jsonl");
    StringBuilder lines = new StringBuilder();
    for (String line : java.nio.file.Files.readAllLines(AnalyzeRuns.MT_BENCH)) {
      lines.append(line.replace("\"chat_id\":\"", "\"chat_id\":\"" + pad)).append('\n');
    }
    java.nio.file.Files.writeString(in, lines);
    Path profile = tmp.resolve("small-sorts.yaml");
    java.nio.file.Files.writeString(
        profile,
        java.nio.file.Files.readString(Path.of("runners/flink-batch.yaml"))
            + "\nflink:\n  taskmanager.memory.managed.size: 64m\n");
    Path out = tmp.resolve("out");
    analyzeOk(out, "--input", in.toString(), "--clusters", "8", "--runner", profile.toString());
    AnalyzeRuns.StageData meta =
        AnalyzeRuns.read(out, io.hfbeam.conversations.StageFeatures.META_CLUSTERS);
    int largest = 0;
    for (org.apache.beam.sdk.values.Row row : meta.rows()) {
      java.util.Collection<Object> ids = row.getArray("chat_ids");
      largest = Math.max(largest, ids.size());
      for (Object id : ids) assertTrue(id.toString().startsWith(pad), "an id kept whole");
    }
    assertTrue(largest * 50_000L > 720_896, "a row larger than a sort buffer: " + largest);
    for (String stage : STAGES) AnalyzeRuns.assertComplete(out, stage);
  }

  /**
   * A 2.5 MB conversation (six messages of 420 KB, each under the reader's cap) is larger than a
   * Flink batch sort buffer at the profile's fixed managed memory (1.5 MB for the step that spreads
   * conversations): the profile's large-record handler spills it whole, and it is analysed.
   */
  @Test
  void aConversationLargerThanASortBufferIsAnalysedOnFlinkBatch() throws Exception {
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode big = json.createObjectNode();
    big.put("chat_id", "big-1");
    big.put("created_at", "2025-06-01T09:00:00");
    big.putObject("metadata").put("category", "writing").put("question_id", 1);
    com.fasterxml.jackson.databind.node.ArrayNode messages = big.putArray("messages");
    for (int i = 0; i < 6; i++) {
      messages
          .addObject()
          .put("created_at", "2025-06-01T09:00:00")
          .put("role", i % 2 == 0 ? "user" : "assistant")
          .put("content", ("word" + i + " ").repeat(70_000));
    }
    Path in = tmp.resolve("big.jsonl");
    java.nio.file.Files.writeString(
        in, java.nio.file.Files.readString(AnalyzeRuns.MT_BENCH).strip() + "\n" + big + "\n");
    Path out = tmp.resolve("out");
    analyzeOk(out, "--input", in.toString(), "--clusters", "8", "--runner", "flink-batch");
    for (String stage : STAGES) AnalyzeRuns.assertComplete(out, stage);
    AnalyzeRuns.StageData conversations =
        AnalyzeRuns.read(out, io.hfbeam.conversations.StageFeatures.CONVERSATIONS);
    Path errors = out.resolve("conversations/_errors/errors.jsonl");
    assertEquals(
        81,
        conversations.rows().size(),
        java.nio.file.Files.exists(errors) ? java.nio.file.Files.readString(errors) : "");
    org.apache.beam.sdk.values.Row row =
        conversations.rows().stream()
            .filter(r -> r.getString("chat_id").equals("big-1"))
            .findFirst()
            .orElseThrow();
    int chars = 0;
    for (Object m : row.getArray("messages"))
      chars += ((org.apache.beam.sdk.values.Row) m).getString("content").length();
    assertEquals(6 * 6 * 70_000, chars, "every message whole");
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
