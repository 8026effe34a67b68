package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sft-generate end to end against a scripted OpenAI-compatible server, on the real MEDEC CSV. */
class SftGenerateTest {
  static final String MEDEC =
      "samples/medec/MEDEC-MS-ValidationSet-with-GroundTruth-and-ErrorType.csv";
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  ScriptedOpenAiServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Map<String, String> env() {
    return Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", "sk-" + "test-123456789");
  }

  Cli run(Path out, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "sft-generate",
                "--input",
                MEDEC,
                "--output",
                out.toString(),
                "--concurrency",
                "4"));
    args.addAll(List.of(extra));
    return Cli.runWith(env(), args.toArray(String[]::new));
  }

  static List<JsonNode> lines(Path f) throws Exception {
    List<JsonNode> out = new java.util.ArrayList<>();
    for (String l : Files.readAllLines(f)) out.add(JSON.readTree(l));
    return out;
  }

  @Test
  void medecPairsBecomeChatExamplesAndARerunCostsNothing() throws Exception {
    Path out = tmp.resolve("out");
    Cli first = run(out, "--num-pairs", "20", "--add-reasoning");
    assertEquals(0, first.exitCode, first.toString());
    List<JsonNode> correct = lines(out.resolve("sft_correct.jsonl"));
    List<JsonNode> incorrect = lines(out.resolve("sft_incorrect.jsonl"));
    List<JsonNode> combined = lines(out.resolve("sft_combined_safe.jsonl"));
    assertEquals(20, correct.size());
    assertEquals(20, incorrect.size());
    assertEquals(40, combined.size());
    assertEquals(
        20, combined.stream().filter(n -> n.path("label").asText().equals("CORRECT")).count());
    JsonNode c = correct.get(0);
    assertEquals("CORRECT", c.path("label").asText());
    assertEquals(3, c.path("messages").size());
    assertEquals("system", c.path("messages").get(0).path("role").asText());
    assertEquals("assistant", c.path("messages").get(2).path("role").asText());
    assertTrue(c.path("messages").get(1).path("content").asText().contains("Restated note:"));
    JsonNode i = incorrect.get(0);
    assertEquals("INCORRECT", i.path("label").asText());
    assertFalse(i.path("error_type").isNull());
    assertTrue(i.path("reasoning").asText().contains("flagged sentence"));
    assertTrue(i.path("messages").get(2).path("content").asText().startsWith("INCORRECT"));
    assertEquals(c.path("source_id").asText(), i.path("source_id").asText());
    JsonNode stats = JSON.readTree(out.resolve("generation_stats.json").toFile());
    assertEquals(20, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(40, stats.path("requests").asLong(), stats.toString());
    assertTrue(stats.path("total_tokens_used").asLong() > 0);
    assertTrue(Files.isRegularFile(out.resolve("README.md")));
    long sent = server.chatRequests();
    assertEquals(40, sent);

    String before = Files.readString(out.resolve("sft_combined_safe.jsonl"));
    Cli again = run(out, "--num-pairs", "20", "--add-reasoning");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("resuming: 20 of 20 pairs already answered"), again.toString());
    assertEquals(sent, server.chatRequests(), "a re-run sends nothing");
    assertEquals(before, Files.readString(out.resolve("sft_combined_safe.jsonl")));
  }

  @Test
  void embeddedFlinkMakesTheSameDatasetAsTheDirectRunner() throws Exception {
    Path direct = tmp.resolve("direct");
    Path flink = tmp.resolve("flink");
    Cli a = run(direct, "--num-pairs", "12");
    assertEquals(0, a.exitCode, a.toString());
    Cli b = run(flink, "--num-pairs", "12", "--runner", "flink-local");
    assertEquals(0, b.exitCode, b.toString());
    for (String f :
        List.of("sft_correct.jsonl", "sft_incorrect.jsonl", "sft_combined_safe.jsonl")) {
      assertEquals(Files.readString(direct.resolve(f)), Files.readString(flink.resolve(f)), f);
    }
    JsonNode stats = JSON.readTree(flink.resolve("generation_stats.json").toFile());
    assertEquals(12, stats.path("pairs_done").asLong(), stats.toString());
  }

  @Test
  void aTruncatedCsvKeepsEveryWholePairAndLocatesTheCutRow() throws Exception {
    Path cut = tmp.resolve("cut.csv");
    byte[] all = Files.readAllBytes(Path.of(MEDEC));
    // ends inside row ms-val-140, after its Error Flag: 5 of 9 columns
    Files.write(cut, java.util.Arrays.copyOf(all, 300_000));
    Path out = tmp.resolve("cut-out");
    Cli r =
        Cli.runWith(env(), "sft-generate", "--input", cut.toString(), "--output", out.toString());
    assertEquals(0, r.exitCode, r.toString());
    JsonNode stats = JSON.readTree(out.resolve("generation_stats.json").toFile());
    assertEquals(77, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(1, stats.path("pairs_failed").asLong(), stats.toString());
    String errors = Files.readString(out.resolve("_errors/errors.jsonl"));
    assertTrue(errors.contains("a short row: no column") && errors.contains("ms-val-140"), errors);
  }
}
