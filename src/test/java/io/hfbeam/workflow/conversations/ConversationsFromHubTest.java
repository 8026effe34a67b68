package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.mapping.JsonValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations analyze --input hf://datasets/owner/name}: the dataset's rows staged as JSON
 * Lines under the output, then read as files are (formats, failures, fingerprints).
 */
class ConversationsFromHubTest {
  static final String TOKEN = "hf_" + "convfromhubtoken0123456789abc";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Features MAPPED =
      Features.fromJson(
          "{\"id\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
              + "\"messages\":{\"feature\":{\"role\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
              + "\"content\":{\"dtype\":\"string\",\"_type\":\"Value\"}},\"_type\":\"List\"},"
              + "\"lang\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
              + "\"score\":{\"dtype\":\"int64\",\"_type\":\"Value\"}}");
  private static final Features OPENAI =
      Features.fromJson(
          "{\"id\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
              + "\"messages\":{\"feature\":{\"role\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
              + "\"content\":{\"dtype\":\"string\",\"_type\":\"Value\"}},\"_type\":\"List\"}}");
  private static final String CARD =
      """
      ---
      configs:
      - config_name: default
        default: true
        data_files:
        - split: train
          path: data/train-*.parquet
      - config_name: openai
        data_files:
        - split: train
          path: openai/train-*.parquet
        - split: test
          path: openai/test-*.parquet
      ---
      # chats
      """;

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  HubClient client;
  final RepoId repo = RepoId.dataset("alice/chats");

  /** The default config's train rows: good ones and hostile ones, in row order. */
  static List<String> trainRows(String secondContent) {
    return List.of(
        row(
            "c1",
            "en",
            5,
            msg("user", "How do I brew pour-over coffee?"),
            msg("assistant", "Bloom, then pour slowly.")),
        row("c2", "de", 3, msg("user", "Was ist ein Flat White?"), msg("assistant", secondContent)),
        row("c3", "en", 1), // no messages
        row("c4", "fr", 2, msg("narrator", "Once upon a time")), // unknown role
        row("c5", "en", 4, "{\"role\":\"user\",\"content\":null}"), // null content
        row("c1", "en", 5, msg("user", "Same id again"), msg("assistant", "Duplicate.")),
        row(
            "c6",
            "fr",
            1,
            msg("user", "Comment faire un espresso ?"),
            msg("assistant", "Moudre fin.")),
        row(
            "c7",
            "en",
            4,
            msg("user", "Best grinder for espresso?"),
            msg("assistant", "A burr grinder.")));
  }

  static String msg(String role, String content) {
    return "{\"role\":\"" + role + "\",\"content\":\"" + content + "\"}";
  }

  static String row(String id, String lang, long score, String... messages) {
    return "{\"id\":\""
        + id
        + "\",\"messages\":["
        + String.join(",", messages)
        + "],\"lang\":\""
        + lang
        + "\",\"score\":"
        + score
        + "}";
  }

