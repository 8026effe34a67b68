package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.FORMATS;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.comparable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The input formats the issue names, each a small fixture under
 * src/test/resources/conversations/formats: a Claude export, OpenAI chat JSONL, ShareGPT, a
 * gz-compressed Kura file (detected per file in one run), and a mapped file with the field flags.
 * The conversations checkpoint must hold exactly the Kura conversations each record means.
 */
class ConversationsAnalyzeFormatsTest {
  @TempDir Path tmp;

  @Test
  void everyFormatIsDetectedPerFileAndReadExactly() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    for (String f :
        List.of(
            "claude_export.json", "openai_chat.jsonl", "sharegpt.json", "kura_typed.jsonl.gz")) {
      Files.copy(FORMATS.resolve(f), in.resolve(f));
    }
    Path out = tmp.resolve("out");
    Cli r = analyzeOk(out, "--input", in.toString(), "--clusters", "3");
    String openai = in.resolve("openai_chat.jsonl").toString();
    List<String> want = new ArrayList<>();
    want.add(
        "{\"chat_id\":\"c1a7e0d2-0000-4000-8000-000000000001\",\"created_at\":\"2025-06-05T10:00:00Z\","
            + "\"messages\":[{\"created_at\":\"2025-06-05T10:00:00Z\",\"role\":\"user\",\"content\":\"What ratio should I use for cold brew?\"},"
            + "{\"created_at\":\"2025-06-05T10:00:05Z\",\"role\":\"assistant\",\"content\":\"Use 1 part coffee to 8 parts water.\\nSteep for 12 to 18 hours.\"}],"
            + "\"metadata\":{}}");
    want.add(
        "{\"chat_id\":\"c1a7e0d2-0000-4000-8000-000000000002\",\"created_at\":\"2025-06-05T11:00:00Z\","
            + "\"messages\":[{\"created_at\":\"2025-06-05T11:00:00Z\",\"role\":\"user\",\"content\":\"Write a haiku about rain.\"},"
            + "{\"created_at\":\"2025-06-05T11:00:09Z\",\"role\":\"assistant\",\"content\":\"Soft rain on the roof / the gutters hum their one song / the street shines like glass\"}],"
            + "\"metadata\":{}}");
    want.add(
        "{\"chat_id\":\"oa-1\",\"created_at\":\"1970-01-01T00:00:00\","
            + "\"messages\":[{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"user\",\"content\":\"Can I get an oat milk latte?\"},"
            + "{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"assistant\",\"content\":\"Sure, one oat milk latte coming up.\"}],"
            + "\"metadata\":{\"system_prompt\":\"You are a barista.\"}}");
    want.add(
        "{\"chat_id\":\""
            + openai
            + ":2\",\"created_at\":\"1970-01-01T00:00:00\","
            + "\"messages\":[{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"user\",\"content\":\"Translate 'good morning'\\ninto French.\"},"
            + "{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"assistant\",\"content\":\"Bonjour.\"}],"
            + "\"metadata\":{}}");
    want.add(
        "{\"chat_id\":\"sg-1\",\"created_at\":\"1970-01-01T00:00:00\","
            + "\"messages\":[{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"user\",\"content\":\"What is the capital of Japan?\"},"
            + "{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"assistant\",\"content\":\"Tokyo.\"}],"
            + "\"metadata\":{}}");
    want.add(
        "{\"chat_id\":\"sg-2\",\"created_at\":\"1970-01-01T00:00:00\","
            + "\"messages\":[{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"user\",\"content\":\"How many legs does a spider have?\"},"
            + "{\"created_at\":\"1970-01-01T00:00:00\",\"role\":\"assistant\",\"content\":\"Eight.\"}],"
            + "\"metadata\":{\"system_prompt\":\"Answer briefly.\"}}");
    // the gz file: the same conversations as the plain fixture, as Kura writes them
    for (String line : Files.readAllLines(FORMATS.resolve("kura_typed.jsonl"))) {
      want.add(
          io.hfbeam.conversations.KuraJson.write(
              io.hfbeam.conversations.KuraJson.conversation(
                  new com.fasterxml.jackson.databind.ObjectMapper().readTree(line))));
    }
    want.sort(null);
    assertEquals(want, comparable(out, StageFeatures.CONVERSATIONS), r.toString());
    assertEquals(0, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().failed());
    for (String stage : AnalyzeRuns.STAGES) AnalyzeRuns.assertComplete(out, stage);
  }

  @Test
  void aMappedFileReadsTheNamedFields() throws Exception {
    Path out = tmp.resolve("out");
    Cli r =
        analyzeOk(
            out,
            "--input",
            FORMATS.resolve("mapped.jsonl").toString(),
            "--chat-id-field",
            "conv_id",
            "--created-at-field",
            "ts",
            "--messages-field",
            "turns",
            "--role-key",
            "speaker",
            "--content-key",
            "text",
            "--metadata-fields",
            "lang,rating,helpful",
            "--clusters",
            "1");
    List<String> want =
        List.of(
            "{\"chat_id\":\"42\",\"created_at\":\"2025-06-06T08:05:00\","
                + "\"messages\":[{\"created_at\":\"2025-06-06T08:05:00\",\"role\":\"user\",\"content\":\"Was ist ein Flat White?\"},"
                + "{\"created_at\":\"2025-06-06T08:05:00\",\"role\":\"assistant\",\"content\":\"Ein Espresso mit mikroschaumiger Milch.\"}],"
                + "\"metadata\":{\"lang\":\"de\",\"rating\":5,\"helpful\":false}}",
            "{\"chat_id\":\"mp-1\",\"created_at\":\"2025-06-06T08:00:00\","
                + "\"messages\":[{\"created_at\":\"2025-06-06T08:00:00\",\"role\":\"user\",\"content\":\"Recommend a light roast.\"},"
                + "{\"created_at\":\"2025-06-06T08:00:00\",\"role\":\"assistant\",\"content\":\"Try an Ethiopian Yirgacheffe.\"}],"
                + "\"metadata\":{\"lang\":\"en\",\"rating\":4,\"helpful\":true}}");
    assertEquals(want, comparable(out, StageFeatures.CONVERSATIONS), r.toString());
    // a field flag with another --format is a wrong flag, said at once
    Cli wrong =
        AnalyzeRuns.analyze(
            tmp.resolve("out2"),
            "--input",
            FORMATS.resolve("mapped.jsonl").toString(),
            "--format",
            "sharegpt",
            "--chat-id-field",
            "conv_id");
    assertEquals(2, wrong.exitCode, wrong.toString());
  }
}
