package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.testing.TinyGguf;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * conversations analyze with a real inference engine: llama.cpp in the JVM on the tiny random model
 * the tests write. Its answers are gibberish but schema-constrained: the summaries and names are
 * real answers through the whole workflow. Structure only, never content.
 */
class ConversationsGgufTest {
  static final String SUMMARY =
      """
      {"tasks": {"summarise": {
        "system": "You summarise chats.",
        "user": "Summarise: {{conversation}}",
        "temperature": 0.8, "max_tokens": 60, "seed": 7,
        "schema": {"type": "object", "properties": {"summary": {"type": "string", "maxLength": 20}},
                   "required": ["summary"], "additionalProperties": false},
        "checks": [{"check": "max_chars", "path": "/summary", "value": 200}]}}}
      """;
  static final String CLUSTERS =
      """
      {"tasks": {"describe_cluster": {
        "system": "You name groups.",
        "user": "Name: {{positive_examples}} not {{contrastive_examples}}",
        "temperature": 0.8, "max_tokens": 80, "seed": 7,
        "schema": {"type": "object", "properties": {
                     "name": {"type": "string", "maxLength": 12},
                     "summary": {"type": "string", "maxLength": 12},
                     "slug": {"type": "string", "maxLength": 12}},
                   "required": ["name", "summary", "slug"], "additionalProperties": false}}}}
      """;

  @TempDir Path tmp;

  @Test
  void aTinyLocalModelSummarisesAndNamesThroughTheWholeWorkflow() throws Exception {
    Path model = TinyGguf.write(tmp.resolve("tiny.gguf"));
    Path in = tmp.resolve("chats.jsonl");
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      lines.add(
          "{\"id\": \"c"
              + i
              + "\", \"messages\": [{\"role\": \"user\", \"content\": \"hi "
              + i
              + "\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}");
    }
    Files.write(in, lines);
    Path out = tmp.resolve("out");
    Cli c =
        Cli.runWith(
            Map.of(),
            "conversations",
            "analyze",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--llm",
            "gguf:" + model,
            "--summary-prompts",
            Files.writeString(tmp.resolve("s.json"), SUMMARY).toString(),
            "--cluster-prompts",
            Files.writeString(tmp.resolve("c.json"), CLUSTERS).toString(),
            "--clusters",
            "2",
            "--validation-attempts",
            "4");
    assertEquals(0, c.exitCode, c.toString());
    CheckpointLayout.StageInfo summaries = CheckpointLayout.read(out, "summaries").orElseThrow();
    assertEquals(6, summaries.rows() + summaries.failed(), summaries.toString());
    assertTrue(summaries.madeBy().contains("gguf:tiny.gguf"), summaries.madeBy());
    assertEquals(2, CheckpointLayout.read(out, "clusters").orElseThrow().rows());
    // the same command again: all answers from the journal, every stage up to date
    Cli again =
        Cli.runWith(
            Map.of(),
            "conversations",
            "analyze",
            "--input",
            in.toString(),
            "--output",
            out.toString(),
            "--llm",
            "gguf:" + model,
            "--summary-prompts",
            tmp.resolve("s.json").toString(),
            "--cluster-prompts",
            tmp.resolve("c.json").toString(),
            "--clusters",
            "2",
            "--validation-attempts",
            "4");
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("summaries: up to date, skipped"), again.out);
  }
}
