package io.hfbeam.workflow.qa;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qa-export on embedded Flink gives the same bytes as on the DirectRunner. */
class QaExportFlinkIT {
  @TempDir Path tmp;

  @Test
  void flinkLocalProducesTheSameDatasetAsDirect() {
    Path flink = tmp.resolve("flink");
    Path direct = tmp.resolve("direct");
    Cli f =
        Cli.run(
            "qa-export",
            "--input",
            "samples/qa",
            "--output",
            flink.toString(),
            "--runner",
            "flink-local");
    assertThat(f.toString(), f.exitCode, equalTo(0));
    Cli d =
        Cli.run(
            "qa-export",
            "--input",
            "samples/qa",
            "--output",
            direct.toString(),
            "--runner",
            "direct");
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(Files2.hashes(flink), equalTo(Files2.hashes(direct)));
    assertThat(
        Files2.sha256(flink.resolve("qa_pairs.jsonl")),
        equalTo(sha(Files2.resource("qa/expected_qa_pairs.jsonl"))));
  }

  @Test
  void theParallelismFlagOverridesTheProfile() {
    // both shipped profiles set a parallelism; --parallelism replaces it (it used to be rejected as
    // given twice)
    Path flink = tmp.resolve("flink-p1");
    Path direct = tmp.resolve("direct-p3");
    Cli f =
        Cli.run(
            "qa-export",
            "--input",
            "samples/qa",
            "--output",
            flink.toString(),
            "--runner",
            "flink-local",
            "--parallelism",
            "1");
    assertThat(f.toString(), f.exitCode, equalTo(0));
    Cli d =
        Cli.run(
            "qa-export",
            "--input",
            "samples/qa",
            "--output",
            direct.toString(),
            "--runner",
            "direct",
            "--parallelism",
            "3");
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(Files2.hashes(flink), equalTo(Files2.hashes(direct)));
  }

  static String sha(String text) {
    try {
      Path p = Files.createTempFile("exp", ".jsonl");
      Files.writeString(p, text);
      return Files2.sha256(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
