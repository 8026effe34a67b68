package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * convert end to end on the DirectRunner: declared and inferred features, split by key, batches.
 */
public class ConvertWorkflowTest {
  @TempDir Path tmp;

  public static Path jsonl(Path dir, int n) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(
          String.format(
              "{\"id\": %d, \"group\": \"g%d\", \"label\": \"%s\", \"score\": %d, \"tags\": [\"a\", \"b%d\"], \"text\": \"rad %d å\"}",
              i, i % 37, i % 3 == 0 ? "pos" : "neg", i % 100 - 50, i, i));
    }
    lines.add(7, "{\"id\": \"not a number\"}");
    Path f = dir.resolve("records.jsonl");
    Files.write(f, lines);
    return f;
  }

  @Test
  void declaredFeaturesSplitByKeyInBatches() throws Exception {
    Path in = jsonl(tmp, 1000);
    Path features = tmp.resolve("features.yaml");
    Files.writeString(
        features,
        """
        id: int64
        group: string
        label: class_label(neg,pos)
        score: int8
        tags: list<string>
        text: string
        """);
    Path out = tmp.resolve("out");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--features",
            features.toString(),
            "--output",
            out.toString(),
            "--split-by",
            "group",
            "--train-ratio",
            "0.8",
            "--batch-size",
            "300",
            "--format",
            "both");
    assertThat(run.toString(), run.exitCode, equalTo(0));

    Map<String, Set<String>> groupsBySplit = new HashMap<>();
    long total = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
      ResultSet t =
          c.createStatement()
              .executeQuery(
                  "SELECT typeof(score), typeof(label), typeof(tags) FROM '"
                      + out
                      + "/train/batch_001.parquet' LIMIT 1");
      t.next();
      assertThat(t.getString(1), equalTo("TINYINT"));
      assertThat(t.getString(2), equalTo("BIGINT"));
      assertThat(t.getString(3), equalTo("VARCHAR[]"));
      for (String split : List.of("train", "test")) {
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT filename, count(*) FROM read_parquet('"
                        + out
                        + "/"
                        + split
                        + "/*.parquet', filename=true) GROUP BY ALL");
        while (rs.next()) {
          assertThat(rs.getLong(2), lessThanOrEqualTo(300L));
          total += rs.getLong(2);
        }
        ResultSet g =
            c.createStatement()
                .executeQuery(
                    "SELECT DISTINCT \"group\" FROM '" + out + "/" + split + "/*.parquet'");
        Set<String> groups = new HashSet<>();
        while (g.next()) groups.add(g.getString(1));
        groupsBySplit.put(split, groups);
      }
    }
    assertThat(total, equalTo(1000L));
    Set<String> leaked = new HashSet<>(groupsBySplit.get("train"));
    leaked.retainAll(groupsBySplit.get("test"));
    assertThat("no group in both splits", leaked.isEmpty(), equalTo(true));
    assertThat(groupsBySplit.get("test").size(), greaterThan(0));
    assertThat(Files.exists(out.resolve("train/batch_001.jsonl")), equalTo(true));
    assertThat(
        Files.readAllLines(out.resolve("_errors/errors.jsonl")).get(0),
        containsString("\"line\": 8"));

    Map<String, String> before = Files2.hashes(out);
    Cli again =
        Cli.run(
            "convert",
            "--input",
            in.toString(),
            "--features",
            features.toString(),
            "--output",
            out.toString(),
            "--split-by",
            "group",
            "--train-ratio",
            "0.8",
            "--batch-size",
            "300",
            "--format",
            "both");
    assertThat(again.exitCode, equalTo(0));
    assertThat(Files2.hashes(out), equalTo(before));
  }

  @Test
  void infersFeaturesFromCsvAndPrintsThem() throws Exception {
    Path csv = tmp.resolve("people.csv");
    Files.writeString(
        csv,
        "name,age,height,member\n\"Åsa, Jr\",31,1.62,true\nBo,45,1.80,false\n\"multi\nline\",7,1.1,true\n");
    Path out = tmp.resolve("csv-out");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            csv.toString(),
            "--output",
            out.toString(),
            "--train-ratio",
            "1.0",
            "--file-pattern",
            "data/{split}-{index:05d}-of-{count:05d}.parquet");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(run.out, containsString("inferred features"));
    assertThat(run.out, containsString("\nage: int64\n"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT name, age, height, member FROM '"
                        + out
                        + "/data/train-00000-of-00001.parquet'")) {
      rs.next();
      assertThat(rs.getString(1), equalTo("Åsa, Jr"));
      assertThat(rs.getLong(2), equalTo(31L));
      assertThat(rs.getDouble(3), equalTo(1.62));
      assertThat(rs.getBoolean(4), equalTo(true));
    }
  }

  @Test
  void convertsParquetBackIntoADataset() throws Exception {
    Path in = jsonl(tmp, 200);
    Path first = tmp.resolve("first");
    assertThat(
        Cli.run(
                "convert",
                "--input",
                in.toString(),
                "--output",
                first.toString(),
                "--train-ratio",
                "1.0")
            .exitCode,
        equalTo(0));
    Path second = tmp.resolve("second");
    Cli run =
        Cli.run(
            "convert",
            "--input",
            first.resolve("train").toString(),
            "--output",
            second.toString(),
            "--train-ratio",
            "1.0");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        ResultSet rs =
            c.createStatement()
                .executeQuery("SELECT count(*) FROM '" + second + "/train/*.parquet'")) {
      rs.next();
      assertThat(rs.getLong(1), equalTo(201L));
    }
  }

  @Test
  void missingInputFailsFastWithOneLine() {
    Cli run =
        Cli.run(
            "convert",
            "--input",
            tmp.resolve("missing.jsonl").toString(),
            "--output",
            tmp.toString());
    assertThat(run.exitCode, equalTo(2));
    assertThat(run.err.strip(), equalTo("error: input not found: " + tmp.resolve("missing.jsonl")));
  }
}
