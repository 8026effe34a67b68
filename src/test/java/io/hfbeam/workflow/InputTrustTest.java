package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.cli.Cli;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input to convert and qa-export: corrupt files, broken CSV rows, values that must not
 * change silently, mixed formats. A bad file or record is a located failure; every good record next
 * to it is kept.
 */
class InputTrustTest {
  static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path tmp;

  /** convert to JSONL with the given features; returns the run. */
  Cli convert(Path input, String features, String... more) throws Exception {
    List<String> args =
        new ArrayList<>(
            List.of(
                "convert",
                "--input",
                input.toString(),
                "--output",
                tmp.resolve("out").toString(),
                "--train-ratio",
                "1.0",
                "--format",
                "jsonl"));
    if (features != null) {
      Path f = tmp.resolve("features.yaml");
      Files.writeString(f, features);
      args.addAll(List.of("--features", f.toString()));
    }
    args.addAll(List.of(more));
    return Cli.run(args.toArray(String[]::new));
  }

  List<String> rows() throws Exception {
    Path f = tmp.resolve("out/train/batch_001.jsonl");
    return Files.exists(f) ? Files.readAllLines(f) : List.of();
  }

  List<JsonNode> errors() throws Exception {
    Path f = tmp.resolve("out/_errors/errors.jsonl");
    List<JsonNode> out = new ArrayList<>();
    if (Files.exists(f)) for (String l : Files.readAllLines(f)) out.add(JSON.readTree(l));
    return out;
  }

  Path write(String name, String text) throws Exception {
    Path f = tmp.resolve("in").resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return f;
  }

