package io.hfbeam.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.JsonValues;
import io.hfbeam.testing.PythonEnv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stage checkpoints are lossless: Kura objects -> rows of the stage's features -> Parquet (the
 * project's writer) -> rows -> Kura objects give Kura's JSONL bytes back; Python's datasets reads
 * the Parquet with the exact types.
 */
class StageCheckpointsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  /** Writes rows to Parquet, reads them back as JSON lines (JsonlRowWriter), parses each back. */
  private <T> List<T> throughParquet(
      String name, Features f, List<T> items, Function<T, JsonNode> toRow, CheckedParse<T> back)
      throws Exception {
    Path file = dir.resolve(name + ".parquet");
    Feature.Struct struct = new Feature.Struct(f.asMap());
    try (HfParquetWriter w = HfParquetWriter.create(file, f, ParquetSettings.defaults())) {
      for (T item : items) w.write((Row) JsonValues.convert(toRow.apply(item), struct, false));
    }
    List<T> out = new ArrayList<>();
    try (HfParquetReader r = HfParquetReader.open(file)) {
      assertEquals(f, r.features(), name + ": features in the file");
      while (r.hasNext()) {
        String line = JsonlRowWriter.toJsonLine(r.next(), f);
        out.add(back.parse(JSON.readTree(line)));
      }
    }
    return out;
  }

  @FunctionalInterface
  interface CheckedParse<T> {
    T parse(JsonNode n) throws RecordException;
  }

  private static <T> String jsonl(List<T> items, Function<T, String> write) {
    StringBuilder b = new StringBuilder();
    items.forEach(i -> b.append(write.apply(i)).append('\n'));
    return b.toString();
  }

  @Test
  void featuresAreExact() {
    assertEquals(
        "{\"summary\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"request\": {\"dtype\": \"string\", \"_type\": \"Value\"}, "
            + "\"topic\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"languages\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}, "
            + "\"task\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"concerning_score\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, "
            + "\"user_frustration\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"assistant_errors\": {\"feature\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}, "
            + "\"chat_id\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"metadata\": {\"_type\": \"Json\"}, "
            + "\"embedding\": {\"feature\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}",
        StageFeatures.summaries().toJson());
    assertEquals(
        List.of(
            "id",
            "name",
            "description",
            "slug",
            "chat_ids",
            "parent_id",
            "x_coord",
            "y_coord",
            "level",
            "count"),
        StageFeatures.dimensionality().names());
    assertEquals(
        List.of("id", "name", "description", "slug", "chat_ids", "parent_id", "count"),
        StageFeatures.clusters().names());
    assertEquals(
        new Feature.Sequence(new Feature.Value("float32"), 384),
        StageFeatures.embeddings(384).get("embedding"));
  }

  @Test
  void layoutIsTypedOnlyWhenTheDataAllows() throws IOException {
    List<Conversation> mt =
        ConversationReaderTest.read(
                "mt",
                Files.readString(
                    ConversationReaderTest.RESOURCES.resolve("mt_bench_questions.jsonl")),
                null)
            .ok();
    ConversationLayout.Builder b = new ConversationLayout.Builder();
    mt.forEach(b::add);
    ConversationLayout layout = b.build();
    assertEquals(ConversationLayout.Time.NAIVE, layout.time());
    assertEquals(
        "{\"category\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"question_id\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}",
        Features.of(layout.metadataColumns()).toJson());
    // the fixtures mix offsets (text times) and have one row with a big int (JSON metadata)
    ConversationLayout.Builder f = new ConversationLayout.Builder();
    KuraFixtures.conversations().forEach(f::add);
    assertEquals(ConversationLayout.Time.TEXT, f.build().time());
    assertFalse(f.build().typedMetadata());
    // a key that is an int in one row and a float in another cannot be one column
    ConversationLayout.Builder g = new ConversationLayout.Builder();
    g.add(withMetadata("a", Map.of("k", JsonValue.of(1))));
    g.add(withMetadata("b", Map.of("k", JsonValue.of(1.0))));
    assertFalse(g.build().typedMetadata());
    // keys in two orders cannot be one struct either; an empty list takes the later list type
    ConversationLayout.Builder h = new ConversationLayout.Builder();
    h.add(withMetadata("a", ordered("x", JsonValue.of(1), "y", new JsonValue.Arr(List.of()))));
    h.add(
        withMetadata(
            "b",
            ordered("x", JsonValue.of(2), "y", new JsonValue.Arr(List.of(JsonValue.of(2.5))))));
    assertEquals(
        "{\"x\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"y\": {\"feature\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}",
        Features.of(h.build().metadataColumns()).toJson());
    h.add(withMetadata("c", ordered("y", new JsonValue.Arr(List.of()), "x", JsonValue.of(3))));
    assertFalse(h.build().typedMetadata());
  }

  private static Map<String, JsonValue> ordered(String k1, JsonValue v1, String k2, JsonValue v2) {
    java.util.LinkedHashMap<String, JsonValue> m = new java.util.LinkedHashMap<>();
    m.put(k1, v1);
    m.put(k2, v2);
    return m;
  }

  private static Conversation withMetadata(String id, Map<String, JsonValue> md) {
    return new Conversation(
        id,
        KuraTime.parse("2025-01-01T00:00:00"),
        List.of(new Message(KuraTime.parse("2025-01-01T00:00:00"), Role.USER, "x")),
        new JsonValue.Obj(md));
  }

  @Test
  void everyStageRoundTripsThroughParquetByteForByte() throws Exception {
    // conversations: the fixtures (text times, JSON metadata) and the real files (typed layout)
    List<List<Conversation>> sets = new ArrayList<>();
    sets.add(KuraFixtures.conversations());
    for (String f : List.of("mt_bench_questions.jsonl", "taskmaster_coffee.jsonl")) {
      sets.add(
          ConversationReaderTest.read(
                  f, Files.readString(ConversationReaderTest.RESOURCES.resolve(f)), null)
              .ok());
    }
    // typed metadata with keys absent from some rows (absent is null in the struct, then absent
    // again)
    sets.add(
        List.of(
            withMetadata(
                "k1",
                ordered("x", JsonValue.of(1), "y", new JsonValue.Arr(List.of(JsonValue.of(0.5))))),
            withMetadata("k2", Map.of("y", new JsonValue.Arr(List.of()))),
            withMetadata("k3", Map.of()),
            withMetadata("k4", Map.of("z", JsonValue.of(false)))));
    int n = 0;
    for (List<Conversation> set : sets) {
      ConversationLayout.Builder b = new ConversationLayout.Builder();
      set.forEach(b::add);
      if (set.get(0).chatId().equals("k1")) assertTrue(b.build().typedMetadata());
      for (ConversationLayout layout : List.of(b.build(), ConversationLayout.SAFE)) {
        List<Conversation> back =
            throughParquet(
                "conversations" + n++,
                StageFeatures.conversations(layout),
                set,
                c -> StageRows.row(c, layout),
                r -> StageRows.conversation(r, layout));
        assertEquals(jsonl(set, KuraJson::write), jsonl(back, KuraJson::write), layout.toString());
      }
    }
    List<ConversationSummary> s =
        throughParquet(
            "summaries",
            StageFeatures.summaries(),
            KuraFixtures.summaries(),
            StageRows::row,
            StageRows::summary);
    assertEquals(jsonl(KuraFixtures.summaries(), KuraJson::write), jsonl(s, KuraJson::write));
    List<Cluster> c =
        throughParquet(
            "meta_clusters",
            StageFeatures.clusters(),
            KuraFixtures.clusters(),
            StageRows::row,
            StageRows::cluster);
    assertEquals(jsonl(KuraFixtures.clusters(), KuraJson::write), jsonl(c, KuraJson::write));
    List<ProjectedCluster> p =
        throughParquet(
            "dimensionality",
            StageFeatures.dimensionality(),
            KuraFixtures.projected(),
            StageRows::row,
            StageRows::projectedCluster);
    assertEquals(jsonl(KuraFixtures.projected(), KuraJson::write), jsonl(p, KuraJson::write));
    List<Embedding> e =
        List.of(new Embedding("c-1", new float[] {0.1f, -1e-30f, 3.4e38f}, "all-MiniLM-L6-v2"));
    assertEquals(
        e,
        throughParquet(
            "embeddings", StageFeatures.embeddings(3), e, StageRows::row, StageRows::embedding));
  }

  @Test
  void datasetsReadsTheCheckpointsWithExactTypes() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    everyStageRoundTripsThroughParquetByteForByte(); // writes the Parquet files into dir
    Files.writeString(
        dir.resolve("summaries.jsonl"), jsonl(KuraFixtures.summaries(), KuraJson::write));
    Files.writeString(
        dir.resolve("conversations.jsonl"), jsonl(KuraFixtures.conversations(), KuraJson::write));
    PythonEnv.Result r =
        PythonEnv.runScript(
            KuraFixtures.PYTHON
                + """

                from datasets import Dataset
                import json
                # summaries: the Json metadata comes back as Python values, nulls and empty lists kept
                ds = Dataset.from_parquet("summaries.parquet")
                print("features", ds.features["metadata"], ds.features["concerning_score"])
                got = [ConversationSummary(**row).model_dump_json() for row in ds]
                want = [l for l in open("summaries.jsonl", encoding="utf-8").read().split("\\n") if l]
                print("summaries equal:", got == want)
                # conversations, text layout: pydantic reads the ISO text, metadata keeps int/float/bool
                # (datasets decodes Json with ujson, which refuses ints over 64 bits, as the fixture's
                # big_int: then the column comes back as its text, which json.loads reads exactly)
                ds = Dataset.from_parquet("conversations1.parquet")
                rows = [dict(row) for row in ds]
                print("conversation metadata as text:", isinstance(rows[0]["metadata"], str))
                for row in rows:
                    if isinstance(row["metadata"], str):
                        row["metadata"] = json.loads(row["metadata"])
                got = [Conversation(**row).model_dump_json() for row in rows]
                want = [l for l in open("conversations.jsonl", encoding="utf-8").read().split("\\n") if l]
                print("conversations equal:", got == want)
                # mt-bench, typed layout: naive timestamps and int64 question ids
                ds = Dataset.from_parquet("conversations2.parquet")
                print("mt features", ds.features["created_at"], ds.features["metadata"]["question_id"])
                row = ds[0]
                print("mt row", row["created_at"].isoformat(), type(row["metadata"]["question_id"]).__name__)
                ds = Dataset.from_parquet("dimensionality.parquet")
                got = [ProjectedCluster(**{k: v for k, v in row.items() if k != "count"}).model_dump_json() for row in ds]
                print("dimensionality equal:", got == [p.model_dump_json() for p in projected()])
                """,
            Map.of(),
            dir,
            300);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("summaries equal: True"), r.output());
    assertTrue(r.output().contains("conversations equal: True"), r.output());
    assertTrue(r.output().contains("dimensionality equal: True"), r.output());
    assertTrue(r.output().contains("mt row 2025-06-01T09:00:00 int"), r.output());
    System.out.println(r.output());
  }

  @Test
  void aWrongTimeLayoutIsRefusedNotShifted() {
    Conversation zoned = KuraFixtures.conversations().get(1);
    ConversationLayout naive = new ConversationLayout(ConversationLayout.Time.NAIVE, null);
    try {
      StageRows.row(zoned, naive);
      throw new AssertionError("a zoned time went into a naive column");
    } catch (IllegalArgumentException e) {
      assertTrue(e.getMessage().contains("does not fit"));
    }
    assertNull(KuraFixtures.conversations().get(0).createdAt().offset());
  }
}