  static byte[] parquet(Path dir, String name, Features features, List<String> rows)
      throws Exception {
    Path f = dir.resolve(name);
    Feature.Struct struct = new Feature.Struct(features.asMap());
    try (HfParquetWriter w = HfParquetWriter.create(f, features, ParquetSettings.defaults())) {
      for (String r : rows) w.write((Row) JsonValues.convert(JSON.readTree(r), struct, false));
    }
    return Files.readAllBytes(f);
  }

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
    client = HubClient.Settings.builder().environment(env).build().newClient();
    client.createRepo(repo, true, false);
    Path dir = Files.createDirectories(tmp.resolve("src"));
    List<String> openaiTrain =
        List.of(
            "{\"id\":\"o1\",\"messages\":["
                + msg("user", "Hi")
                + ","
                + msg("assistant", "Hello")
                + "]}",
            "{\"id\":\"o2\",\"messages\":["
                + msg("user", "Tea?")
                + ","
                + msg("assistant", "Green")
                + "]}");
    List<String> openaiTest =
        List.of(
            "{\"id\":\"t1\",\"messages\":["
                + msg("system", "Be brief.")
                + ","
                + msg("user", "Capital of France?")
                + ","
                + msg("assistant", "Paris")
                + "]}",
            "{\"id\":\"t2\",\"messages\":["
                + msg("user", "2+2?")
                + ","
                + msg("assistant", "4")
                + "]}",
            "{\"id\":\"t3\",\"messages\":["
                + msg("user", "Largest ocean?")
                + ","
                + msg("assistant", "The Pacific")
                + "]}");
    client.createCommit(
        repo,
        "main",
        List.of(
            CommitOperation.add(
                "README.md", CARD.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            CommitOperation.add(
                "data/train-00000-of-00002.parquet",
                parquet(dir, "a.parquet", MAPPED, trainRows("Espresso mit Mikroschaum."))),
            // a cut file: the unit that reads it fails, the other file's rows are kept
            CommitOperation.add("data/train-00001-of-00002.parquet", "PAR1 not really".getBytes()),
            CommitOperation.add(
                "openai/train-00000-of-00001.parquet",
                parquet(dir, "b.parquet", OPENAI, openaiTrain)),
            CommitOperation.add(
                "openai/test-00000-of-00001.parquet",
                parquet(dir, "c.parquet", OPENAI, openaiTest))),
        "chats",
        null);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  Cli analyze(Path out, String... args) {
    List<String> all =
        new ArrayList<>(List.of("conversations", "analyze", "--output", out.toString()));
    all.addAll(List.of(args));
    return Cli.runWith(env, all.toArray(String[]::new));
  }

  Cli mapped(Path out) {
    return analyze(
        out,
        "--input",
        "hf://datasets/alice/chats",
        "--format",
        "mapped",
        "--chat-id-field",
        "id",
        "--messages-field",
        "messages",
        "--metadata-fields",
        "lang,score",
        "--clusters",
        "2");
  }

  /** The conversations stage: chat id -> its conversation as Kura's JSON. */
  static Map<String, JsonNode> conversations(Path out) throws Exception {
    Map<String, JsonNode> byId = new TreeMap<>();
    for (String c : AnalyzeRuns.comparable(out, StageFeatures.CONVERSATIONS)) {
      JsonNode n = JSON.readTree(c);
      byId.put(n.get("chat_id").asText(), n);
    }
    return byId;
  }

  static List<JsonNode> errors(Path out) throws Exception {
    Path f =
        CheckpointLayout.stageDir(out, StageFeatures.CONVERSATIONS).resolve("_errors/errors.jsonl");
    List<JsonNode> all = new ArrayList<>();
    for (String l : Files.readAllLines(f)) all.add(JSON.readTree(l));
    return all;
  }

  static JsonNode errorAt(List<JsonNode> errors, long line) {
    return errors.stream()
        .filter(e -> e.path("line").asLong(-1) == line)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no failure at line " + line + ": " + errors));
  }

  @Test
  void aHubDatasetIsStagedAndAnalysedWithItsBadRowsLocated() throws Exception {
    Path out = tmp.resolve("out");
    Cli r = mapped(out);
    assertEquals(0, r.exitCode, r.toString());
    for (String stage : AnalyzeRuns.STAGES) AnalyzeRuns.assertComplete(out, stage);
    Path staged = out.resolve(".hfbeam/input/alice--chats--default--train.jsonl");
    assertTrue(Files.isRegularFile(staged), r.toString());
    // line N of the staged file is the split's row N
    List<String> lines = Files.readAllLines(staged);
    assertEquals(8, lines.size());
    assertEquals("c6", JSON.readTree(lines.get(6)).get("id").asText());

    Map<String, JsonNode> got = conversations(out);
    assertEquals(List.of("c1", "c2", "c6", "c7"), List.copyOf(got.keySet()), r.toString());
    List<String> rows = trainRows("Espresso mit Mikroschaum.");
    for (int i : new int[] {0, 1, 6, 7}) {
      JsonNode want = JSON.readTree(rows.get(i));
      JsonNode c = got.get(want.get("id").asText());
      List<String> wantMessages = new ArrayList<>();
      for (JsonNode m : want.get("messages"))
        wantMessages.add(m.get("role").asText() + ": " + m.get("content").asText());
      List<String> gotMessages = new ArrayList<>();
      for (JsonNode m : c.get("messages"))
        gotMessages.add(m.get("role").asText() + ": " + m.get("content").asText());
      assertEquals(wantMessages, gotMessages);
      // metadata keeps its values and types: the string stays a string, the int64 a number
      assertTrue(c.get("metadata").get("lang").isTextual(), c.toString());
      assertEquals(want.get("lang").asText(), c.get("metadata").get("lang").asText());
      assertTrue(c.get("metadata").get("score").isIntegralNumber(), c.toString());
      assertEquals(want.get("score").asLong(), c.get("metadata").get("score").asLong());
    }

    List<JsonNode> errors = errors(out);
    assertEquals(5, errors.size(), errors.toString());
    assertTrue(
        errorAt(errors, 3).get("reason").asText().contains("no messages"), errors.toString());
    assertTrue(errorAt(errors, 4).get("reason").asText().contains("narrator"), errors.toString());
    assertTrue(errorAt(errors, 5).get("reason").asText().contains("content"), errors.toString());
    assertTrue(errorAt(errors, 6).get("reason").asText().contains("duplicate"), errors.toString());
    // the cut file: one failure naming it, after the first file's 8 rows
    JsonNode cut = errorAt(errors, 9);
    assertTrue(
        cut.get("source").asText().contains("data/train-00001-of-00002.parquet"), cut.toString());
    assertEquals(5, CheckpointLayout.read(out, StageFeatures.CONVERSATIONS).orElseThrow().failed());

    // the same revision again: the staged file is reused and every stage is up to date
    long staged1 = Files.getLastModifiedTime(staged).toMillis();
    Thread.sleep(20);
    Cli again = mapped(out);
    assertEquals(0, again.exitCode, again.toString());
    assertTrue(again.out.contains("1 already staged from this commit"), again.out);
    assertEquals(staged1, Files.getLastModifiedTime(staged).toMillis());
    for (String state : AnalyzeRuns.stageLines(again).values())
      assertEquals("up to date, skipped", state, again.out);
    // the staging failures are still in the stage's errors (the stage was not rebuilt)
    assertEquals(5, errors(out).size());

    // a new revision of the dataset: the conversations stage is stale
    Path dir = tmp.resolve("src");
    client.createCommit(
        repo,
        "main",
        List.of(
            CommitOperation.add(
                "data/train-00000-of-00002.parquet",
                parquet(dir, "a2.parquet", MAPPED, trainRows("Ein Espresso mit Milchschaum.")))),
        "edit c2",
        null);
    Cli changed = mapped(out);
    assertEquals(0, changed.exitCode, changed.toString());
    assertTrue(
        AnalyzeRuns.stageLines(changed).get(StageFeatures.CONVERSATIONS).startsWith("stale"),
        changed.out);
    assertEquals(
        "assistant: Ein Espresso mit Milchschaum.",
        conversations(out).get("c2").get("messages").get(1).get("role").asText()
            + ": "
            + conversations(out).get("c2").get("messages").get(1).get("content").asText());
    assertEquals(5, errors(out).size(), errors(out).toString());
  }

  @Test
  void configAndSplitChooseAndAnOpenAiDatasetIsDetected() throws Exception {
    Path out = tmp.resolve("out");
    Cli r =
        analyze(
            out,
            "--input",
            "hf://datasets/alice/chats",
            "--input-config",
            "openai",
            "--split",
            "test",
            "--clusters",
            "2");
    assertEquals(0, r.exitCode, r.toString());
    try (Stream<Path> s = Files.list(out.resolve(".hfbeam/input"))) {
      assertEquals(
          List.of("alice--chats--openai--test.jsonl", "alice--chats--openai--test.jsonl.json"),
          s.map(p -> p.getFileName().toString()).sorted().toList());
    }
    Map<String, JsonNode> got = conversations(out);
    assertEquals(List.of("t1", "t2", "t3"), List.copyOf(got.keySet()));
    // read as OpenAI's format: the system message becomes the metadata's system_prompt
    assertEquals("Be brief.", got.get("t1").get("metadata").get("system_prompt").asText());
    assertEquals("user", got.get("t1").get("messages").get(0).get("role").asText());
    assertEquals("Paris", got.get("t1").get("messages").get(1).get("content").asText());

    // every split of the config without --split: one staged file each
    Path both = tmp.resolve("both");
    Cli all =
        analyze(
            both,
            "--input",
            "hf://datasets/alice/chats",
            "--input-config",
            "openai",
            "--clusters",
            "2");
    assertEquals(0, all.exitCode, all.toString());
    assertEquals(List.of("o1", "o2", "t1", "t2", "t3"), List.copyOf(conversations(both).keySet()));
  }

  @Test
  void aRowTheReaderCannotReadIsLocatedAndTheRowsAfterItKeepTheirNumbers() throws Exception {
    RepoId json = RepoId.dataset("alice/chats-json");
    client.createRepo(json, true, false);
    client.createCommit(
        json,
        "main",
        List.of(
            // a broken line, then a row with no messages: each a failure at its own row
            CommitOperation.add(
                "data/train.jsonl",
                ("{\"id\":\"j1\",\"messages\":["
                        + msg("user", "Hi")
                        + "]}\n{broken\n{\"id\":\"j3\",\"messages\":[]}\n"
                        + "{\"id\":\"j4\",\"messages\":["
                        + msg("user", "Bye")
                        + "]}\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        "json",
        null);
    Path out = tmp.resolve("out");
    Cli r = analyze(out, "--input", "hf://datasets/alice/chats-json", "--clusters", "1");
    assertEquals(0, r.exitCode, r.toString());
    assertEquals(List.of("j1", "j4"), List.copyOf(conversations(out).keySet()), r.toString());
    List<JsonNode> errors = errors(out);
    assertEquals(2, errors.size(), errors.toString());
    JsonNode broken = errorAt(errors, 2);
    assertTrue(broken.get("source").asText().contains("data/train.jsonl"), broken.toString());
    assertTrue(
        errorAt(errors, 3).get("reason").asText().contains("no messages"), errors.toString());
  }

  @Test
  void aShareGptDatasetIsDetected() throws Exception {
    Features sharegpt =
        Features.fromJson(
            "{\"id\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
                + "\"conversations\":{\"feature\":{\"from\":{\"dtype\":\"string\",\"_type\":\"Value\"},"
                + "\"value\":{\"dtype\":\"string\",\"_type\":\"Value\"}},\"_type\":\"List\"}}");
    List<String> rows = new ArrayList<>();
    for (String[] q :
        new String[][] {{"s1", "What is a latte?", "Espresso and milk."}, {"s2", "Hello", "Hi!"}}) {
      rows.add(
          "{\"id\":\""
              + q[0]
              + "\",\"conversations\":[{\"from\":\"human\",\"value\":\""
              + q[1]
              + "\"},{\"from\":\"gpt\",\"value\":\""
              + q[2]
              + "\"}]}");
    }
    RepoId repo2 = RepoId.dataset("alice/sharegpt");
    client.createRepo(repo2, true, false);
    client.createCommit(
        repo2,
        "main",
        List.of(
            CommitOperation.add(
                "data/train-00000-of-00001.parquet",
                parquet(Files.createDirectories(tmp.resolve("sg")), "s.parquet", sharegpt, rows))),
        "sharegpt",
        null);
    Path out = tmp.resolve("out");
    Cli r = analyze(out, "--input", "hf://datasets/alice/sharegpt", "--clusters", "1");
    assertEquals(0, r.exitCode, r.toString());
    Map<String, JsonNode> got = conversations(out);
    assertEquals(List.of("s1", "s2"), List.copyOf(got.keySet()), r.toString());
    JsonNode m = got.get("s1").get("messages");
    assertEquals("user", m.get(0).get("role").asText());
    assertEquals("assistant", m.get(1).get("role").asText());
    assertEquals("Espresso and milk.", m.get(1).get("content").asText());
  }

  @Test
  void aMissingDatasetSplitOrAWatchIsOneReadableLine() {
    Cli noDataset = analyze(tmp.resolve("a"), "--input", "hf://datasets/alice/nothere");
    assertEquals(2, noDataset.exitCode, noDataset.toString());
    assertTrue(noDataset.err.contains("alice/nothere"), noDataset.toString());
    Cli noSplit =
        analyze(tmp.resolve("b"), "--input", "hf://datasets/alice/chats", "--split", "nope");
    assertEquals(2, noSplit.exitCode, noSplit.toString());
    assertTrue(noSplit.err.contains("nope"), noSplit.toString());
    Cli watch = analyze(tmp.resolve("c"), "--input", "hf://datasets/alice/chats", "--watch");
    assertEquals(2, watch.exitCode, watch.toString());
    assertTrue(watch.err.contains("hf:// dataset is read once"), watch.toString());
    Cli mixed =
        analyze(tmp.resolve("d"), "--input", "hf://datasets/alice/chats," + AnalyzeRuns.MT_BENCH);
    assertEquals(2, mixed.exitCode, mixed.toString());
    Cli flagsWithoutDataset =
        analyze(tmp.resolve("e"), "--input", AnalyzeRuns.MT_BENCH.toString(), "--split", "x");
    assertEquals(2, flagsWithoutDataset.exitCode, flagsWithoutDataset.toString());
    for (Cli c : List.of(noDataset, noSplit, watch, mixed, flagsWithoutDataset)) {
      assertEquals(1, c.err.strip().lines().count(), c.toString());
    }
  }
}