  static byte[] gzip(String text) throws Exception {
    java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
    try (OutputStream o = new GZIPOutputStream(b)) {
      o.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }

  // ---------------------------------------------------------------- item 4: corrupt files,
  // oversize records

  @Test
  void truncatedGzipIsALocatedFailureAndTheOtherFilesAreKept() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 2000; i++)
      many.append("{\"id\": ")
          .append(i)
          .append(", \"t\": \"")
          .append("x".repeat(i % 50))
          .append("\"}\n");
    byte[] gz = gzip(many.toString());
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir);
    Files.write(
        dir.resolve("a.jsonl.gz"),
        java.util.Arrays.copyOf(gz, gz.length * 2 / 3)); // a partial download
    Files.writeString(dir.resolve("b.jsonl"), "{\"id\": 5000}\n{\"id\": 5001}\n");
    Cli run = convert(dir, "id: int64\nt: string\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    List<String> rows = rows();
    assertThat(rows, org.hamcrest.Matchers.hasItem("{\"id\": 5001, \"t\": null}"));
    assertThat(
        rows.get(0), equalTo("{\"id\": 0, \"t\": \"\"}")); // the records before the damage are kept
    assertThat(rows.size(), org.hamcrest.Matchers.greaterThan(1000));
    List<JsonNode> errors = errors();
    assertThat(errors.toString(), errors, hasSize(1));
    assertThat(errors.get(0).get("source").asText(), containsString("a.jsonl.gz"));
    assertThat(errors.get(0).get("reason").asText(), containsString("corrupt"));
    assertThat(errors.get(0).get("line").asLong(), equalTo(rows.size() - 2L + 1));
  }

  @Test
  void damagedGzipEndsAtTheDamageAndTheRunGoesOn() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 2000; i++) many.append("{\"id\": ").append(i).append("}\n");
    byte[] gz = gzip(many.toString());
    for (int i = gz.length / 2; i < gz.length / 2 + 40; i++)
      gz[i] ^= 0x5A; // deflate may decode garbage until the CRC
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir);
    Files.write(dir.resolve("a.jsonl.gz"), gz);
    Files.writeString(dir.resolve("b.jsonl"), "{\"id\": 5000}\n");
    Cli run = convert(dir, "id: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows().get(0), equalTo("{\"id\": 0}"));
    assertThat(rows(), org.hamcrest.Matchers.hasItem("{\"id\": 5000}"));
    List<JsonNode> errors = errors();
    assertThat(errors.get(errors.size() - 1).get("reason").asText(), containsString("corrupt"));
  }

  @Test
  void notGzipAtAllIsALocatedFailure() throws Exception {
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("a.jsonl.gz"), "this is not gzip\n");
    Files.writeString(dir.resolve("b.jsonl.bz2"), "nor bzip2\n");
    Files.writeString(dir.resolve("c.jsonl.zst"), "nor zstd\n");
    Files.writeString(dir.resolve("d.jsonl"), "{\"id\": 1}\n");
    Cli run = convert(dir, "id: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"id\": 1}")));
    assertThat(errors().toString(), errors(), hasSize(3));
  }

  @Test
  void corruptFirstFileDuringInferenceDoesNotCrash() throws Exception {
    Path dir = tmp.resolve("in");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("a.jsonl.gz"), "this is not gzip\n");
    Files.writeString(dir.resolve("b.jsonl"), "{\"id\": 1}\n");
    Cli run = convert(dir, null);
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"id\": 1}")));
    assertThat(errors(), hasSize(1));
  }

  @Test
  void brokenParquetIsALocatedFailureAndTheOtherFilesAreKept() throws Exception {
    Path src = write("r.jsonl", "{\"id\": 1}\n{\"id\": 2}\n");
    Path first = tmp.resolve("first");
    assertThat(
        Cli.run(
                "convert",
                "--input",
                src.toString(),
                "--output",
                first.toString(),
                "--train-ratio",
                "1.0",
                "--features",
                write("f.yaml", "id: int64\n").toString())
            .exitCode,
        equalTo(0));
    Path dir = tmp.resolve("pq");
    Files.createDirectories(dir);
    byte[] good = Files.readAllBytes(first.resolve("train/batch_001.parquet"));
    Files.write(
        dir.resolve("a.parquet"), java.util.Arrays.copyOf(good, good.length / 2)); // truncated
    Files.write(dir.resolve("b.parquet"), good);
    Cli run = convert(dir, "id: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"id\": 1}", "{\"id\": 2}")));
    assertThat(errors(), hasSize(1));
    assertThat(errors().get(0).get("source").asText(), containsString("a.parquet"));
    // and inference from a broken first file does not stop the run either
    Cli inferred =
        Cli.run(
            "convert",
            "--input",
            dir.toString(),
            "--output",
            tmp.resolve("out2").toString(),
            "--train-ratio",
            "1.0");
    assertThat(inferred.toString(), inferred.exitCode, equalTo(0));
  }

  @Test
  void oversizeRecordIsALocatedFailureWithAShortExcerpt() throws Exception {
    Path f = tmp.resolve("big.jsonl");
    try (OutputStream o = Files.newOutputStream(f)) {
      o.write("{\"id\": 1}\n{\"id\": 7, \"t\": \"".getBytes(StandardCharsets.UTF_8));
      byte[] x = new byte[1 << 20];
      java.util.Arrays.fill(x, (byte) 'x');
      for (int i = 0; i < 22; i++) o.write(x);
      o.write("\"}\n{\"id\": 2}\n".getBytes(StandardCharsets.UTF_8));
    }
    Cli run = convert(f, "id: int64\nt: string\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"id\": 1, \"t\": null}", "{\"id\": 2, \"t\": null}")));
    List<JsonNode> errors = errors();
    assertThat(errors, hasSize(1));
    assertThat(errors.get(0).get("line").asLong(), equalTo(2L));
    assertThat(errors.get(0).get("excerpt").asText().length(), lessThan(300));
    assertThat(errors.get(0).get("reason").asText().length(), lessThan(600));
  }

  // ---------------------------------------------------------------- item 5: CSV rows

  @Test
  void csvRowWithAnExtraColumnIsALocatedFailure() throws Exception {
    Path f = write("p.csv", "name,age\nAsa,31\nBo,45,extra\nCy,7\n");
    Cli run = convert(f, "name: string\nage: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(
        rows(),
        equalTo(List.of("{\"name\": \"Asa\", \"age\": 31}", "{\"name\": \"Cy\", \"age\": 7}")));
    assertThat(errors(), hasSize(1));
    assertThat(errors().get(0).get("line").asLong(), equalTo(3L));
    assertThat(errors().get(0).get("reason").asText(), containsString("3 fields"));
  }

  @Test
  void csvUnclosedQuoteFailsItsRowAndReadingResumesOnTheNextLine() throws Exception {
    Path f = write("p.csv", "name,age\nAsa,31\n\"Bo,45\nCy,7\nDu,8\n");
    Cli run = convert(f, "name: string\nage: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(
        rows(),
        equalTo(
            List.of(
                "{\"name\": \"Asa\", \"age\": 31}",
                "{\"name\": \"Cy\", \"age\": 7}",
                "{\"name\": \"Du\", \"age\": 8}")));
    assertThat(errors(), hasSize(1));
    assertThat(errors().get(0).get("line").asLong(), equalTo(3L));
    assertThat(errors().get(0).get("reason").asText(), containsString("quote"));
  }

  @Test
  void csvMultiLineQuotedFieldsStillWork() throws Exception {
    Path f = write("p.csv", "name,age\n\"multi\nline, \"\"q\"\"\",31\nBo,45\n");
    Cli run = convert(f, "name: string\nage: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(
        rows(),
        equalTo(
            List.of(
                "{\"name\": \"multi\\nline, \\\"q\\\"\", \"age\": 31}",
                "{\"name\": \"Bo\", \"age\": 45}")));
    assertThat(errors(), hasSize(0));
  }

  // ---------------------------------------------------------------- item 6: no silent value
  // changes

  /**
   * Runs each bad line between two good ones through convert (declared features); expects one
   * failure each.
   */
  void eachIsAFailure(String features, String good, List<String> bad) throws Exception {
    StringBuilder sb = new StringBuilder(good).append('\n');
    for (String b : bad) sb.append(b).append('\n').append(good).append('\n');
    Path f = write("v.jsonl", sb.toString());
    Cli run = convert(f, features);
    assertThat(run.toString(), run.exitCode, equalTo(0));
    List<String> rows = rows();
    assertThat(String.join("\n", rows), rows, hasSize(bad.size() + 1));
    for (String r : rows) assertThat(r, not(containsString("Infinity")));
    List<JsonNode> errors = errors();
    assertThat(errors.toString(), errors, hasSize(bad.size()));
    for (int i = 0; i < bad.size(); i++)
      assertThat(errors.get(i).get("line").asLong(), equalTo(2L + 2 * i));
  }

  @Test
  void integersOutOfRangeOrWithAFractionAreFailures() throws Exception {
    eachIsAFailure(
        "a: int64\nb: int8\nc: uint32\n",
        "{\"a\": 1, \"b\": 2, \"c\": 3}",
        List.of(
            "{\"a\": 1e30}",
            "{\"a\": 99999999999999999999}",
            "{\"a\": 1.5}",
            "{\"b\": 128}",
            "{\"b\": -129}",
            "{\"c\": -1}",
            "{\"c\": 4294967296}",
            "{\"a\": -1e19}"));
  }

  @Test
  void floatOverflowIsAFailure() throws Exception {
    eachIsAFailure(
        "x: float64\ny: float32\n",
        "{\"x\": 1.5, \"y\": 0.1}",
        List.of("{\"x\": 1e400}", "{\"x\": -1e400}", "{\"y\": 1e39}"));
  }

  @Test
  void duplicateKeysTrailingDataAndLoneSurrogatesAreFailures() throws Exception {
    eachIsAFailure(
        "a: int64\ns: string\nn: {k: int64}\n",
        "{\"a\": 1, \"s\": \"x\", \"n\": {\"k\": 1}}",
        List.of(
            "{\"a\": 1, \"a\": 2}",
            "{\"n\": {\"k\": 1, \"k\": 2}}",
            "{\"a\": 1} xyz",
            "{\"a\": 1}{\"a\": 2}",
            "{\"s\": \"\\ud800\"}",
            "{\"s\": \"a\\udc00b\"}",
            "[1] 2"));
  }

  @Test
  void numbersAreNotTurnedIntoStrings() throws Exception {
    eachIsAFailure(
        "l: list<string>\ns: string\n",
        "{\"l\": [\"a\"], \"s\": \"b\"}",
        List.of("{\"l\": [1, 2]}", "{\"s\": 3}", "{\"s\": true}"));
  }

  @Test
  void integralFloatsAreExactIntegers() throws Exception {
    Path f = write("v.jsonl", "{\"a\": 2.0}\n{\"a\": 1e3}\n");
    Cli run = convert(f, "a: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"a\": 2}", "{\"a\": 1000}")));
  }

  @Test
  void csvIntegersFollowTheSameRulesAsJson() throws Exception {
    Path f = write("p.csv", "n\n1\n2.0\n1.5\n99999999999999999999\n1e3\n");
    Cli run = convert(f, "n: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"n\": 1}", "{\"n\": 2}", "{\"n\": 1000}")));
    assertThat(errors(), hasSize(2));
  }

  @Test
  void uint64AboveTheSignedRangeIsKeptExactly() throws Exception {
    Path f = write("v.jsonl", "{\"a\": 18446744073709551615}\n{\"a\": 18446744073709551616}\n");
    Cli run = convert(f, "a: uint64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"a\": 18446744073709551615}")));
    assertThat(errors(), hasSize(1));
  }

  @Test
  void csvTextThatIsNotFiniteIsAFailure() throws Exception {
    Path f = write("p.csv", "x,n\n1.5,1\nNaN,2\nInfinity,3\n1e999,4\n2.5,5\n");
    Cli run = convert(f, "x: float64\nn: int64\n");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"x\": 1.5, \"n\": 1}", "{\"x\": 2.5, \"n\": 5}")));
    assertThat(errors(), hasSize(3));
  }

  @Test
  void qaExportRejectsTheSameValuesAsConvert() throws Exception {
    Path in = tmp.resolve("qa");
    Files.createDirectories(in);
    String good =
        "{\"question\": \"q\", \"answer\": \"a\", \"persona\": {\"roll\": \"r\", \"erfarenhet\": \"e\"}, "
            + "\"validation\": {\"composite_score\": 0.5}}";
    Files.writeString(
        in.resolve("qa_passed.jsonl"),
        String.join(
                "\n",
                good,
                good.replace("0.5}", "1e400}"),
                good.replace("\"q\"", "\"q\", \"question\": \"other\""),
                good + " trailing",
                good.replace("\"a\"", "\"\\ud83d\""),
                good)
            + "\n");
    Path out = tmp.resolve("qa-out");
    Cli run =
        Cli.run(
            "qa-export", "--input", in.toString(), "--output", out.toString(), "--format", "jsonl");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(Files.readAllLines(out.resolve("qa_pairs.jsonl")), hasSize(2));
    List<String> errors = Files.readAllLines(out.resolve("_errors/errors.jsonl"));
    assertThat(String.join("\n", errors), errors, hasSize(4));
  }

  @Test
  void parquetNaNIsAFailureNotAnInvalidJsonLine() throws Exception {
    Path dir = tmp.resolve("pq");
    Files.createDirectories(dir);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
      c.createStatement()
          .execute(
              "COPY (SELECT * FROM (VALUES (1, 1.5::DOUBLE), (2, 'nan'::DOUBLE), (3, 'inf'::DOUBLE), (4, 2.5::DOUBLE)) t(id, x)) TO '"
                  + dir.resolve("a.parquet")
                  + "' (FORMAT PARQUET)");
    }
    Cli run = convert(dir, null);
    assertThat(run.toString(), run.exitCode, equalTo(0));
    assertThat(rows(), equalTo(List.of("{\"id\": 1, \"x\": 1.5}", "{\"id\": 4, \"x\": 2.5}")));
    assertThat(errors(), hasSize(2));
  }

  // ---------------------------------------------------------------- item 7: mixed formats

  @Test
  void aDirectoryOfMixedFormatsIsAUsageError() throws Exception {
    Path src = write("r.jsonl", "{\"id\": 1}\n");
    Path first = tmp.resolve("first");
    assertThat(
        Cli.run(
                "convert",
                "--input",
                src.toString(),
                "--output",
                first.toString(),
                "--train-ratio",
                "1.0",
                "--format",
                "both")
            .exitCode,
        equalTo(0));
    Cli run = convert(first.resolve("train"), null);
    assertThat(run.toString(), run.exitCode, equalTo(2));
    assertThat(run.err.strip().lines().count(), equalTo(1L));
    assertThat(run.err, containsString("mix"));
    Cli declared = convert(first.resolve("train"), null, "--input-format", "jsonl");
    assertThat(declared.toString(), declared.exitCode, equalTo(2));
  }
}
