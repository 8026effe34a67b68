package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real reader: Python {@code datasets} and pyarrow load what qa-export and convert wrote, with
 * the declared features (int8 included), split names and row counts. Skips only when Python itself
 * is missing.
 */
public class DatasetsInteropIT {
  @TempDir Path tmp;

  @BeforeAll
  static void python() {
    Assumptions.assumeTrue(
        PythonEnv.available(), "Python interop skipped: " + PythonEnv.skipReason());
  }

  static void check(String script) throws Exception {
    PythonEnv.Result r =
        PythonEnv.runScript(
            script, Map.of("HF_DATASETS_OFFLINE", "1", "HF_HUB_OFFLINE", "1"), null, 300);
    assertThat(r.output(), r.exitCode(), equalTo(0));
    assertThat(r.output(), containsString("CHECKED"));
  }

  @Test
  void qaExportLoadsWithExactSplitsAndFeatures() throws Exception {
    Path out = tmp.resolve("qa");
    assertThat(
        Cli.run(
                "qa-export",
                "--input",
                "samples/qa",
                "--output",
                out.toString(),
                "--format",
                "both")
            .exitCode,
        equalTo(0));
    check(
        """
        import datasets, pyarrow.parquet as pq
        from datasets import Features, Value
        ds = datasets.load_dataset(%s)
        assert sorted(ds.keys()) == ["rejected", "train"], ds
        assert ds["train"].num_rows == 40 and ds["rejected"].num_rows == 12, ds
        want = Features({"question": Value("string"), "answer": Value("string"), "source": Value("string"),
                         "persona": Value("string"), "validation_score": Value("float64")})
        assert ds["train"].features == want, ds["train"].features
        assert ds["train"][0]["persona"] == "underskoterska/specialist"
        schema = pq.read_schema(%s)
        assert b"huggingface" in schema.metadata
        j = datasets.load_dataset("json", data_files={"train": %s})
        assert j["train"].num_rows == 40
        print("CHECKED")
        """
            .formatted(
                py(out),
                py(out.resolve("train/batch_001.parquet")),
                py(out.resolve("qa_pairs.jsonl"))));
  }

  @Test
  void convertKeepsInt8ClassLabelsListsAndArraysThroughTheCard() throws Exception {
    Path in = tmp.resolve("in.jsonl");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      sb.append(
          String.format(
              "{\"id\": %d, \"small\": %d, \"label\": \"%s\", \"vec\": [%d, 1, 2], \"grid\": [[1, 2, 3], [4, 5, %d]], \"meta\": {\"a\": %d, \"b\": \"x\"}}%n",
              i, i - 50, i % 2 == 0 ? "neg" : "pos", i, i, i));
    }
    Files.writeString(in, sb.toString());
    Path features = tmp.resolve("features.yaml");
    Files.writeString(
        features,
        """
        id: int64
        small: int8
        label: class_label(neg,pos)
        vec: list<int16>[3]
        grid: array2d<int8>(2,3)
        meta: {a: int32, b: string}
        """);
    Path out = tmp.resolve("conv");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--features",
            features.toString(),
            "--output",
            out.toString(),
            "--batch-size",
            "30");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    check(
        """
        import datasets
        from datasets import Features, Value, ClassLabel, Array2D, Sequence
        ds = datasets.load_dataset(%s)
        assert sorted(ds.keys()) == ["test", "train"], ds
        assert ds["train"].num_rows + ds["test"].num_rows == 100
        f = ds["train"].features
        assert f["small"] == Value("int8"), f
        assert f["label"] == ClassLabel(names=["neg", "pos"]), f
        assert f["grid"] == Array2D(shape=(2, 3), dtype="int8"), f
        assert f["meta"] == {"a": Value("int32"), "b": Value("string")}, f
        assert ds["train"].data.schema.field("small").type == "int8"
        row = ds["train"][0]
        assert len(row["grid"]) == 2 and len(row["grid"][0]) == 3
        print("CHECKED")
        """
            .formatted(py(out)));
  }

  public static String py(Path p) {
    return "\"" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
