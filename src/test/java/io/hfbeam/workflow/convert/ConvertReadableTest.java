package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.hfbeam.cli.Cli;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What convert tells the user about features: inferred ones as a features file, widenings, dropped
 * and missing columns.
 */
class ConvertReadableTest {
  @TempDir Path tmp;

  private static Features cardFeatures(Path out) throws Exception {
    return Features.parse(
        DatasetCard.frontMatter(Files.readString(out.resolve("README.md")))
            .path("dataset_info")
            .path("features"));
  }

  /** The printed block: from the "# inferred features" line to the first blank line. */
  private static String printedBlock(String out) {
    List<String> lines = out.lines().toList();
    int start = 0;
    while (start < lines.size() && !lines.get(start).startsWith("# inferred features")) start++;
    StringBuilder sb = new StringBuilder();
    for (int i = start; i < lines.size() && !lines.get(i).isBlank(); i++)
      sb.append(lines.get(i)).append('\n');
    return sb.toString();
  }

  @Test
  void inferredFeaturesPrintAsAFeaturesFileThatGivesTheSameFeatures() throws Exception {
    Path in = tmp.resolve("a.jsonl");
    Files.writeString(
        in,
        """
        {"id": 1, "age": 30, "tags": ["x"], "meta": {"ok": true, "n": [1, 2]}, "items": [{"k": "v"}]}
        {"id": 2, "age": 31, "tags": [], "meta": {"ok": false, "n": []}, "items": []}
        {"id": 3, "age": "unknown", "tags": ["y"], "meta": {"ok": true, "n": [3]}, "items": [{"k": "w"}]}
        {"id": 4, "age": 33, "tags": ["z"], "meta": {"ok": true, "n": [4]}, "items": []}
        {"id": 5.5, "age": 34, "tags": ["z"], "meta": {"ok": true, "n": [4]}, "items": []}
        """);
    Cli inferred =
        Cli.run(
            "convert", "--input", in.toString(), "--output", tmp.resolve("inferred").toString());
    assertThat(inferred.toString(), inferred.exitCode, equalTo(0));
    String block = printedBlock(inferred.out);
    assertThat(inferred.out, block, containsString("\nid: float64\n"));
    assertThat(block, containsString("\nage: string\n"));
    assertThat(
        block, containsString("column `age`: int64 widened to string by 1 record: a.jsonl line 3"));
    assertThat(
        block, containsString("column `id`: int64 widened to float64 by 1 record: a.jsonl line 5"));
    assertThat(block, not(containsString("column `tags`")));

    Path file = tmp.resolve("features.yaml");
    Files.writeString(file, block);
    Cli declared =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("declared").toString(),
            "--features",
            file.toString());
    assertThat(declared.toString(), declared.exitCode, equalTo(0));
    assertThat(
        cardFeatures(tmp.resolve("declared")), equalTo(cardFeatures(tmp.resolve("inferred"))));
  }

  @Test
  void droppedAndMissingColumnsAreCountedAndStrictFails() throws Exception {
    Path in = tmp.resolve("b.jsonl");
    Files.writeString(
        in,
        """
        {"id": 1, "a": 1, "b": 2, "c": 3}
        {"id": 2, "a": 1, "x": 5}
        {"id": 3}
        {"id": 4, "x": 6}
        """);
    Path features = tmp.resolve("features.yaml");
    Files.writeString(features, "id: int64\nx: int64\n");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--features",
            features.toString());
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(
        run.err,
        containsString("warning: 3 input columns not declared, dropped: a, b, c (in 2 records)"));
    assertThat(
        run.err,
        containsString("warning: declared column `x` missing in 2 records, written as null"));

    Cli strict =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("strict").toString(),
            "--features",
            features.toString(),
            "--strict");
    assertThat(strict.toString(), strict.exitCode, equalTo(1));
    assertThat(strict.err, containsString("3 of 4 records failed"));
    assertThat(
        "a strict run that fails leaves no dataset",
        Files.exists(tmp.resolve("strict/README.md")),
        equalTo(false));
    String errors =
        Files.readString(
            io.hfbeam.dataset.StagedDataset.stagingDir(tmp.resolve("strict"))
                .resolve("_errors/errors.jsonl"));
    assertThat(
        errors, containsString("--strict: undeclared columns a, b, c; declared column x missing"));
    assertThat(errors, containsString("\"line\": 3"));

    // --strict with an error budget: the mismatched records are failures, the others the dataset
    Cli budget =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("budget").toString(),
            "--features",
            features.toString(),
            "--strict",
            "--max-error-rate",
            "0.8");
    assertThat(budget.toString(), budget.exitCode, equalTo(0));
    assertThat(budget.out, containsString("MapFields"));
    assertThat(
        Files.readString(tmp.resolve("budget/_errors/errors.jsonl")).lines().count(), equalTo(3L));

    Path exact = tmp.resolve("c.jsonl");
    Files.writeString(exact, "{\"id\": 1, \"x\": 2}\n");
    Cli clean =
        Cli.run(
            "convert",
            "--input",
            exact.toString(),
            "--output",
            tmp.resolve("clean").toString(),
            "--features",
            features.toString(),
            "--strict");
    assertThat(clean.toString(), clean.exitCode, equalTo(0));
    assertThat(clean.err, not(containsString("warning")));
  }

  @Test
  void aRecordThatFailsIsCountedAsAFailureNotAsAMissingColumn() throws Exception {
    Path in = tmp.resolve("n.jsonl");
    Files.writeString(in, "{\"n\": 300}\n{\"n\": 255}\n{\"f\": 1.5}\n");
    Path features = tmp.resolve("nf.yaml");
    Files.writeString(features, "n: uint8\nf: float32\n");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--features",
            features.toString());
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(run.err, containsString("declared column `f` missing in 1 record, written as null"));
    assertThat(run.err, containsString("declared column `n` missing in 1 record, written as null"));
  }

  @Test
  void csvColumnsToo() throws Exception {
    Path in = tmp.resolve("d.csv");
    Files.writeString(in, "id,extra\n1,a\n2,b\n");
    Path features = tmp.resolve("f.yaml");
    Files.writeString(features, "id: int64\nscore: float64\n");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--features",
            features.toString());
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(
        run.err,
        containsString("warning: 1 input column not declared, dropped: extra (in 2 records)"));
    assertThat(
        run.err,
        containsString("warning: declared column `score` missing in 2 records, written as null"));
  }
}
