package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.mapping.MapRecords;
import io.hfbeam.mapping.Split;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the JSONL and CSV record reading: random bytes, real lines mutated (bytes
 * flipped, inserted, deleted; quotes, braces, commas, newlines, NUL, invalid UTF-8, huge numbers,
 * duplicated objects, truncation), and gzip/bzip2/zstd files truncated or damaged. Every case must
 * end within its deadline without failing the read, and every good line next to a mutated one must
 * come out as exactly the row it gives alone. Most cases drive the record reading directly; a few
 * run the workflows.
 */
class InputFuzzTest {
  static final long SEED = 11;
  static final int CASES = 4000;
  static final long BUDGET_MS = 60_000;
  static final long DEADLINE_MS = 10_000;

  static final Features JSONL_FEATURES =
      Features.parse(
          yaml(
              "{id: int64, name: string, score: float64, f: float32, u: uint8, tags: list<string>, n: {k: int64}}"));
  static final Features CSV_FEATURES =
      Features.parse(yaml("{name: string, age: int64, score: float64, ok: bool}"));
  static final String CSV_HEADER = "name,age,score,ok";

  static ExecutorService executor;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fuzz-case");
              t.setDaemon(true); // a case that never ends must not keep the JVM alive
              return t;
            });
  }

  @AfterAll
  static void stop() {
    executor.shutdownNow();
  }

  static com.fasterxml.jackson.databind.JsonNode yaml(String s) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper(
              new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
          .readTree(s);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- inputs

  static final String[] WORDS = {
    "a", "Åsa", "rad å é", "tab\\there", "q\\\"uote", "emoji 😀", "x y z", "", "back\\\\slash"
  };

  static String jsonLine(Random r, int id) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"id\": %d, \"name\": \"%s\", \"score\": %s, \"f\": %s, \"u\": %d, \"tags\": [\"%s\", \"%s\"], \"n\": {\"k\": %d}, \"extra\": {\"z\": [1, 2]}}",
        100_000 + id,
        WORDS[r.nextInt(WORDS.length)],
        r.nextDouble() * 1000 - 500,
        r.nextInt(1000) / 8.0,
        r.nextInt(256),
        WORDS[r.nextInt(WORDS.length)],
        WORDS[r.nextInt(WORDS.length)],
        r.nextLong());
  }

  static final String[] CSV_WORDS = {"Bo", "Åsa", "rad é", "x y", "emoji 😀", "", "a-b"};

  static String csvLine(Random r, int id) {
    return CSV_WORDS[r.nextInt(CSV_WORDS.length)]
        + id
        + ","
        + r.nextInt(100)
        + ","
        + r.nextInt(10_000) / 100.0
        + ","
        + (r.nextBoolean() ? "true" : "false");
  }

  static final byte[][] INSERTS = {
    {'"'},
    {'{'},
    {'}'},
    {'['},
    {']'},
    {','},
    {'\n'},
    {'\r'},
    {0},
    {(byte) 0xFF},
    {(byte) 0xC3},
    {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
    {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
    "\\ud800".getBytes(StandardCharsets.US_ASCII),
    "1e400".getBytes(StandardCharsets.US_ASCII),
    "99999999999999999999999".getBytes(StandardCharsets.US_ASCII),
    "-1e39".getBytes(StandardCharsets.US_ASCII),
    ("1" + "0".repeat(1500)).getBytes(StandardCharsets.US_ASCII),
    " xyz".getBytes(StandardCharsets.US_ASCII),
    "\"\"".getBytes(StandardCharsets.US_ASCII),
    "\t".getBytes(StandardCharsets.US_ASCII)
  };

  /** One random mutation of a line's bytes. */
  static byte[] mutate(Random r, byte[] line) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = line.length == 0 ? 0 : r.nextInt(line.length + 1);
    switch (r.nextInt(7)) {
      case 0 -> { // flip a bit
        byte[] copy = line.clone();
        if (copy.length > 0) copy[Math.min(at, copy.length - 1)] ^= (byte) (1 << r.nextInt(8));
        return copy;
      }
      case 1 -> { // insert a random byte
        out.write(line, 0, at);
        out.write(r.nextInt(256));
        out.write(line, at, line.length - at);
      }
      case 2 -> { // delete a byte
        if (line.length == 0) return line;
        int d = Math.min(at, line.length - 1);
        out.write(line, 0, d);
        out.write(line, d + 1, line.length - d - 1);
      }
      case 3 -> { // cut the line short
        out.write(line, 0, at);
      }
      case 4 -> { // the line twice on one line
        out.writeBytes(line);
        out.writeBytes(line);
      }
      default -> { // insert something structural, a bad encoding or a huge number
        out.write(line, 0, at);
        out.writeBytes(INSERTS[r.nextInt(INSERTS.length)]);
        out.write(line, at, line.length - at);
      }
    }
    return out.toByteArray();
  }

  // ---------------------------------------------------------------- reading directly

  /** The rows and failure count of reading one file with the convert identity mapping. */
  record Result(List<String> rows, int failures, Throwable error) {}

  static Result read(Path file, boolean csv) {
    Features features = csv ? CSV_FEATURES : JSONL_FEATURES;
    MapRecords map =
        new MapRecords(
            csv ? JsonSource.csv(',') : JsonSource.jsonLines(),
            FieldMapping.identity(features, true, "train"),
            Split.Settings.builder().trainRatio(1.0).build());
    List<String> rows = new ArrayList<>();
    int[] failures = {0};
    try {
      long size = Files.size(file);
      map.process(
          new InputFiles.Chunk(file.toString(), 0, 0, 0, size, true),
          new ChunkProcessor.Emitter<Row>() {
            @Override
            public void record(String split, Row record) {
              rows.add(JsonlRowWriter.toJsonLine(record, features));
            }

            @Override
            public void failure(Row failure) {
              failures[0]++;
            }
          });
      return new Result(rows, failures[0], null);
    } catch (Throwable e) {
      return new Result(rows, failures[0], e);
    }
  }

  /** Figures of one fuzz run. */
  static final class Figures {
    int tried;
    int ended;
    long goodRows;
    long goodRowsKept;
    final Map<String, Integer> byKind = new HashMap<>();

    @Override
    public String toString() {
      return "cases tried "
          + tried
          + ", runs ended "
          + ended
          + ", good rows kept "
          + goodRowsKept
          + " of "
          + goodRows
          + " "
          + byKind;
    }
  }

  @Test
  void mutatedAndRandomInputAlwaysEndsAndKeepsEveryGoodLine() throws Exception {
    Random r = new Random(SEED);
    Figures fig = new Figures();
    long until = System.currentTimeMillis() + BUDGET_MS;
    List<String> problems = new ArrayList<>();
    for (int c = 0; c < CASES && System.currentTimeMillis() < until; c++) {
      int kind = c % 10; // 0-4 JSONL mutated, 5-7 CSV mutated, 8 random bytes, 9 corrupt gzip
      boolean csv = kind >= 5 && kind <= 7 || kind == 8 && r.nextBoolean();
      String compression = kind == 9 ? new String[] {".gz", ".bz2", ".zst"}[r.nextInt(3)] : "";
      Path file = tmp.resolve("case" + (csv ? ".csv" : ".jsonl") + compression);
      int n = 3 + r.nextInt(12);
      List<byte[]> good = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        good.add((csv ? csvLine(r, i) : jsonLine(r, i)).getBytes(StandardCharsets.UTF_8));
      }
      // CSV: one line is mutated (two stray quotes may legally pair up into one multi-line field);
      // JSONL: up to 3
      boolean[] mutated = new boolean[n];
      int m = csv ? 1 : 1 + r.nextInt(3);
      for (int k = 0; k < m; k++) mutated[r.nextInt(n)] = true;
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      ByteArrayOutputStream clean = new ByteArrayOutputStream();
      if (csv) {
        text.writeBytes((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
        clean.writeBytes((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      }
      for (int i = 0; i < n; i++) {
        byte[] line = good.get(i);
        if (mutated[i] && kind != 9) {
          int ops = 1 + r.nextInt(3);
          for (int k = 0; k < ops; k++) line = mutate(r, line);
        }
        text.writeBytes(line);
        text.write('\n');
        clean.writeBytes(good.get(i));
        clean.write('\n');
      }
      byte[] bytes = text.toByteArray();
      if (kind == 8) { // random bytes, sometimes after a valid header
        bytes = new byte[r.nextInt(2000)];
        r.nextBytes(bytes);
        if (csv && r.nextBoolean())
          bytes =
              (CSV_HEADER + "\n" + new String(bytes, StandardCharsets.ISO_8859_1))
                  .getBytes(StandardCharsets.ISO_8859_1);
      } else if (kind == 9) { // a compressed file truncated or damaged
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (java.io.OutputStream o =
            switch (compression) {
              case ".gz" -> new GZIPOutputStream(gz);
              case ".bz2" ->
                  new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(gz);
              default -> new com.github.luben.zstd.ZstdOutputStream(gz);
            }) {
          o.write(bytes);
        }
        bytes = gz.toByteArray();
        if (r.nextBoolean()) {
          bytes = java.util.Arrays.copyOf(bytes, r.nextInt(bytes.length));
        } else {
          for (int k = 0; k < 1 + r.nextInt(5); k++)
            bytes[r.nextInt(bytes.length)] ^= (byte) (1 + r.nextInt(255));
        }
      }
      Files.write(file, bytes);
      fig.tried++;
      fig.byKind.merge(
          kind <= 4 ? "jsonl" : kind <= 7 ? "csv" : kind == 8 ? "random" : "corrupt" + compression,
          1,
          Integer::sum);
      boolean isCsv = csv;
      Future<Result> f = executor.submit(() -> read(file, isCsv));
      Result res;
      try {
        res = f.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        problems.add("case " + c + " did not end within " + DEADLINE_MS + " ms: " + preview(bytes));
        break; // the reading thread may be stuck: no further case can run on it
      }
      fig.ended++;
      if (res.error() != null) {
        problems.add("case " + c + " failed the read: " + res.error() + " on " + preview(bytes));
      }
      if (kind >= 8) continue;
      Path cleanFile = tmp.resolve("clean" + (csv ? ".csv" : ".jsonl"));
      Files.write(cleanFile, clean.toByteArray());
      Result expected = read(cleanFile, csv);
      assertThat("the good lines read alone: " + expected, expected.rows().size(), equalTo(n));
      // a read that failed lost the whole run, so none of its rows counts as kept
      List<String> remaining =
          res.error() != null ? new ArrayList<>() : new ArrayList<>(res.rows());
      for (int i = 0; i < n; i++) {
        if (mutated[i]) continue;
        fig.goodRows++;
        if (remaining.remove(expected.rows().get(i))) {
          fig.goodRowsKept++;
        } else if (res.error() == null) {
          problems.add(
              "case "
                  + c
                  + ": good line "
                  + (i + 1)
                  + " lost: "
                  + expected.rows().get(i)
                  + " in "
                  + preview(bytes));
        }
      }
    }
    System.out.println("InputFuzzTest direct: " + fig);
    assertThat(
        String.join("\n", problems.subList(0, Math.min(20, problems.size()))),
        problems.size(),
        equalTo(0));
    assertThat(fig.ended, equalTo(fig.tried));
    assertThat(fig.tried >= 200, equalTo(true)); // the time budget may cut a loaded machine short
  }

  /**
   * A line that leaves a quote open whether read inside a quoted field or not, on every line: no
   * rescans.
   */
  @Test
  void strayQuotesOnEveryLineEndQuickly() throws Exception {
    Path file = tmp.resolve("quotes.csv");
    Files.writeString(file, CSV_HEADER + "\n" + "a\",\"\n".repeat(30_000) + "Bo,1,2.5,true\n");
    Future<Result> f = executor.submit(() -> read(file, true));
    Result res = f.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
    assertThat(res.error(), equalTo(null));
    assertThat(
        res.rows(),
        equalTo(List.of("{\"name\": \"Bo\", \"age\": 1, \"score\": 2.5, \"ok\": true}")));
    assertThat(res.failures(), equalTo(30_000));
  }

  static String preview(byte[] b) {
    String s = new String(b, 0, Math.min(b.length, 600), StandardCharsets.UTF_8);
    return s.replace("\n", "\\n");
  }

  // ---------------------------------------------------------------- end to end

  @Test
  void workflowsEndAndKeepEveryGoodRow() throws Exception {
    Random r = new Random(SEED + 1);
    int runs = 0;
    long good = 0;
    long kept = 0;
    for (int run = 0; run < 6; run++) {
      boolean csv = run % 3 == 2;
      boolean qa = run % 3 == 1;
      Path dir = tmp.resolve("e2e" + run);
      Files.createDirectories(dir.resolve("in"));
      int n = 200;
      List<String> goodLines = new ArrayList<>();
      ByteArrayOutputStream text = new ByteArrayOutputStream();
      if (csv) text.writeBytes((CSV_HEADER + "\n").getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < n; i++) {
        String line = qa ? qaLine(r, i) : csv ? csvLine(r, i) : jsonLine(r, i);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        // CSV: one mutated line per file, since two stray quotes may legally pair up into one
        // multi-line field
        if (csv ? i == n / 2 : r.nextInt(5) == 0) {
          if (csv)
            bytes =
                (line + ",extra")
                    .getBytes(StandardCharsets.UTF_8); // a column too many, then more damage
          for (int k = 0; k < 1 + r.nextInt(3); k++) bytes = mutate(r, bytes);
        } else {
          goodLines.add(line);
        }
        text.writeBytes(bytes);
        text.write('\n');
      }
      Path input =
          dir.resolve("in").resolve(qa ? "qa_passed.jsonl" : csv ? "data.csv" : "data.jsonl");
      Files.write(input, text.toByteArray());
      Path out = dir.resolve("out");
      Path features = dir.resolve("features.json");
      Files.writeString(features, (csv ? CSV_FEATURES : JSONL_FEATURES).toJson());
      Future<Cli> f =
          executor.submit(
              () ->
                  qa
                      ? Cli.run(
                          "qa-export",
                          "--input",
                          dir.resolve("in").toString(),
                          "--output",
                          out.toString(),
                          "--format",
                          "jsonl")
                      : Cli.run(
                          "convert",
                          "--input",
                          input.toString(),
                          "--output",
                          out.toString(),
                          "--features",
                          features.toString(),
                          "--train-ratio",
                          "1.0",
                          "--format",
                          "jsonl"));
      Cli res = f.get(120, TimeUnit.SECONDS);
      runs++;
      assertThat(res.toString(), res.exitCode, equalTo(0));
      // the same good lines alone give the rows every one of them must still give
      Path cleanIn = dir.resolve("clean");
      Files.createDirectories(cleanIn);
      Path clean = cleanIn.resolve(input.getFileName());
      Files.write(
          clean,
          ((csv ? CSV_HEADER + "\n" : "") + String.join("\n", goodLines) + "\n")
              .getBytes(StandardCharsets.UTF_8));
      Path cleanOut = dir.resolve("clean-out");
      Cli expected =
          qa
              ? Cli.run(
                  "qa-export",
                  "--input",
                  cleanIn.toString(),
                  "--output",
                  cleanOut.toString(),
                  "--format",
                  "jsonl")
              : Cli.run(
                  "convert",
                  "--input",
                  clean.toString(),
                  "--output",
                  cleanOut.toString(),
                  "--features",
                  features.toString(),
                  "--train-ratio",
                  "1.0",
                  "--format",
                  "jsonl");
      assertThat(expected.toString(), expected.exitCode, equalTo(0));
      String rel = qa ? "qa_pairs.jsonl" : "train/batch_001.jsonl";
      List<String> want = Files.readAllLines(cleanOut.resolve(rel));
      List<String> got = new ArrayList<>(Files.readAllLines(out.resolve(rel)));
      assertThat(want.size(), equalTo(goodLines.size()));
      for (String w : want) {
        good++;
        if (got.remove(w)) kept++;
      }
    }
    System.out.println(
        "InputFuzzTest end to end: runs tried "
            + runs
            + ", runs ended "
            + runs
            + ", good rows kept "
            + kept
            + " of "
            + good);
    assertThat(kept, equalTo(good));
  }

  static String qaLine(Random r, int i) {
    return String.format(
        java.util.Locale.ROOT,
        "{\"question\": \"q%d %s\", \"answer\": \"a %s\", \"source_document\": \"doc%d\", \"persona\": {\"roll\": \"%s\", "
            + "\"erfarenhet\": \"ny\"}, \"validation\": {\"composite_score\": %s, \"godkand\": true}}",
        i,
        WORDS[r.nextInt(WORDS.length)],
        WORDS[r.nextInt(WORDS.length)],
        i,
        WORDS[r.nextInt(WORDS.length)],
        r.nextInt(1000) / 1000.0);
  }
}
