package io.hfbeam.workflow.checkpoints;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.CheckpointReader;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.KuraDump;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.DatasetCard;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint tools on Kura-format fixtures built from kura.md's field tables: migrate -> export
 * gives every file back byte for byte, verify agrees (and finds a changed row), bad records are
 * located and the rest migrates, filter streams the examples of the issue, info reports each stage.
 */
class CheckpointToolsTest {
  static final Path RESOURCES = Path.of("src", "test", "resources", "conversations");
  static final Path FIXTURE = RESOURCES.resolve("kura-fixture");
  static final Path BAD = RESOURCES.resolve("kura-fixture-bad");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  static Map<String, byte[]> kuraFiles(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.toList()) {
        String n = f.getFileName().toString();
        if (n.endsWith(".jsonl") || n.endsWith(".json")) out.put(n, Files.readAllBytes(f));
      }
    }
    return out;
  }

  static Path migrated(Path old, Path root) throws IOException {
    Migration.migrate(old, root, ParquetSettings.defaults());
    return root;
  }

  @Test
  void migrateThenExportGivesKurasBytesBack() throws IOException {
    for (String codec : List.of("zstd", "gzip", "snappy", "lz4", "none")) {
      Path root = tmp.resolve("new-" + codec);
      Migration.Report r =
          Migration.migrate(FIXTURE, root, ParquetSettings.builder().codec(codec).build());
      assertEquals(5, r.stages().size(), codec);
      assertEquals(0, r.failed(), codec);
      List<Export.Written> w = Export.export(root, tmp.resolve("old-" + codec));
      assertEquals(5, w.size());
      Map<String, byte[]> want = kuraFiles(FIXTURE);
      Map<String, byte[]> got = kuraFiles(tmp.resolve("old-" + codec));
      assertEquals(want.keySet(), got.keySet(), codec);
      for (String f : want.keySet()) {
        assertEquals(
            new String(want.get(f), StandardCharsets.UTF_8),
            new String(got.get(f), StandardCharsets.UTF_8),
            codec + " " + f);
        assertArrayEquals(want.get(f), got.get(f), codec + " " + f);
      }
    }
  }

  @Test
  void theMigratedSetHasTheLayoutsCardsAndRecords() throws IOException {
    Path root = migrated(FIXTURE, tmp.resolve("new"));
    for (KuraStage<?> s : KuraStage.ALL) {
      CheckpointLayout.StageInfo info = CheckpointLayout.read(root, s.name()).orElseThrow();
      assertEquals("migrated from " + s.name() + ".jsonl", info.madeBy());
      assertEquals(64, info.fingerprint().length());
      Path dir = root.resolve(s.name());
      assertTrue(Files.isRegularFile(dir.resolve(StageWriter.DATA_FILE)), s.name());
      assertTrue(Files.isRegularFile(dir.resolve("README.md")), s.name());
      assertFalse(Files.exists(dir.resolve("_errors")), s.name() + ": no failures, no errors");
    }
    assertEquals(4, CheckpointLayout.read(root, "conversations").orElseThrow().rows());
    assertEquals(8, CheckpointLayout.read(root, "meta_clusters").orElseThrow().rows());
    // naive and zoned times and mixed metadata types: the lossless text/JSON layout
    Map<String, String> p = CheckpointLayout.read(root, "conversations").orElseThrow().parameters();
    assertEquals("text", p.get("time"));
    assertEquals("json", p.get("metadata"));
    // the root card: one config per stage, data files under the stage
    JsonNode yaml = DatasetCard.frontMatter(Files.readString(root.resolve("README.md")));
    List<String> configs = new ArrayList<>();
    yaml.get("configs").forEach(c -> configs.add(c.get("config_name").asText()));
    assertEquals(
        List.of("conversations", "summaries", "clusters", "meta_clusters", "dimensionality"),
        configs);
    assertEquals(
        "summaries/data/train-*.parquet",
        yaml.get("configs").get(1).get("data_files").get(0).get("path").asText());
    // the same input gives the same fingerprint; it is the sha256 of the Kura file
    Path again = migrated(FIXTURE, tmp.resolve("again"));
    assertEquals(
        CheckpointLayout.read(root, "summaries").orElseThrow().fingerprint(),
        CheckpointLayout.read(again, "summaries").orElseThrow().fingerprint());
  }

  @Test
  void typedLayoutRoundTripsTheRealConversations() throws IOException {
    // MT-Bench questions in Kura's conversation form: naive times, one type per metadata key
    Path old = tmp.resolve("mt");
    Files.createDirectories(old);
    Files.copy(RESOURCES.resolve("mt_bench_questions.jsonl"), old.resolve("conversations.jsonl"));
    Path root = migrated(old, tmp.resolve("mt-new"));
    Map<String, String> p = CheckpointLayout.read(root, "conversations").orElseThrow().parameters();
    assertEquals("naive", p.get("time"));
    assertEquals("struct", p.get("metadata"));
    Export.export(root, tmp.resolve("mt-back"));
    assertArrayEquals(
        Files.readAllBytes(old.resolve("conversations.jsonl")),
        Files.readAllBytes(tmp.resolve("mt-back").resolve("conversations.jsonl")));
    assertTrue(Verify.verify(old, root, true).ok());
  }

  @Test
  void theConversationDumpGoesBackToADump() throws IOException {
    // Kura's class API saved conversations as one JSON array (conversations.json)
    List<Conversation> convs = new ArrayList<>();
    try (CheckpointReader<Conversation> r =
        CheckpointReader.open(
            FIXTURE.resolve("conversations.jsonl"), CheckpointReader.CONVERSATIONS)) {
      while (r.hasNext()) convs.add(r.next().value());
    }
    Path old = tmp.resolve("dump");
    Files.createDirectories(old);
    try (Writer w = Files.newBufferedWriter(old.resolve("conversations.json"))) {
      KuraDump.write(convs.iterator(), w);
    }
    Path root = migrated(old, tmp.resolve("dump-new"));
    assertEquals(
        "migrated from conversations.json",
        CheckpointLayout.read(root, "conversations").orElseThrow().madeBy());
    List<Export.Written> w = Export.export(root, tmp.resolve("dump-back"));
    assertEquals("conversations.json", w.get(0).file());
    assertArrayEquals(
        Files.readAllBytes(old.resolve("conversations.json")),
        Files.readAllBytes(tmp.resolve("dump-back").resolve("conversations.json")));
    // json.dump writes the whole array on one line: a refused record is told apart by its index
    Path dup = tmp.resolve("dump-dup");
    Files.createDirectories(dup);
    List<Conversation> withDup = new ArrayList<>(convs);
    withDup.add(1, convs.get(3));
    try (Writer out = Files.newBufferedWriter(dup.resolve("conversations.json"))) {
      KuraDump.write(withDup.iterator(), out);
    }
    Path dupRoot = tmp.resolve("dump-dup-new");
    Migration.Report r = Migration.migrate(dup, dupRoot, ParquetSettings.defaults());
    assertEquals(1, r.failed());
    assertEquals(
        "conversations.json:1 [4]: duplicate chat_id 'conv-004' (first at line 1; the first is kept)",
        r.stages().get(0).firstFailures().get(0).toString());
    Verify.Report v = Verify.verify(dup, dupRoot, true);
    assertTrue(v.ok(), v.toString());
    assertEquals(4, v.stages().get(0).compared());
    assertEquals(1, v.stages().get(0).skipped());
  }

  @Test
  void verifyAgreesAndFindsAChangedRow() throws IOException {
    Path root = migrated(FIXTURE, tmp.resolve("new"));
    Verify.Report ok = Verify.verify(FIXTURE, root, true);
    assertTrue(ok.ok());
    assertEquals(5, ok.total());
    assertEquals(5, ok.verified());
    assertEquals(4, ok.stages().get(1).compared());
    // the same Kura files with one value changed on line 3 of summaries.jsonl
    Path changed = tmp.resolve("changed");
    Files.createDirectories(changed);
    for (Map.Entry<String, byte[]> e : kuraFiles(FIXTURE).entrySet()) {
      Files.write(changed.resolve(e.getKey()), e.getValue());
    }
    List<String> lines = Files.readAllLines(changed.resolve("summaries.jsonl"));
    lines.set(2, lines.get(2).replace("\"Only a summary.\"", "\"Only a summary!\""));
    Files.write(changed.resolve("summaries.jsonl"), lines);
    Files.delete(root.resolve("dimensionality").resolve("checkpoint.json"));
    Verify.Report bad = Verify.verify(changed, root, true);
    assertFalse(bad.ok());
    assertEquals(3, bad.verified());
    assertEquals(1, bad.failed());
    assertEquals(1, bad.missing());
    Verify.StageResult s = bad.stages().get(1);
    assertEquals("failed", s.status());
    assertEquals(1, s.differences());
    assertEquals(
        "summaries.jsonl:3 vs summaries/data/train-00000-of-00001.parquet row 2: field summary:"
            + " \"Only a summary!\" in Kura's file, \"Only a summary.\" in the checkpoint",
        s.firstDifferences().get(0));
    // a row missing from the checkpoint is a difference too
    lines.add(lines.get(0).replace("conv-001", "conv-999"));
    Files.write(changed.resolve("summaries.jsonl"), lines);
    Verify.StageResult extra = Verify.verify(changed, root, true).stages().get(1);
    assertEquals(2, extra.differences());
    assertTrue(
        extra
            .firstDifferences()
            .get(1)
            .endsWith("summaries.jsonl:5: no row left in the checkpoint"),
        extra.firstDifferences().toString());
  }

  @Test
  void badRecordsAreLocatedAndTheRestMigrates() throws IOException {
    Path root = tmp.resolve("bad-new");
    Migration.Report r = Migration.migrate(BAD, root, ParquetSettings.defaults());
    assertEquals(List.of("README.md"), r.otherFiles());
    Map<String, Migration.StageReport> by = new TreeMap<>();
    r.stages().forEach(s -> by.put(s.stage(), s));
    assertEquals(3, by.get("conversations").rows());
    assertEquals(2, by.get("conversations").failed());
    assertEquals(3, by.get("summaries").rows());
    assertEquals(1, by.get("summaries").failed());
    assertEquals(2, by.get("clusters").rows());
    assertEquals(1, by.get("clusters").failed());
    List<JsonNode> convErrors = errors(root, "conversations");
    assertEquals(2, convErrors.size());
    assertEquals("conversations.jsonl", convErrors.get(0).get("source").asText());
    assertEquals(2, convErrors.get(0).get("line").asLong());
    assertEquals("migrate", convErrors.get(0).get("step").asText());
    assertEquals(4, convErrors.get(1).get("line").asLong());
    assertEquals(
        "duplicate chat_id 'conv-001' (first at line 1; the first is kept)",
        convErrors.get(1).get("reason").asText());
    JsonNode score = errors(root, "summaries").get(0);
    assertEquals(2, score.get("line").asLong());
    assertTrue(score.get("reason").asText().contains("concerning_score"), score.toString());
    JsonNode name = errors(root, "clusters").get(0);
    assertEquals(2, name.get("line").asLong());
    assertTrue(name.get("reason").asText().contains("name"), name.toString());
    assertEquals(1, CheckpointLayout.read(root, "summaries").orElseThrow().failed());
    // verify skips what the migration refused, so the stages still verify
    Verify.Report v = Verify.verify(BAD, root, true);
    assertTrue(v.ok(), v.toString());
    assertEquals(2, v.stages().get(0).skipped());
    // export gives the good lines back, in order
    Export.export(root, tmp.resolve("bad-back"));
    List<String> in = Files.readAllLines(BAD.resolve("summaries.jsonl"));
    assertEquals(
        List.of(in.get(0), in.get(2), in.get(3)),
        Files.readAllLines(tmp.resolve("bad-back").resolve("summaries.jsonl")));
  }

  private static List<JsonNode> errors(Path root, String stage) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(root.resolve(stage).resolve(StageWriter.ERRORS_FILE))) {
      out.add(JSON.readTree(l));
    }
    return out;
  }

  @Test
  void analyzeReportsWithoutWriting() throws IOException {
    Migration.Report r = Migration.analyze(BAD, ParquetSettings.defaults());
    assertEquals(3, r.stages().size());
    Migration.StageReport c = r.stages().get(0);
    assertEquals("conversations.jsonl", c.file());
    assertEquals(Files.size(BAD.resolve("conversations.jsonl")), c.fileBytes());
    assertEquals(2, c.firstFailures().size());
    assertEquals("conversations.jsonl:2", c.firstFailures().get(0).where().toString());
    assertTrue(c.checkpointBytes() > 0);
    assertEquals(List.of("chat_id", "created_at", "messages", "metadata"), c.features().names());
    try (Stream<Path> s = Files.list(BAD)) {
      assertEquals(4, s.count(), "analyze wrote nothing beside the Kura files");
    }
  }

  @Test
  void filterStreamsTheIssuesExamples() throws IOException {
    Path root = migrated(FIXTURE, tmp.resolve("new"));
    // clusters with more than 100 conversations
    Filter.Result big =
        Filter.filter(
            root, "meta_clusters", "count > 100", tmp.resolve("big"), ParquetSettings.defaults());
    assertEquals(3, big.info().rows());
    assertEquals(8, big.scanned());
    CheckpointLayout.StageInfo info =
        CheckpointLayout.read(tmp.resolve("big"), "meta_clusters").orElseThrow();
    assertEquals("filtered from " + root + "/meta_clusters where count > 100", info.madeBy());
    assertEquals(
        Filter.fingerprint(
            CheckpointLayout.read(root, "meta_clusters").orElseThrow().fingerprint(),
            "count > 100"),
        info.fingerprint());
    assertTrue(Files.isRegularFile(tmp.resolve("big").resolve("README.md")));
    // the filtered set exports to the matching Kura lines, in order
    Export.export(tmp.resolve("big"), tmp.resolve("big-kura"));
    List<String> all = Files.readAllLines(FIXTURE.resolve("meta_clusters.jsonl"));
    assertEquals(
        List.of(all.get(3), all.get(6), all.get(7)),
        Files.readAllLines(tmp.resolve("big-kura").resolve("meta_clusters.jsonl")));
    // summaries with user_frustration >= 4 (a row without a score never matches)
    assertEquals(2, rows(root, "summaries", "user_frustration >= 4"));
    assertEquals(1, rows(root, "summaries", "'python' in languages"));
    assertEquals(1, rows(root, "summaries", "metadata.lang = 'fr'"));
    assertEquals(1, rows(root, "summaries", "metadata.nested.c > 2"));
    assertEquals(2, rows(root, "summaries", "languages = null or len(languages) = 0"));
    assertEquals(2, rows(root, "conversations", "metadata.winner = true or len(messages) = 0"));
    assertEquals(1, rows(root, "dimensionality", "level = 0 and parent_id = null"));
    assertEquals(4, rows(root, "clusters", "not (count >= 100)"));
    // a bad expression fails before anything is written
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Filter.filter(
                    root,
                    "summaries",
                    "frustration >= 4",
                    tmp.resolve("x"),
                    ParquetSettings.defaults()));
    assertTrue(e.getMessage().startsWith("--where: unknown column 'frustration' at position 1"));
    assertFalse(Files.exists(tmp.resolve("x")));
  }

  private long rows(Path root, String stage, String where) throws IOException {
    Path out = tmp.resolve("f" + Math.abs((stage + where).hashCode()));
    return Filter.filter(root, stage, where, out, ParquetSettings.defaults()).info().rows();
  }

  @Test
  void infoSaysWhatEachStageIs() throws IOException {
    Path root = migrated(FIXTURE, tmp.resolve("new"));
    Files.delete(root.resolve("clusters").resolve("checkpoint.json"));
    List<Info.StageStatus> all = Info.of(root, null);
    assertEquals(CheckpointLayout.STAGES.size(), all.size());
    Map<String, Info.StageStatus> by = new TreeMap<>();
    all.forEach(s -> by.put(s.stage(), s));
    assertEquals(Info.State.COMPLETE, by.get("summaries").state());
    assertEquals(4, by.get("summaries").rows());
    assertEquals(Info.State.ABSENT, by.get("embeddings").state());
    assertEquals(Info.State.INCOMPLETE, by.get("clusters").state());
    assertTrue(
        by.get("summaries").bytesOnDisk()
            > Files.size(root.resolve("summaries/data/train-00000-of-00001.parquet")));
    JsonNode json = Info.toJson(Info.of(root, "summaries"));
    JsonNode s = json.get("stages").get(0);
    assertEquals("int8", s.get("features").get("user_frustration").asText());
    assertEquals("list<string>", s.get("features").get("languages").asText());
    assertEquals("migrated from summaries.jsonl", s.get("made_by").asText());
    assertEquals(0, s.get("failed").asLong());
    assertThrows(IllegalArgumentException.class, () -> Info.of(root, "summary"));
  }

  @Test
  void outputsThatAreNotOursAreRefused() throws IOException {
    Path busy = tmp.resolve("busy");
    Files.createDirectories(busy);
    Files.writeString(busy.resolve("notes.txt"), "mine");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Migration.migrate(FIXTURE, busy, ParquetSettings.defaults()));
    assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
    Path root = migrated(FIXTURE, tmp.resolve("new"));
    Path old = tmp.resolve("old");
    Files.createDirectories(old);
    Files.writeString(old.resolve("summaries.jsonl"), "kept\n");
    assertThrows(IllegalArgumentException.class, () -> Export.export(root, old));
    assertEquals("kept\n", Files.readString(old.resolve("summaries.jsonl")));
    assertThrows(IllegalArgumentException.class, () -> Export.export(root, root.resolve("x")));
  }
}
