package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.STAGES;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyze;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile inputs: each bad record or file is a located failure (file, line, reason) in
 * conversations/_errors/errors.jsonl and every good conversation is analysed; a wrong flag is one
 * readable line and exit 2; a run over --max-error-rate publishes nothing that looks complete.
 */
class ConversationsAnalyzeBadInputTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  static String conv(String id, String created, String... roleContent) {
    ObjectNode c = JSON.createObjectNode();
    c.put("chat_id", id);
    c.put("created_at", created);
    var messages = c.putArray("messages");
    for (int i = 0; i < roleContent.length; i += 2) {
      ObjectNode m = messages.addObject();
      m.put("created_at", "2025-06-01T09:00:0" + i / 2);
      m.put("role", roleContent[i]);
      if (roleContent[i + 1] == null) m.putNull("content");
      else m.put("content", roleContent[i + 1]);
    }
    c.putObject("metadata"); // {}: no metadata anywhere is a valid input too
    return c.toString();
  }

  static String good(int i) {
    return conv(
        "good-" + i,
        "2025-06-01T09:00:00",
        "user",
        "How do I brew pour-over coffee, attempt " + i + "?",
        "assistant",
        "Rinse the filter, bloom the grounds, then pour slowly.");
  }

  record Expected(String file, Integer line, String reason) {}

  @Test
  void everyBadRecordIsLocatedAndEveryGoodOneAnalysed() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    Files.write(
        in.resolve("a.jsonl"),
        List.of(
            good(0),
            good(1),
            conv("bad-role", "2025-06-01T09:00:00", "wizard", "abracadabra"),
            conv("bad-empty", "2025-06-01T09:00:00"),
            conv("bad-null", "2025-06-01T09:00:00", "user", null),
            conv("bad-big", "2025-06-01T09:00:00", "user", "x".repeat(1024 * 1024)),
            conv("bad-time", "yesterday-ish", "user", "hello"),
            good(2),
            good(2), // the same chat id again in one file
            "{\"chat_id\": \"broken\", \"messages\": [",
            good(3)),
        StandardCharsets.UTF_8);
    Files.write(in.resolve("b.jsonl"), List.of(good(4), good(0), good(5))); // good-0: from a.jsonl
    Files.write(in.resolve("empty.jsonl"), new byte[0]);
    Files.writeString(in.resolve("notjson.jsonl"), "this is not json at all\n");
    Path out = tmp.resolve("out");
    Cli r = analyzeOk(out, "--input", in.toString(), "--clusters", "2");
    assertTrue(r.out.contains("input: 4 files, 6 conversations, 10 records refused"), r.toString());

    List<Expected> expected =
        List.of(
            new Expected(
                "a.jsonl",
                3,
                "messages[0].role: 'wizard' (Kura allows only 'user' and 'assistant')"),
            new Expected("a.jsonl", 4, "no messages"),
            new Expected("a.jsonl", 5, "messages[0].content: null, expected a string"),
            new Expected(
                "a.jsonl", 6, "messages[0].content: 1048576 bytes, over the cap of 524288"),
            new Expected("a.jsonl", 7, "created_at: not an ISO 8601 datetime: 'yesterday-ish'"),
            new Expected("a.jsonl", 9, "chat_id 'good-2' seen before (duplicate)"),
            new Expected("a.jsonl", 10, "broken JSON: "),
            new Expected(
                "b.jsonl",
                2,
                "chat_id 'good-0' seen before in " + in.resolve("a.jsonl") + " (duplicate)"),
            new Expected("empty.jsonl", null, ReadConversations.EMPTY_FILE),
            new Expected("notjson.jsonl", 1, "broken JSON: Unrecognized token 'this'"));
    List<JsonNode> errors = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("conversations/_errors/errors.jsonl"))) {
      errors.add(JSON.readTree(l));
    }
    assertEquals(expected.size(), errors.size(), errors.toString());
    for (Expected e : expected) {
      assertTrue(
          errors.stream()
              .anyMatch(
                  n ->
                      n.path("source").asText().equals(in.resolve(e.file()).toString())
                          && (e.line() == null
                              ? n.path("line").isNull()
                              : n.path("line").asInt() == e.line())
                          && n.path("reason").asText().startsWith(e.reason())),
          e + " in " + errors);
    }
    // the 1 MB message is not copied whole into the errors
    assertTrue(Files.size(out.resolve("conversations/_errors/errors.jsonl")) < 64 * 1024);

    // every good conversation analysed: 6 good ids, once each, in every stage that holds them
    Set<String> good =
        new TreeSet<>(List.of("good-0", "good-1", "good-2", "good-3", "good-4", "good-5"));
    Set<String> conversations = new TreeSet<>();
    for (var row : AnalyzeRuns.read(out, StageFeatures.CONVERSATIONS).rows()) {
      conversations.add(row.getString("chat_id"));
    }
    assertEquals(good, conversations);
    assertEquals(6, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().rows());
    assertEquals(
        10, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().failed());
    assertEquals(6, CheckpointLayout.read(out, StageFeatures.EMBEDDINGS).orElseThrow().rows());
    for (String stage : STAGES) AnalyzeRuns.assertComplete(out, stage);
  }

  @Test
  void overTheErrorRateNothingLooksComplete() throws Exception {
    Path in = tmp.resolve("bad.jsonl");
    Files.write(
        in,
        List.of(
            conv("r1", "2025-06-01T09:00:00", "wizard", "x"),
            conv("r2", "2025-06-01T09:00:00"),
            "not json",
            good(1)));
    Path out = tmp.resolve("out");
    Cli r = analyze(out, "--input", in.toString(), "--clusters", "1", "--max-error-rate", "0.5");
    assertEquals(1, r.exitCode, r.toString());
    assertFalse(CheckpointLayout.present(out).iterator().hasNext(), "a stage looks complete");
    if (Files.exists(out)) {
      try (Stream<Path> s = Files.walk(out)) {
        List<Path> marks =
            s.filter(p -> p.getFileName().toString().equals(CheckpointLayout.STAGE_FILE)).toList();
        assertEquals(List.of(), marks);
      }
    }

    // every record bad: refused within the default rate too, never a crash, nothing complete
    Path allBad = tmp.resolve("allbad.jsonl");
    Files.write(allBad, List.of("not json", conv("r2", "2025-06-01T09:00:00")));
    Path out2 = tmp.resolve("out2");
    Cli r2 = analyze(out2, "--input", allBad.toString());
    assertTrue(r2.exitCode == 0 || r2.exitCode == 1, r2.toString());
    assertFalse(r2.err.contains("Exception"), r2.toString());
    assertEquals(
        List.of(),
        CheckpointLayout.present(out2).stream()
            .filter(i -> !i.stage().equals(StageFeatures.CONVERSATIONS))
            .toList(),
        "no embeddings or clusters made from nothing");
  }

  @Test
  void theVerdictIsAQueryAndTheAfterRunHookUnmarksWhatTheRefusedRunBuilt() throws Exception {
    Path in = tmp.resolve("in.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) lines.add(good(i));
    Files.write(in, lines);
    Path out = tmp.resolve("out");
    analyzeOk(out, "--input", in.toString(), "--clusters", "2");
    for (String stage : STAGES) AnalyzeRuns.assertComplete(out, stage);
    // a run with other clusters: the three cluster stages are its to build
    ConversationsAnalyzeRun run =
        ConversationsAnalyzeRun.of(
            new AnalyzeSettings(
                List.of(in.toString()),
                out.toString(),
                InputSpec.auto(),
                EmbedTexts.Spec.LOCAL,
                new ClusterAnalysis.Settings(3, 0, 10, 10, 1_000),
                io.hfbeam.format.parquet.ParquetSettings.defaults(),
                null,
                false));
    Set<String> built = new TreeSet<>();
    run.stageStates()
        .forEach(
            (stage, state) -> {
              if (!state.equals("up to date")) built.add(stage);
            });
    assertTrue(built.contains(StageFeatures.CLUSTERS), run.stageStates().toString());
    // as if that run's clusters stage had been refused
    Path staging =
        io.hfbeam.dataset.StagedDataset.stagingDir(
            CheckpointLayout.stageDir(out, StageFeatures.CLUSTERS));
    Files.createDirectories(staging);
    Files.writeString(staging.resolve("REJECTED"), "no records to write");
    for (int i = 0; i < 2; i++) {
      assertEquals("clusters: no records to write", run.rejection().orElseThrow());
      for (String stage : STAGES) AnalyzeRuns.assertComplete(out, stage); // asking changes nothing
    }
    run.afterRun(false);
    for (String stage : STAGES) {
      assertEquals(
          !built.contains(stage),
          CheckpointLayout.read(out, stage).isPresent(),
          stage + " after the refused run (built: " + built + ")");
    }
  }

  @Test
  void aWrongFlagIsOneReadableLineAndExitTwo() throws Exception {
    Path out = tmp.resolve("out");
    String mt = AnalyzeRuns.MT_BENCH.toString();
    List<List<String>> wrong =
        List.of(
            List.of("--input", tmp.resolve("no-such-file.jsonl").toString()),
            List.of("--input", mt, "--format", "yaml"),
            List.of("--input", mt, "--clusters", "-1"),
            List.of("--input", mt, "--clusters", "many"));
    for (List<String> args : wrong) {
      Cli r = analyze(out, args.toArray(String[]::new));
      assertEquals(2, r.exitCode, args + ": " + r);
      List<String> lines = r.err.lines().filter(l -> !l.isBlank()).toList();
      assertEquals(1, lines.size(), args + ": " + r);
      assertFalse(lines.get(0).contains("Exception"), args + ": " + r);
      assertTrue(lines.get(0).length() < 200, args + ": " + r);
      assertFalse(Files.exists(out.resolve("conversations")), args + ": nothing written");
    }
  }
}
