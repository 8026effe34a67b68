package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.STAGES;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.comparable;
import static io.hfbeam.workflow.conversations.AnalyzeRuns.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.KuraFixtures;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Feature;
import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations analyze} end to end through the CLI, offline defaults: every stage is a
 * complete checkpoint, the stages agree with each other and with the input, and {@code
 * datasets.load_dataset(ROOT, STAGE)} reads every stage with the features and values Java wrote.
 */
class ConversationsAnalyzeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  @Test
  void everyStageIsACompleteCheckpointThatDatasetsReadsExactly() throws Exception {
    record Case(String name, Path input, String clusters) {}
    List<Case> cases =
        List.of(
            new Case("mt", AnalyzeRuns.MT_BENCH, "8"),
            new Case("taskmaster", AnalyzeRuns.TASKMASTER, "0"),
            new Case("typed", AnalyzeRuns.FORMATS.resolve("kura_typed.jsonl"), "2"),
            new Case("mixed", AnalyzeRuns.FORMATS.resolve("kura_mixed.jsonl"), "2"));
    StringBuilder roots = new StringBuilder();
    for (Case c : cases) {
      Path root = tmp.resolve(c.name());
      analyzeOk(root, "--input", c.input().toString(), "--clusters", c.clusters());
      checkJavaSide(root, c.input());
      // what Python must find: Java's rows (pydantic JSON) and features, per stage
      Path want = tmp.resolve("want-" + c.name());
      Files.createDirectories(want);
      for (String stage : STAGES) {
        Files.write(want.resolve(stage + ".jsonl"), comparable(root, stage));
        Files.writeString(
            want.resolve(stage + ".features.json"), read(root, stage).features().toJson());
      }
      roots.append(c.name()).append('\t').append(root).append('\t').append(want).append('\n');
    }
    assertLayouts(tmp);
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Files.writeString(tmp.resolve("roots.tsv"), roots.toString());
    PythonEnv.Result r =
        PythonEnv.runScript(
            KuraFixtures.PYTHON
                + """

                import hashlib, json, os
                import numpy as np
                from datasets import Features, load_dataset, disable_progress_bars
                disable_progress_bars()
                for line in open("roots.tsv").read().splitlines():
                    name, root, want = line.split("\\t")
                    for stage in ["conversations", "embeddings", "clusters", "meta_clusters", "dimensionality"]:
                        ds = load_dataset(root, stage, split="train", cache_dir=os.path.join(want, "cache"))
                        features = Features.from_dict(json.load(open(os.path.join(want, stage + ".features.json"))))
                        print(name, stage, "features equal:", ds.features == features)
                        rows = [dict(r) for r in ds]
                        if stage == "conversations":
                            for r in rows:
                                if isinstance(r["metadata"], str):
                                    r["metadata"] = json.loads(r["metadata"])
                            convs = [Conversation(**r) for r in rows]
                            got = [c.model_dump_json() for c in convs]
                            types = sorted({k + ":" + type(v).__name__ for r in rows for k, v in r["metadata"].items()})
                            # every time as pydantic reads it (a text layout holds the ISO text)
                            times = [t for c in convs for t in [c.created_at] + [m.created_at for m in c.messages]]
                            zones = sorted({"naive" if t.tzinfo is None else str(t.utcoffset()) for t in times})
                            print(name, "metadata types", types)
                            print(name, "zones", zones)
                        elif stage == "embeddings":
                            got = [r["chat_id"] + " " + r["model"] + " " + hashlib.sha256(np.asarray(r["embedding"], dtype="<f4").tobytes()).hexdigest() for r in rows]
                        else:
                            counts = all(r["count"] == len(r["chat_ids"]) for r in rows)
                            print(name, stage, "counts right:", counts)
                            model = ProjectedCluster if stage == "dimensionality" else Cluster
                            got = [model(**{k: v for k, v in r.items() if k != "count"}).model_dump_json() for r in rows]
                        want_rows = [l for l in open(os.path.join(want, stage + ".jsonl"), encoding="utf-8").read().split("\\n") if l]
                        print(name, stage, "rows equal:", sorted(got) == want_rows, len(got))
                """,
            Map.of("HF_DATASETS_OFFLINE", "1"),
            tmp,
            600);
    assertEquals(0, r.exitCode(), r.output());
    System.out.println(r.output());
    for (Case c : cases) {
      for (String stage : STAGES) {
        assertTrue(
            r.output().contains(c.name() + " " + stage + " features equal: True"), r.output());
        assertTrue(r.output().contains(c.name() + " " + stage + " rows equal: True"), r.output());
      }
      for (String stage : List.of("clusters", "meta_clusters", "dimensionality")) {
        assertTrue(r.output().contains(c.name() + " " + stage + " counts right: True"), r.output());
      }
    }
    // Python's own view of the types: int stays int, float float, bool bool; naive vs zoned
    assertTrue(
        r.output().contains("mt metadata types ['category:str', 'question_id:int']"), r.output());
    assertTrue(
        r.output()
            .contains(
                "typed metadata types ['resolved:bool', 'score:float', 'source:str', 'tags:list', 'turns:int']"),
        r.output());
    assertTrue(
        r.output()
            .contains(
                "mixed metadata types ['hard:bool', 'level:float', 'level:int', 'topic:str']"),
        r.output());
    assertTrue(r.output().contains("mt zones ['naive']"), r.output());
    assertTrue(r.output().contains("typed zones ['0:00:00']"), r.output());
    assertTrue(
        r.output().contains("mixed zones ['-1 day, 16:00:00', '0:00:00', '5:30:00', 'naive']"),
        r.output());
  }

  /** The checkpoint files, the root card, and the stages against the input and each other. */
  static void checkJavaSide(Path root, Path input) throws Exception {
    Map<String, Long> rows = new HashMap<>();
    for (String stage : STAGES) {
      CheckpointLayout.StageInfo info = CheckpointLayout.read(root, stage).orElseThrow();
      assertTrue(info.fingerprint().matches("[0-9a-f]{64}"), info.toString());
      long inFiles = read(root, stage).rows().size();
      assertEquals(inFiles, info.rows(), stage + ": checkpoint.json's rows");
      assertTrue(Files.isRegularFile(root.resolve(stage).resolve("README.md")), stage);
      rows.put(stage, inFiles);
    }
    // the root card: one config per stage, each reading that stage's data files
    JsonNode card = DatasetCard.frontMatter(Files.readString(root.resolve("README.md")));
    List<String> configs = new ArrayList<>();
    for (JsonNode c : card.path("configs")) {
      configs.add(c.path("config_name").asText());
      assertEquals(
          c.path("config_name").asText() + "/data/train-*-of-*.parquet",
          c.path("data_files").get(0).path("path").asText(),
          c.toString());
    }
    assertEquals(STAGES, configs, card.toString());

    // conversations: the input's chat ids, message counts and metadata, as Kura's JSON
    Map<String, String> inputById = new HashMap<>();
    for (String line : Files.readAllLines(input, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      String id = JSON.readTree(line).path("chat_id").asText();
      inputById.put(id, KuraJson.write(KuraJson.conversation(JSON.readTree(line))));
    }
    List<String> conversations = comparable(root, StageFeatures.CONVERSATIONS);
    assertEquals(inputById.size(), conversations.size());
    for (String c : conversations) {
      String id = JSON.readTree(c).path("chat_id").asText();
      assertEquals(inputById.get(id), c, "conversation " + id + " as Kura writes it");
    }
    Set<String> ids = new TreeSet<>(inputById.keySet());

    // embeddings: one per conversation, 384 floats of the local model
    AnalyzeRuns.StageData emb = read(root, StageFeatures.EMBEDDINGS);
    Set<String> embedded = new TreeSet<>();
    for (Row r : emb.rows()) {
      embedded.add(r.getString("chat_id"));
      assertEquals(384, r.getArray("embedding").size());
    }
    assertEquals(ids, embedded);

    // base clusters: every conversation in exactly one, count = members
    List<Cluster> base = clusters(root, StageFeatures.CLUSTERS);
    List<String> members = new ArrayList<>();
    for (Cluster c : base) {
      assertTrue(c.count() > 0, "an empty cluster: " + c);
      members.addAll(c.chatIds());
    }
    assertEquals(ids.size(), members.size(), "each conversation in one base cluster");
    assertEquals(ids, new TreeSet<>(members));

    // meta clusters: the base clusters plus their parents; every parent id exists, roots have null
    List<Cluster> meta = clusters(root, StageFeatures.META_CLUSTERS);
    Map<String, Cluster> byId = new HashMap<>();
    for (Cluster c : meta) byId.put(c.id(), c);
    assertEquals(meta.size(), byId.size(), "unique ids");
    for (Cluster b : base) assertTrue(byId.containsKey(b.id()), "base cluster kept: " + b.id());
    int roots = 0;
    for (Cluster c : meta) {
      if (c.parentId() == null) roots++;
      else {
        Cluster parent = byId.get(c.parentId());
        assertTrue(parent != null, "parent of " + c.id() + " exists");
        assertTrue(parent.chatIds().containsAll(c.chatIds()), "a parent holds its children");
      }
    }
    assertTrue(roots >= 1 && roots <= 10, "1..max-top-clusters roots: " + roots);
    Set<String> rootMembers = new HashSet<>();
    for (Cluster c : meta) if (c.parentId() == null) rootMembers.addAll(c.chatIds());
    assertEquals(ids, new TreeSet<>(rootMembers), "the roots cover every conversation");

    // dimensionality: one point per meta cluster, same ids and parents
    AnalyzeRuns.StageData dim = read(root, StageFeatures.DIMENSIONALITY);
    assertEquals(meta.size(), dim.rows().size());
    for (Row r : dim.rows()) {
      Cluster c = byId.get(r.getString("id"));
      assertTrue(c != null, r.toString());
      assertEquals(c.parentId(), r.getString("parent_id"));
      assertTrue(
          Double.isFinite(r.getDouble("x_coord")) && Double.isFinite(r.getDouble("y_coord")));
    }
    assertEquals(rows.get(StageFeatures.META_CLUSTERS), (long) dim.rows().size());
  }

  static List<Cluster> clusters(Path root, String stage) throws Exception {
    AnalyzeRuns.StageData d = read(root, stage);
    List<Cluster> out = new ArrayList<>();
    for (Row r : d.rows()) {
      // count is Kura's computed field: the stored column must agree with the members
      assertEquals(r.getArray("chat_ids").size(), r.getInt64("count").intValue(), r.toString());
      out.add(StageRows.cluster(JSON.readTree(JsonlRowWriter.toJsonLine(r, d.features()))));
    }
    return out;
  }

  /** The conversations checkpoint's column types follow the data (typed where it allows). */
  static void assertLayouts(Path tmp) throws Exception {
    var mt = read(tmp.resolve("mt"), StageFeatures.CONVERSATIONS).features();
    assertEquals(new Feature.Value("timestamp[us]"), mt.get("created_at"));
    var mtMd = assertInstanceOf(Feature.Struct.class, mt.get("metadata")).fields();
    assertEquals(new Feature.Value("string"), mtMd.get("category"));
    assertEquals(new Feature.Value("int64"), mtMd.get("question_id"));
    var typed = read(tmp.resolve("typed"), StageFeatures.CONVERSATIONS).features();
    assertEquals(new Feature.Value("timestamp[us, tz=UTC]"), typed.get("created_at"));
    var md = assertInstanceOf(Feature.Struct.class, typed.get("metadata")).fields();
    assertEquals(new Feature.Value("float64"), md.get("score"));
    assertEquals(new Feature.Value("bool"), md.get("resolved"));
    assertEquals(new Feature.Value("int64"), md.get("turns"));
    var mixed = read(tmp.resolve("mixed"), StageFeatures.CONVERSATIONS).features();
    assertEquals(new Feature.Value("string"), mixed.get("created_at"));
    assertInstanceOf(Feature.Json.class, mixed.get("metadata"));
  }
}
