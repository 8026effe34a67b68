package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import io.hfbeam.testing.PythonEnv;
import io.hfbeam.workflow.DatasetsInteropIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chess-positions on embedded Flink (parallelism 2) equals the DirectRunner; datasets loads it
 * exactly.
 */
class ChessPositionsFlinkIT {
  @TempDir Path tmp;

  @Test
  void flinkLocalEqualsDirectAndDatasetsLoadsTheWindowAsArray2DInt8() throws Exception {
    Path yaml = tmp.resolve("c.yaml");
    Files.writeString(yaml, "chunk_mb: 0.25\n");
    String[] args = {
      "chess-positions",
      "--config",
      yaml.toString(),
      "--data-path",
      ChessPositionsWorkflowTest.PGN5000.toString(),
      "--batch-size",
      "50000",
      "--metadata"
    };
    Path flink = tmp.resolve("flink/ds");
    Path direct = tmp.resolve("direct/ds");
    Cli f =
        Cli.run(
            ChessPositionsWorkflowTest.concat(
                args, "--output", flink.toString(), "--runner", "flink-local"));
    assertThat(f.toString(), f.exitCode, equalTo(0));
    Cli d =
        Cli.run(
            ChessPositionsWorkflowTest.concat(
                args, "--output", direct.toString(), "--runner", "direct"));
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(Files2.hashes(flink), equalTo(Files2.hashes(direct)));

    if (!PythonEnv.available()) {
      System.err.println(
          "!!!!! datasets check of chess-positions SKIPPED: " + PythonEnv.skipReason());
      return;
    }
    PythonEnv.Result r =
        PythonEnv.runScript(
            """
        import datasets
        from datasets import Array2D, Value, List
        ds = datasets.load_dataset(%s)
        assert sorted(ds.keys()) == ["test", "train"], ds
        assert ds["train"].num_rows + ds["test"].num_rows == 327416
        f = ds["train"].features
        assert f["window"] == Array2D(shape=(10, 69), dtype="int8"), f
        assert ds["train"].data.schema.field("window").type.storage_type.value_type.value_type == "int8"
        assert f["white_elo"] == Value("int16"), f
        train = set(ds["train"].unique("game_id")); test = set(ds["test"].unique("game_id"))
        assert not (train & test), "leaked games"
        assert len(train) + len(test) == 5000
        print("CHECKED")
        """
                .formatted(DatasetsInteropIT.py(flink)),
            Map.of("HF_DATASETS_OFFLINE", "1", "HF_HUB_OFFLINE", "1"),
            null,
            600);
    assertThat(r.output(), r.exitCode(), equalTo(0));
    assertThat(r.output(), containsString("CHECKED"));
  }
}
