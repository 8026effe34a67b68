package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert on embedded Flink gives the same bytes as on the DirectRunner, bad records included. */
class ConvertFlinkIT {
  @TempDir Path tmp;

  @Test
  void flinkLocalProducesTheSameDatasetAsDirect() throws Exception {
    Path in = ConvertWorkflowTest.jsonl(tmp, 3000);
    Path features = tmp.resolve("features.yaml");
    Files.writeString(
        features,
        "id: int64\ngroup: string\nlabel: class_label(neg,pos)\nscore: int8\ntags: list<string>\ntext: string\n");
    Path small = tmp.resolve("small.yaml");
    Files.writeString(small, "chunk_mb: 0.05\n");
    String[] common = {
      "convert",
      "--config",
      small.toString(),
      "--input",
      in.toString(),
      "--features",
      features.toString(),
      "--split-by",
      "group",
      "--batch-size",
      "700",
      "--format",
      "both"
    };
    Cli f =
        Cli.run(
            concat(
                common, "--output", tmp.resolve("flink/ds").toString(), "--runner", "flink-local"));
    assertThat(f.toString(), f.exitCode, equalTo(0));
    Cli d =
        Cli.run(
            concat(common, "--output", tmp.resolve("direct/ds").toString(), "--runner", "direct"));
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(
        Files2.hashes(tmp.resolve("flink/ds")), equalTo(Files2.hashes(tmp.resolve("direct/ds"))));
    assertThat(Files.readAllLines(tmp.resolve("flink/ds/_errors/errors.jsonl")).size(), equalTo(1));
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
