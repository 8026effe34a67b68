package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations analyze --llm}: summaries and cluster names from an OpenAI-compatible server
 * (a scripted one), journaled so that a re-run pays nothing, bad answers recorded and the rest
 * analysed, a refused key found before any conversation is sent.
 */
class ConversationsLlmTest {
  static final String MT_BENCH = "src/test/resources/conversations/mt_bench_questions.jsonl";
  static final String KEY = "sk-" + "test-CONV123456789";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  ScriptedOpenAiServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.conversations());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Cli run(Path out, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "conversations",
                "analyze",
                "--input",
                MT_BENCH,
                "--output",
                out.toString(),
                "--llm",
                "openai",
                "--clusters",
                "8"));
    args.addAll(List.of(extra));
    return Cli.runWith(
        Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", KEY),
        args.toArray(String[]::new));
  }

  static List<Row> rows(Path root, String stage) throws Exception {
    List<Row> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(CheckpointLayout.stageDir(root, stage).resolve("data"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".parquet")).sorted().toList()) {
        try (HfParquetReader r = HfParquetReader.open(f)) {
          while (r.hasNext()) out.add(r.next());
        }
      }
    }
    return out;
  }

  @Test
  void summariesAndNamesComeFromTheLlmAndAreNeverPaidTwice() throws Exception {
    Path out = tmp.resolve("out");
    Cli first = run(out, "--concurrency", "4");
    assertEquals(0, first.exitCode, first.toString());
    assertFalse((first.out + first.err).contains("CONV123456789"), "the key is printed");
    List<Row> summaries = rows(out, "summaries");
    assertEquals(80, summaries.size());
    for (Row s : summaries) {
      assertTrue(s.getString("summary").startsWith("The user asked: "), s.toString());
      assertEquals(List.of("english"), new ArrayList<>(s.getArray("languages")));
      assertEquals(null, s.getString("topic")); // null stays null
      assertEquals(0, s.getArray("assistant_errors").size()); // an empty list stays empty
      assertTrue(s.getString("metadata").contains("\"category\""), s.toString());
    }
    List<Row> clusters = rows(out, "clusters");
    assertEquals(8, clusters.size());
    for (Row c : clusters) assertTrue(c.getString("name").startsWith("Help with "), c.toString());
    long asked = server.chatRequests();
    assertEquals(80 + 8, asked, "one request per conversation and per cluster");
    JsonNode info = JSON.readTree(out.resolve("summaries/checkpoint.json").toFile());
    assertTrue(info.path("made_by").asText().contains("the LLM"), info.toString());

    // the same command: every stage up to date, nothing asked
    Cli again = run(out);
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("summaries: up to date, skipped"), again.out);
    assertEquals(asked, server.chatRequests());

    // a stage that never finished (its record gone): rebuilt from the journal, nothing paid
    Files.delete(out.resolve("summaries/checkpoint.json"));
    Files.delete(out.resolve("clusters/checkpoint.json"));
    Cli rebuilt = run(out);
    assertEquals(0, rebuilt.exitCode, rebuilt.toString());
    assertTrue(rebuilt.out.contains("summaries: building"), rebuilt.out);
    assertEquals(asked, server.chatRequests(), "the journal answered every request again");
    assertEquals(80, rows(out, "summaries").size());
  }

  @Test
  void anAnswerThatBreaksTheSchemaIsRetriedThenRecordedAndTheRestAnalysed() throws Exception {
    // the first four answers break the schema: with 2 attempts per conversation, at most two
    // conversations fail (which ones depends on timing), everything else is analysed
    server.enqueue(ScriptedOpenAiServer.models("gpt-4o-mini")); // the key check comes first
    for (int i = 0; i < 4; i++) server.enqueue(ScriptedOpenAiServer.schemaViolating());
    Path out = tmp.resolve("bad");
    Cli c = run(out, "--concurrency", "1");
    assertEquals(0, c.exitCode, c.toString());
    int summaries = rows(out, "summaries").size();
    List<String> errors = Files.readAllLines(out.resolve("summaries/_errors/errors.jsonl"));
    assertEquals(80, summaries + errors.size(), errors.toString());
    assertEquals(2, errors.size(), errors.toString());
    for (String e : errors) {
      JsonNode n = JSON.readTree(e);
      assertTrue(n.path("source").asText().startsWith("chat_id mt-bench-"), e);
      assertTrue(n.path("reason").asText().contains("failed validation after 2"), e);
    }
    assertEquals(summaries, rows(out, "embeddings").size());
  }

  @Test
  void aRefusedKeyFailsBeforeAnyConversationIsSent() throws Exception {
    server.enqueue(ScriptedOpenAiServer.unauthorized("Incorrect API key provided"));
    Path out = tmp.resolve("refused");
    Cli c = run(out);
    assertEquals(1, c.exitCode, c.toString());
    assertEquals(0, server.chatRequests(), "no conversation was sent");
    assertFalse(Files.exists(out.resolve("summaries/checkpoint.json")));
    assertFalse((c.out + c.err).contains("CONV123456789"), "the key is printed");
  }

  @Test
  void serverEmbeddingsAreJournaledAndNeverPaidTwice() throws Exception {
    Path out = tmp.resolve("emb");
    String[] args = {
      "conversations",
      "analyze",
      "--input",
      MT_BENCH,
      "--output",
      out.toString(),
      "--clusters",
      "4",
      "--embeddings",
      "openai",
      "--embedding-model",
      "text-embedding-3-small"
    };
    Map<String, String> env = Map.of("OPENAI_BASE_URL", server.baseUrl(), "OPENAI_API_KEY", KEY);
    Cli first = Cli.runWith(env, args);
    assertEquals(0, first.exitCode, first.toString());
    long calls = server.requests().stream().filter(r -> r.path().equals("/embeddings")).count();
    assertTrue(calls > 0);
    assertEquals(80, rows(out, "embeddings").size());
    assertEquals(0, server.chatRequests(), "no LLM: no chat requests");
    // the stage lost (a crash before its record): rebuilt from the journal, nothing asked again
    Files.delete(out.resolve("embeddings/checkpoint.json"));
    Cli again = Cli.runWith(env, args);
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("embeddings: building"), again.out);
    assertEquals(
        calls, server.requests().stream().filter(r -> r.path().equals("/embeddings")).count());
    assertEquals(80, rows(out, "embeddings").size());
  }
}
