package io.hfbeam.workflow.qa;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** qa-export end to end on the DirectRunner, through the CLI as a user runs it. */
class QaExportWorkflowTest {
  static final Path SAMPLE = Path.of("samples/qa");
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void exportsExactlyTheExpectedFilesAndReRunsAreByteIdentical() throws Exception {
    Path out = tmp.resolve("out");
    Cli first =
        Cli.run(
            "qa-export",
            "--input",
            SAMPLE.toString(),
            "--output",
            out.toString(),
            "--format",
            "both");
    assertThat(first.toString(), first.exitCode, equalTo(0));
    assertThat(
        Files.readString(out.resolve("qa_pairs.jsonl")),
        equalTo(Files2.resource("qa/expected_qa_pairs.jsonl")));
    assertThat(
        Files.readString(out.resolve("qa_rejected_hf.jsonl")),
        equalTo(Files2.resource("qa/expected_qa_rejected_hf.jsonl")));
    assertThat(Files.exists(out.resolve("train/batch_001.parquet")), equalTo(true));
    assertThat(Files.exists(out.resolve("rejected/batch_001.parquet")), equalTo(true));
    assertThat(Files.exists(out.resolve("_errors")), equalTo(false));
    assertThat(first.out, containsString("load_dataset(\"" + out.toAbsolutePath()));
    assertThat(first.out, containsString("MapFields"));

    String card = Files.readString(out.resolve("README.md"));
    assertThat(card, containsString("path: train/batch_*.parquet"));
    assertThat(card, containsString("num_examples: 40"));
    assertThat(card, containsString("num_examples: 12"));

    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), min(validation_score), max(persona) FROM '"
                        + out.resolve("train/batch_001.parquet")
                        + "'")) {
      rs.next();
      assertThat(rs.getLong(1), equalTo(40L));
    }

    Map<String, String> before = Files2.hashes(out);
    Cli second =
        Cli.run(
            "qa-export",
            "--input",
            SAMPLE.toString(),
            "--output",
            out.toString(),
            "--format",
            "both");
    assertThat(second.toString(), second.exitCode, equalTo(0));
    assertThat(Files2.hashes(out), equalTo(before));
  }

  @Test
  void malformedLinesGoToErrorsWithLineNumbersAndEverythingElseIsExported() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in);
    List<String> passed = Files.readAllLines(SAMPLE.resolve("qa_passed.jsonl"));
    List<String> expected = Files2.resource("qa/expected_qa_pairs.jsonl").lines().toList();
    List<String> lines = new ArrayList<>();
    List<String> want = new ArrayList<>();
    for (int i = 0; i < passed.size(); i++) {
      lines.add(passed.get(i));
      want.add(expected.get(i));
      if (i == 3) lines.add("{\"id\": \"broken\", \"question\": "); // line 5: broken JSON
      if (i == 10) lines.add(""); // line 13: blank, skipped
      if (i == 20)
        lines.add(
            passed
                .get(i)
                .replace("\"composite_score\": ", "\"composite_score\": \"x\", \"was\": "));
      if (i == 30)
        lines.add(passed.get(i).replaceFirst("\"question\": \"[^\"]*\", ", "")); // missing required
    }
    Files.write(in.resolve("qa_passed.jsonl"), lines, StandardCharsets.UTF_8);
    Files.copy(SAMPLE.resolve("qa_rejected.jsonl"), in.resolve("qa_rejected.jsonl"));

    Path small = tmp.resolve("small-chunks.yaml");
    // tiny chunks: many parallel ranges must still give input order and true line numbers
    Files.writeString(small, "chunk_mb: 0.002\nformat: jsonl\n");
    Path out = tmp.resolve("out");
    Cli run =
        Cli.run(
            "qa-export",
            "--config",
            small.toString(),
            "--input",
            in.toString(),
            "--output",
            out.toString());
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(Files.readAllLines(out.resolve("qa_pairs.jsonl")), equalTo(want));

    List<JsonNode> errors = new ArrayList<>();
    for (String l : Files.readAllLines(out.resolve("_errors/errors.jsonl")))
      errors.add(JSON.readTree(l));
    assertThat(errors, hasSize(3));
    assertThat(errors.get(0).get("line").asLong(), equalTo(5L));
    assertThat(errors.get(0).get("reason").asText(), containsString("invalid JSON"));
    assertThat(errors.get(0).get("source").asText(), containsString("qa_passed.jsonl"));
    assertThat(errors.get(1).get("line").asLong(), equalTo(24L));
    assertThat(errors.get(1).get("reason").asText(), containsString("validation_score"));
    assertThat(errors.get(2).get("line").asLong(), equalTo(35L));
    assertThat(
        errors.get(2).get("reason").asText(), containsString("missing required field 'question'"));
    assertThat(run.out, containsString("errors:"));

    Cli strict =
        Cli.run(
            "qa-export",
            "--config",
            small.toString(),
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("out2").toString(),
            "--max-error-rate",
            "0.01");
    assertThat(strict.toString(), strict.exitCode, equalTo(1));
    assertThat(strict.err, containsString("3 of"));
    assertThat(strict.err, not(containsString("Exception")));
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    Cli badFormat =
        Cli.run(
            "qa-export",
            "--input",
            SAMPLE.toString(),
            "--output",
            tmp.toString(),
            "--format",
            "xml");
    assertThat(badFormat.exitCode, equalTo(2));
    assertThat(
        badFormat.err.strip(), equalTo("error: --format must be jsonl, parquet or both, got xml"));

    Cli missing =
        Cli.run("qa-export", "--input", tmp.resolve("nope").toString(), "--output", tmp.toString());
    assertThat(missing.exitCode, equalTo(2));
    assertThat(missing.err, containsString("input directory not found"));
    assertThat(missing.err.lines().toList(), hasSize(1));

    Cli zero =
        Cli.run(
            "qa-export",
            "--input",
            SAMPLE.toString(),
            "--output",
            tmp.toString(),
            "--parallelism",
            "0");
    assertThat(zero.exitCode, equalTo(2));
    assertThat(zero.err.strip(), equalTo("error: --parallelism must be at least 1, got 0"));

    Cli unknown = Cli.run("qa-export", "--bogus");
    assertThat(unknown.exitCode, equalTo(2));
    assertThat(unknown.err.lines().toList(), hasItem(containsString("Unknown option: '--bogus'")));
  }
}
