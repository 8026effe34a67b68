package io.hfbeam.workflow.sft;

import static io.hfbeam.workflow.sft.SftRuns.lines;
import static io.hfbeam.workflow.sft.SftRuns.readable;
import static io.hfbeam.workflow.sft.SftRuns.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ScriptedOpenAiServer;
import io.hfbeam.testing.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sft-generate with a real inference engine: llama.cpp in the JVM ({@code --llm gguf:PATH}) on the
 * tiny random model the tests write. Its answers are gibberish, but schema-constrained, so the
 * protocol, token counts, structured output and the whole workflow are real. Structure only, never
 * content.
 */
class SftGgufTest {
  /** The pairing's two tasks, over short fields (a tiny context), with loose checks. */
  static final String PROMPTS =
      """
      {"description": "a tiny model's tasks: any short JSON string passes",
       "tasks": {
        "paraphrase_correct": {
          "system": "You rewrite clinical notes.",
          "user": "Rewrite note {{Text ID}} about {{Error Type|nothing}}.",
          "temperature": 0.8, "max_tokens": 80, "seed": 7,
          "schema": {"type": "object", "properties": {"paraphrase": {"type": "string", "maxLength": 24}},
                     "required": ["paraphrase"], "additionalProperties": false},
          "checks": [{"check": "max_chars", "path": "/paraphrase", "value": 200}]},
        "explain_error": {
          "system": "You explain errors in clinical notes.",
          "user": "Why is note {{Text ID}} wrong?",
          "temperature": 0.8, "max_tokens": 80, "seed": 7,
          "schema": {"type": "object", "properties": {"reasoning": {"type": "string", "maxLength": 24}},
                     "required": ["reasoning"], "additionalProperties": false},
          "checks": [{"check": "max_chars", "path": "/reasoning", "value": 200}]}}}
      """;

  @TempDir Path tmp;

  @Test
  void tinyLocalModelMakesAWholeDatasetOfTheRightShape() throws Exception {
    Path model = TinyGguf.write(tmp.resolve("tiny.gguf"));
    Path prompts = Files.writeString(tmp.resolve("prompts.json"), PROMPTS);
    Path out = tmp.resolve("out");
    int pairs = 3;
    long start = System.nanoTime();
    Cli c =
        Cli.runWith(
            Map.of(),
            "sft-generate",
            "--input",
            SftRuns.MEDEC,
            "--output",
            out.toString(),
            "--llm",
            "gguf:" + model,
            "--prompt-file",
            prompts.toString(),
            "--num-pairs",
            "" + pairs,
            "--add-reasoning",
            "--validation-attempts",
            "5");
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("sft-generate with the tiny GGUF model: " + ms + " ms\n" + c);
    assertEquals(0, c.exitCode, c.toString());
    readable(c);

    List<JsonNode> correct = lines(out.resolve("sft_correct.jsonl"));
    List<JsonNode> incorrect = lines(out.resolve("sft_incorrect.jsonl"));
    List<JsonNode> combined = lines(out.resolve("sft_combined_safe.jsonl"));
    assertEquals(pairs, correct.size(), c.toString());
    assertEquals(pairs, incorrect.size());
    assertEquals(2 * pairs, combined.size());
    for (JsonNode row : combined) {
      JsonNode messages = row.path("messages");
      assertEquals(3, messages.size(), row.toString());
      assertEquals("system", messages.get(0).path("role").asText());
      assertEquals("user", messages.get(1).path("role").asText());
      assertEquals("assistant", messages.get(2).path("role").asText());
      for (JsonNode m : messages) assertTrue(m.path("content").isTextual(), row.toString());
      assertTrue(row.path("source_id").asText().startsWith("ms-val-"), row.toString());
    }
    for (JsonNode row : correct) assertEquals("CORRECT", row.path("label").asText());
    for (JsonNode row : incorrect) {
      assertEquals("INCORRECT", row.path("label").asText());
      assertTrue(row.path("reasoning").isTextual(), row.toString());
    }
    assertEquals(
        2 * pairs, combined.stream().map(r -> r.path("source_id").asText()).distinct().count() * 2);
    assertEquals(0, lines(out.resolve("_errors/errors.jsonl")).size());

    JsonNode stats = stats(out);
    assertEquals("gguf", stats.path("backend").asText(), stats.toString());
    assertEquals(pairs, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(0, stats.path("pairs_failed").asLong(), stats.toString());
    // every answer is validated: one a random model breaks (invalid UTF-8 can turn one character
    // into several) is asked again, so a task may take more than one request
    assertEquals(
        2 * pairs + stats.path("invalid_answers").asLong(),
        stats.path("requests").asLong(),
        stats.toString());
    assertEquals(stats.path("requests"), stats.path("answers_received"), stats.toString());
    // a local model: named by its file, and it costs nothing
    assertEquals("gguf:tiny.gguf", stats.path("model").asText(), stats.toString());
    assertEquals(0.0, stats.path("cost_usd").asDouble(-1), stats.toString());
    assertTrue(stats.path("prompt_tokens").asLong() > 0, stats.toString());
    assertTrue(stats.path("completion_tokens").asLong() > 0, stats.toString());
    assertEquals(
        stats.path("prompt_tokens").asLong() + stats.path("completion_tokens").asLong(),
        stats.path("total_tokens_used").asLong());
    assertTrue(Files.isRegularFile(out.resolve("README.md")));
  }

  static Cli local(Path model, Path prompts, Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "sft-generate",
                "--input",
                SftRuns.MEDEC,
                "--output",
                out.toString(),
                "--llm",
                "gguf:" + model,
                "--prompt-file",
                prompts.toString(),
                "--validation-attempts",
                "5"));
    args.addAll(List.of(extra));
    return Cli.runWith(Map.of(), args.toArray(String[]::new));
  }

  @Test
  void theLocalModelsAnswersAreNotReusedForAServersModel() throws Exception {
    Path model = TinyGguf.write(tmp.resolve("tiny.gguf"));
    Path prompts = Files.writeString(tmp.resolve("prompts.json"), PROMPTS);
    Path out = tmp.resolve("out");
    Cli first = local(model, prompts, out, "--num-pairs", "2");
    assertEquals(0, first.exitCode, first.toString());
    try (ScriptedOpenAiServer server =
        new ScriptedOpenAiServer()
            .chatDefault(ScriptedOpenAiServer.ok("{\"paraphrase\": \"restated note\"}"))) {
      Cli remote =
          Cli.runWith(
              SftRuns.env(server),
              "sft-generate",
              "--input",
              SftRuns.MEDEC,
              "--output",
              out.toString(),
              "--prompt-file",
              prompts.toString(),
              "--num-pairs",
              "2");
      assertEquals(0, remote.exitCode, remote.toString());
      assertFalse(remote.out.contains("resuming"), remote.toString());
      assertEquals(2, server.chatRequests(), "the server's model answers every pair");
      for (JsonNode row : lines(out.resolve("sft_correct.jsonl")))
        assertEquals("restated note", answerOf(row), row.toString());
      assertEquals("gpt-4o-mini", stats(out).path("model").asText());
    }
    // the local model's answers are still there for the local model
    Cli again = local(model, prompts, out, "--num-pairs", "2");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("resuming: 2 of 2 pairs already answered"), again.toString());
  }

  /** The paraphrase a CORRECT row carries: its user turn's note. */
  private static String answerOf(JsonNode row) {
    String user = row.path("messages").get(1).path("content").asText();
    return user.substring(user.lastIndexOf("\n") + 1);
  }
}
