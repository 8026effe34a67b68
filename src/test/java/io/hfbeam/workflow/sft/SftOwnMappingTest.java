package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Pairs of another shape (own columns, own pairing and prompt file), as JSONL and as Parquet. */
class SftOwnMappingTest {
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

  Path write() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      s.append(
              JSON.writeValueAsString(
                  Map.of(
                      "uid",
                      i,
                      "bad",
                      "Statement " + i + " says the sky is green. It is noon.",
                      "good",
                      "Statement " + i + " says the sky is blue. It is noon.",
                      "keep",
                      i == 3 ? "no" : "yes")))
          .append('\n');
    }
    s.append("{\"uid\": 99, \"bad\": \"x\"}\n"); // no good side: a located failure
    s.append("not json\n");
    Files.writeString(in.resolve("pairs.jsonl"), s);
    Files.writeString(
        tmp.resolve("pairing.yaml"),
        "pair: {id: uid, incorrect: bad, correct: good}\n"
            + "skip: [{column: keep, equals: \"no\"}]\n"
            + "tasks: {correct: rewrite}\n"
            + "example: {system: Judge statements., user: \"Is this right? {{text}}\", correct: RIGHT,"
            + " incorrect: WRONG}\n");
    Files.writeString(
        tmp.resolve("prompts.json"),
        "{\"tasks\": {\"rewrite\": {\"system\": \"Rewrite.\", \"user\": \"Paraphrase it.\\nClinical"
            + " note:\\n{{good}}\\n\\nAnswer as JSON.\", \"schema\": {\"type\": \"object\","
            + " \"properties\": {\"paraphrase\": {\"type\": \"string\"}}, \"required\":"
            + " [\"paraphrase\"], \"additionalProperties\": false}, \"checks\": [{\"check\":"
            + " \"differs_from_field\", \"path\": \"/paraphrase\", \"field\": \"good\"}]}}}");
    return in;
  }

  void check(Path out, Cli r) throws Exception {
    assertEquals(0, r.exitCode, r.toString());
    List<String> correct = Files.readAllLines(out.resolve("sft_correct.jsonl"));
    assertEquals(6, correct.size(), correct.toString()); // 7 pairs, one skipped
    JsonNode first = JSON.readTree(correct.get(0));
    assertEquals("0", first.path("source_id").asText());
    assertEquals("RIGHT", first.path("messages").get(2).path("content").asText());
    assertTrue(
        first.path("messages").get(1).path("content").asText().startsWith("Is this right? "));
    JsonNode stats = JSON.readTree(out.resolve("generation_stats.json").toFile());
    assertEquals(1, stats.path("pairs_skipped").asLong(), stats.toString());
  }

  @Test
  void jsonlPairsWithTheirOwnMapping() throws Exception {
    Path in = write();
    Path out = tmp.resolve("out");
    Cli r =
        Cli.runWith(
            env(),
            "sft-generate",
            "--input",
            in.resolve("pairs.jsonl").toString(),
            "--pairing",
            tmp.resolve("pairing.yaml").toString(),
            "--prompt-file",
            tmp.resolve("prompts.json").toString(),
            "--output",
            out.toString());
    check(out, r);
    String errors = Files.readString(out.resolve("_errors/errors.jsonl"));
    assertTrue(errors.contains("\"line\": 8") && errors.contains("'good'"), errors);
    assertTrue(errors.contains("\"line\": 9") && errors.contains("invalid JSON"), errors);
  }

  @Test
  void parquetPairsMadeByConvert() throws Exception {
    Path in = write();
    Files.writeString(
        in.resolve("pairs.jsonl"),
        String.join("\n", Files.readAllLines(in.resolve("pairs.jsonl")).subList(0, 7)) + "\n");
    Path pq = tmp.resolve("pq");
    Cli c =
        Cli.run(
            "convert",
            "--input",
            in.resolve("pairs.jsonl").toString(),
            "--output",
            pq.toString(),
            "--format",
            "parquet");
    assertEquals(0, c.exitCode, c.toString());
    Path out = tmp.resolve("out");
    Cli r =
        Cli.runWith(
            env(),
            "sft-generate",
            "--input",
            pq.resolve("train").toString(),
            "--pairing",
            tmp.resolve("pairing.yaml").toString(),
            "--prompt-file",
            tmp.resolve("prompts.json").toString(),
            "--output",
            out.toString());
    check(out, r);
  }
}
