package io.hfbeam.workflow.checkpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python's side of the checkpoint tools (the project venv: datasets 5.0.1, pydantic 2.13.5): {@code
 * datasets.load_dataset(NEW, STAGE)} loads every migrated stage with exactly the stage's features,
 * and its rows, read with Kura's models (kura_models.py, written from kura.md's tables), give the
 * Kura file's lines; Kura's models load the exported files and write them back byte for byte.
 */
class CheckpointsPythonTest {
  private static final Path MODELS =
      CheckpointToolsTest.RESOURCES.resolve("kura_models.py").toAbsolutePath();

  @TempDir Path tmp;

  @BeforeAll
  static void python() {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
  }

  private PythonEnv.Result run(String script) throws Exception {
    PythonEnv.Result r =
        PythonEnv.runScript(
            "import sys\nsys.path.insert(0, "
                + pyString(MODELS.getParent().toString())
                + ")\n"
                + script,
            Map.of(
                "HF_DATASETS_CACHE", tmp.resolve("cache").toString(),
                "HF_HUB_OFFLINE", "1",
                "HF_HOME", tmp.resolve("hf").toString()),
            tmp,
            600);
    System.out.println(r.output());
    return r;
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  @Test
  void loadDatasetReadsEveryStageWithExactFeaturesAndValues() throws Exception {
    Path root = tmp.resolve("new");
    Migration.migrate(CheckpointToolsTest.FIXTURE, root, ParquetSettings.defaults());
    // lz4 is Parquet's LZ4_RAW: pyarrow reads it
    Migration.migrate(
        CheckpointToolsTest.FIXTURE,
        tmp.resolve("new-lz4"),
        ParquetSettings.builder().codec("lz4").build());
    StringBuilder expected = new StringBuilder("{");
    for (KuraStage<?> s : KuraStage.ALL) {
      try (StageData d = StageData.open(root, s.name())) {
        if (expected.length() > 1) expected.append(", ");
        expected.append('"').append(s.name()).append("\": ").append(d.features().toJson());
      }
    }
    expected.append('}');
    Files.writeString(tmp.resolve("expected_features.json"), expected.toString());
    PythonEnv.Result r =
        run(
            "FIXTURE = "
                + pyString(CheckpointToolsTest.FIXTURE.toAbsolutePath().toString())
                + "\n"
                + """
                import json
                from datasets import load_dataset, Features
                from kura_models import Conversation, ConversationSummary, Cluster, ProjectedCluster
                expected = json.load(open("expected_features.json"))
                models = {"conversations": Conversation, "summaries": ConversationSummary,
                          "clusters": Cluster, "meta_clusters": Cluster, "dimensionality": ProjectedCluster}
                for stage, model in models.items():
                    ds = load_dataset("new", stage, split="train")
                    same_features = ds.features == Features.from_dict(expected[stage])
                    lines = open(f"{FIXTURE}/{stage}.jsonl", encoding="utf-8").read().split("\\n")[:-1]
                    got = []
                    for row in ds:
                        row = dict(row)
                        row.pop("count", None)  # Kura's computed field
                        got.append(model(**row).model_dump_json())
                    print(f"{stage}: rows {len(ds)} features {same_features} values {got == lines}")
                    if got != lines:
                        for a, b in zip(got, lines):
                            if a != b:
                                print("  first difference:", a[:300], "|", b[:300])
                                break
                print("dtypes", ds.features["level"].dtype, ds.features["x_coord"].dtype)
                lz4 = load_dataset("new-lz4", "summaries", split="train")
                print("lz4 equal:", [dict(r) for r in lz4] == [dict(r) for r in load_dataset("new", "summaries", split="train")])
                s = load_dataset("new", "summaries", split="train").features
                print("summaries", s["concerning_score"].dtype, type(s["metadata"]).__name__)
                """);
    assertEquals(0, r.exitCode(), r.output());
    for (String s :
        new String[] {
          "conversations: rows 4",
          "summaries: rows 4",
          "clusters: rows 5",
          "meta_clusters: rows 8",
          "dimensionality: rows 8"
        }) {
      assertTrue(r.output().contains(s + " features True values True"), s + " in\n" + r.output());
    }
    assertTrue(r.output().contains("dtypes int64 float64"), r.output());
    assertTrue(r.output().contains("summaries int8 Json"), r.output());
    assertTrue(r.output().contains("lz4 equal: True"), r.output());
  }

  @Test
  void kurasModelsLoadTheExportedFiles() throws Exception {
    Path root = tmp.resolve("new");
    Migration.migrate(CheckpointToolsTest.FIXTURE, root, ParquetSettings.defaults());
    Export.export(root, tmp.resolve("exported"));
    PythonEnv.Result r =
        run(
            """
            from kura_models import main
            sys.exit(main("exported"))
            """);
    assertEquals(0, r.exitCode(), r.output());
    for (String f :
        new String[] {
          "conversations.jsonl: 4 rows, Conversation",
          "summaries.jsonl: 4 rows, ConversationSummary",
          "clusters.jsonl: 5 rows, Cluster",
          "meta_clusters.jsonl: 8 rows, Cluster",
          "dimensionality.jsonl: 8 rows, ProjectedCluster"
        }) {
      assertTrue(r.output().contains(f + ", bytes equal True"), f + " in\n" + r.output());
    }
  }
}
