package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdOutputStream;
import io.hfbeam.hf.Features;
import io.hfbeam.testing.DirFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.beam.sdk.values.Row;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JSON, CSV and text readers on small local files: planning, kwargs, casts, bad input. */
class TextFormatReadersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  /** What a read gave: rows as JSON text, failures as "where | reason". */
  private record Result(List<String> rows, List<String> failures) {}

  private DirFiles files() {
    return new DirFiles(dir);
  }

  private Path write(String name, String text) throws IOException {
    return write(name, text.getBytes(StandardCharsets.UTF_8));
  }

  private Path write(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  private static Map<String, JsonNode> kw(Object... kv) {
    Map<String, JsonNode> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], JSON.valueToTree(kv[i + 1]));
    return m;
  }

  private Features infer(FormatReader r, String name, Map<String, JsonNode> kwargs)
      throws IOException {
    return r.features(files(), List.of(files().file(name)), kwargs);
  }

  private Result read(
      FormatReader r,
      String name,
      Features features,
      Map<String, JsonNode> kwargs,
      long unitBytes,
      List<String> columns)
      throws IOException {
    List<String> rows = new ArrayList<>();
    List<String> failures = new ArrayList<>();
    for (ReadUnit u : r.plan(files(), files().file(name), 0, unitBytes, kwargs)) {
      r.read(
          files(),
          u,
          features,
          kwargs,
          columns,
          new RowSink() {
            @Override
            public void row(Row row) {
              try {
                rows.add(JSON.writeValueAsString(RowJson.of(row)));
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              failures.add(where + " | " + reason);
            }
          });
    }
    return new Result(rows, failures);
  }

  private Result read(FormatReader r, String name, Map<String, JsonNode> kwargs, long unitBytes)
      throws IOException {
    return read(r, name, infer(r, name, kwargs), kwargs, unitBytes, List.of());
  }

  // ---- planning: every split of a file gives the rows of the whole file

  @Test
  void jsonLinesByteRangesGiveTheRowsOfTheWholeFile() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      sb.append("{\"i\": ").append(i).append(", \"s\": \"").append("x".repeat(i % 7)).append("\"}");
      sb.append(i % 3 == 0 ? "\r\n" : "\n");
      if (i % 10 == 4) sb.append("\n"); // a blank line
    }
    write("a.jsonl", sb.toString());
    Result whole = read(JsonReader.INSTANCE, "a.jsonl", Map.of(), Long.MAX_VALUE);
    assertThat(whole.rows(), hasSize(40));
    assertThat(whole.rows().get(7), equalTo("{\"i\":7,\"s\":\"\"}"));
    for (long unit = 1; unit <= 70; unit++) {
      Result ranged = read(JsonReader.INSTANCE, "a.jsonl", Map.of(), unit);
      assertThat("unit " + unit, ranged.rows(), equalTo(whole.rows()));
      assertThat("unit " + unit, ranged.failures(), empty());
    }
  }

  @Test
  void textByteRangesSplitAtLfCrlfAndLoneCr() throws IOException {
    write("t.txt", "one\r\ntwo\rthree\n\nfive\r\r\nseven\r");
    Result whole = read(TextReader.INSTANCE, "t.txt", Map.of(), Long.MAX_VALUE);
    assertThat(
        whole.rows(),
        contains(
            "{\"text\":\"one\"}",
            "{\"text\":\"two\"}",
            "{\"text\":\"three\"}",
            "{\"text\":\"\"}",
            "{\"text\":\"five\"}",
            "{\"text\":\"\"}",
            "{\"text\":\"seven\"}"));
    for (long unit = 1; unit <= 30; unit++) {
      assertThat(
          "unit " + unit,
          read(TextReader.INSTANCE, "t.txt", Map.of(), unit).rows(),
          equalTo(whole.rows()));
    }
    List<ReadUnit> units =
        TextReader.INSTANCE.plan(files(), files().file("t.txt"), 5, 10, Map.of());
    assertThat(units.get(0).order(), equalTo(5L));
    assertThat(units.get(1).start(), equalTo(10L));
    assertThat(units.get(units.size() - 1).end(), equalTo(Files.size(dir.resolve("t.txt"))));
  }

  @Test
  void textKwargs() throws IOException {
    write("t.txt", "a\r\nb\n\nc\n\n\n\nd");
    assertThat(
        read(TextReader.INSTANCE, "t.txt", kw("keep_linebreaks", true), 3).rows(),
        contains(
            "{\"text\":\"a\\n\"}",
            "{\"text\":\"b\\n\"}",
            "{\"text\":\"\\n\"}",
            "{\"text\":\"c\\n\"}",
            "{\"text\":\"\\n\"}",
            "{\"text\":\"\\n\"}",
            "{\"text\":\"\\n\"}",
            "{\"text\":\"d\"}"));
    // paragraph and document read the whole file in the unit at byte 0, nothing in the others
    assertThat(
        read(TextReader.INSTANCE, "t.txt", kw("sample_by", "paragraph"), 3).rows(),
        contains("{\"text\":\"a\\nb\"}", "{\"text\":\"c\"}", "{\"text\":\"d\"}"));
    assertThat(
        read(TextReader.INSTANCE, "t.txt", kw("sample_by", "document"), 3).rows(),
        contains("{\"text\":\"a\\nb\\n\\nc\\n\\n\\n\\nd\"}"));
    assertThrows(
        IllegalArgumentException.class,
        () -> read(TextReader.INSTANCE, "t.txt", kw("sample_by", "word"), 100));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> read(TextReader.INSTANCE, "t.txt", kw("encoding", "latin-1"), 100));
    assertThat(
        e.getMessage(),
        equalTo("encoding 'latin-1' is not supported; the data files must be UTF-8"));
  }

  @Test
  void csvIsOneUnitAndJsonDocumentsAndCompressedFilesAreWholeFiles() throws IOException {
    write("a.csv", "a\n1\n2\n3\n");
    write("a.json", "  [{\"a\": 1}, {\"a\": 2}]");
    write("a.jsonl.gz", gzip("{\"a\": 1}\n{\"a\": 2}\n"));
    for (String name : List.of("a.csv", "a.json", "a.jsonl.gz")) {
      FormatReader r = name.endsWith(".csv") ? CsvReader.INSTANCE : JsonReader.INSTANCE;
      List<ReadUnit> units = r.plan(files(), files().file(name), 3, 2, Map.of());
      assertThat(name, units, equalTo(List.of(ReadUnit.wholeFile(3, files().file(name)))));
    }
  }

  // ---- compression

  @Test
  void compressedFilesReadLikePlainOnes() throws IOException {
    String jsonl = "{\"a\": 1, \"b\": [1.5]}\n{\"a\": 2, \"b\": []}\n";
    String csv = "a,b\n1,x\n2,\n";
    String text = "l1\nl2\r\nl3";
    write("p.jsonl", jsonl);
    write("p.csv", csv);
    write("p.txt", text);
    for (String ext : List.of("gz", "bz2", "zst", "xz")) {
      write("c.jsonl." + ext, compress(ext, jsonl));
      write("c.csv." + ext, compress(ext, csv));
      write("c.txt." + ext, compress(ext, text));
      assertThat(
          ext,
          read(JsonReader.INSTANCE, "c.jsonl." + ext, Map.of(), 4),
          equalTo(read(JsonReader.INSTANCE, "p.jsonl", Map.of(), 4)));
      assertThat(
          ext,
          read(CsvReader.INSTANCE, "c.csv." + ext, Map.of(), 4),
          equalTo(read(CsvReader.INSTANCE, "p.csv", Map.of(), 4)));
      assertThat(
          ext,
          read(TextReader.INSTANCE, "c.txt." + ext, Map.of(), 4),
          equalTo(read(TextReader.INSTANCE, "p.txt", Map.of(), 4)));
    }
  }

  @Test
  void aTruncatedGzipKeepsTheRowsBeforeTheBreak() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 2000; i++) sb.append("{\"i\": ").append(i).append("}\n");
    byte[] gz = gzip(sb.toString());
    write("t.jsonl.gz", Arrays.copyOf(gz, gz.length - 20));
    Features f = Features.fromJson("{\"i\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}");
    Result r = read(JsonReader.INSTANCE, "t.jsonl.gz", f, Map.of(), 100, List.of());
    assertThat(r.failures(), hasSize(1));
    assertThat(
        r.failures().get(0), containsString("corrupt or truncated compressed data in t.jsonl.gz"));
    assertThat(r.rows().size() > 1000, equalTo(true));
    assertThat(r.rows().get(999), equalTo("{\"i\":999}"));
  }

  // ---- JSON

  @Test
  void badJsonLinesAreLocatedFailuresAndTheRestIsRead() throws IOException {
    byte[] bad = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("{\"a\": 1}\n{\"a\": 2\n[1, 2]\n".getBytes(StandardCharsets.UTF_8));
    b.writeBytes(bad);
    b.writeBytes(
        "{\"a\": \"abc\"}\n{\"a\": 2.5}\n{\"a\": 3, \"zz\": 1}\n{\"a\": 4} {\"a\": 5}\n{\"a\": 6}\n{\"a\": 7"
            .getBytes(StandardCharsets.UTF_8));
    write("bad.jsonl", b.toByteArray());
    Features f = Features.fromJson("{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}");
    Result r = read(JsonReader.INSTANCE, "bad.jsonl", f, Map.of(), Long.MAX_VALUE, List.of());
    assertThat(r.rows(), contains("{\"a\":1}", "{\"a\":6}"));
    assertThat(r.failures(), hasSize(8));
    assertThat(r.failures().get(0), containsString("bad.jsonl line 2 | not valid JSON"));
    assertThat(
        r.failures().get(1),
        containsString("bad.jsonl line 3 | a JSON Lines record must be an object, got array"));
    assertThat(r.failures().get(2), containsString("bad.jsonl line 4 | not valid JSON"));
    assertThat(
        r.failures().get(3),
        containsString("bad.jsonl line 5 | column `a`: 'abc' is not an integer (int64)"));
    assertThat(
        r.failures().get(4),
        containsString("bad.jsonl line 6 | column `a`: 2.5 is not an integer (int64)"));
    assertThat(
        r.failures().get(5),
        containsString("bad.jsonl line 7 | column `zz` is not in the features [a]"));
    assertThat(r.failures().get(6), containsString("bad.jsonl line 8 | not valid JSON"));
    assertThat(r.failures().get(7), containsString("bad.jsonl line 10 | not valid JSON"));
    // inside a byte range past 0 the place is a byte offset
    Result ranged = read(JsonReader.INSTANCE, "bad.jsonl", f, Map.of(), 20, List.of());
    assertThat(ranged.rows(), equalTo(r.rows()));
    assertThat(ranged.failures().get(1), containsString("bad.jsonl line 3 | a JSON Lines record"));
    assertThat(ranged.failures().get(2), containsString("bad.jsonl byte 24 | not valid JSON"));
  }

  @Test
  void jsonDocumentsStreamArraysAndFields() throws IOException {
    write("good.json", "[\n {\"a\": 1},\n {\"a\": 2, \"b\": {\"c\": [1]}}\n]");
    write("arr.json", "[\n {\"a\": 1},\n {\"a\": 2, \"b\": {\"c\": [1]}},\n 5\n]");
    // a record that cannot be read is left out of the inference (the read reports it)
    assertThat(
        infer(JsonReader.INSTANCE, "arr.json", Map.of()),
        equalTo(infer(JsonReader.INSTANCE, "good.json", Map.of())));
    assertThat(
        infer(JsonReader.INSTANCE, "good.json", Map.of()).toJson(),
        equalTo(
            "{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"b\": {\"c\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}}"));
    Features f =
        Features.fromJson(
            "{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"b\": {\"c\": {\"feature\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"_type\": \"Sequence\"}}}");
    Result r = read(JsonReader.INSTANCE, "arr.json", f, Map.of(), 4, List.of());
    assertThat(r.rows(), contains("{\"a\":1,\"b\":null}", "{\"a\":2,\"b\":{\"c\":[1]}}"));
    assertThat(r.failures(), contains("arr.json line 4 | an array of records holds number"));

    write(
        "doc.json",
        "{\"meta\": {\"x\": [1, 2]}, \"rows\": [{\"q\": \"a\"}, {\"q\": \"b\"}], \"after\": 1}");
    Result field = read(JsonReader.INSTANCE, "doc.json", kw("field", "rows"), 5);
    assertThat(field.rows(), contains("{\"q\":\"a\"}", "{\"q\":\"b\"}"));
    Features q = Features.fromJson("{\"q\": {\"dtype\": \"string\", \"_type\": \"Value\"}}");
    Result missing = read(JsonReader.INSTANCE, "doc.json", q, kw("field", "nope"), 100, List.of());
    assertThat(
        missing.failures(),
        contains(
            "doc.json | the document has no top-level key 'nope'; its keys are [meta, rows, after]"));

    write("cut.json", "[{\"a\": 1}, {\"a\": 2}, {\"a\"");
    Result cut =
        read(
            JsonReader.INSTANCE,
            "cut.json",
            Features.fromJson("{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}"),
            Map.of(),
            100,
            List.of());
    assertThat(cut.rows(), contains("{\"a\":1}", "{\"a\":2}"));
    assertThat(cut.failures(), hasSize(1));
    assertThat(cut.failures().get(0), containsString("cut.json line 1 | not valid JSON"));
  }

  @Test
  void cardFeaturesAreCastAsDatasetsCasts() throws IOException {
    write(
        "c.jsonl",
        "{\"label\": \"pos\", \"x\": 1, \"v\": [1, 2], \"s\": 12, \"t\": \"2024-01-02T03:04:05Z\"}\n"
            + "{\"label\": 0, \"x\": 2.0, \"v\": [3, 4], \"s\": {\"k\": 1}, \"t\": null}\n"
            + "{\"label\": \"meh\"}\n"
            + "{\"label\": 2}\n"
            + "{\"v\": [1]}\n"
            + "{\"x\": \"7.5\", \"s\": true}\n");
    Features f =
        Features.fromJson(
            "{\"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"},"
                + " \"x\": {\"dtype\": \"float32\", \"_type\": \"Value\"},"
                + " \"v\": {\"feature\": {\"dtype\": \"int8\", \"_type\": \"Value\"}, \"length\": 2, \"_type\": \"Sequence\"},"
                + " \"s\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
                + " \"t\": {\"dtype\": \"timestamp[s]\", \"_type\": \"Value\"}}");
    Result r = read(JsonReader.INSTANCE, "c.jsonl", f, Map.of(), Long.MAX_VALUE, List.of());
    assertThat(
        r.rows(),
        contains(
            "{\"label\":1,\"x\":1.0,\"v\":[1,2],\"s\":\"12\",\"t\":\"2024-01-02T03:04:05.000Z\"}",
            "{\"label\":0,\"x\":2.0,\"v\":[3,4],\"s\":\"{\\\"k\\\":1}\",\"t\":null}",
            "{\"label\":null,\"x\":7.5,\"v\":null,\"s\":\"true\",\"t\":null}"));
    assertThat(
        r.failures(),
        contains(
            "c.jsonl line 3 | column `label`: 'meh' is not one of the class names [neg, pos]",
            "c.jsonl line 4 | column `label`: class label 2 is not below the 2 class names",
            "c.jsonl line 5 | column `v`: a list of 1 items, the feature has fixed length 2"));
    // a column selection gives rows of those columns, in the order asked for
    Result some =
        read(JsonReader.INSTANCE, "c.jsonl", f, Map.of(), Long.MAX_VALUE, List.of("x", "label"));
    assertThat(some.rows().get(0), equalTo("{\"x\":1.0,\"label\":1}"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                read(JsonReader.INSTANCE, "c.jsonl", f, Map.of(), Long.MAX_VALUE, List.of("nope")));
    assertThat(
        e.getMessage(),
        equalTo("column 'nope' is not in the dataset; its columns are [label, x, v, s, t]"));
  }

  /**
   * timestamp[us]/[ns] card features, as datasets 5.0.1 loads these files (pyarrow's casts):
   * strings with up to the unit's fraction digits and integers counting the unit, exact; a digit
   * more fails.
   */
  @Test
  void cardTimestampsAreExactInTheirUnit() throws IOException {
    write(
        "t.jsonl",
        "{\"us\": \"2024-01-02T03:04:05.123456\", \"ns\": \"1969-12-31T23:59:59.999999999\"}\n"
            + "{\"us\": \"1969-12-31 23:59:59.5\", \"ns\": \"2024-01-02T03:04:05\"}\n"
            + "{\"us\": -1, \"ns\": -9223372036854775807}\n"
            + "{\"us\": 1, \"ns\": 9223372036854775807}\n"
            + "{\"us\": \"2024-01-02T03:04:05.1234567\", \"ns\": null}\n");
    Features f = Features.fromJson("{\"us\": \"timestamp[us]\", \"ns\": \"timestamp[ns]\"}");
    Result r = read(JsonReader.INSTANCE, "t.jsonl", f, Map.of(), Long.MAX_VALUE, List.of());
    // datasets: us [1704164645123456, -500000, -1, 1], ns [-1, 1704164645000000000, -2^63+1,
    // 2^63-1]
    assertThat(
        r.rows(),
        contains(
            "{\"us\":\"2024-01-02T03:04:05.123456Z\",\"ns\":\"1969-12-31T23:59:59.999999999Z\"}",
            "{\"us\":\"1969-12-31T23:59:59.500Z\",\"ns\":\"2024-01-02T03:04:05Z\"}",
            "{\"us\":\"1969-12-31T23:59:59.999999Z\",\"ns\":\"1677-09-21T00:12:43.145224193Z\"}",
            "{\"us\":\"1970-01-01T00:00:00.000001Z\",\"ns\":\"2262-04-11T23:47:16.854775807Z\"}"));
    assertThat(
        r.failures(),
        contains(
            "t.jsonl line 5 | column `us`: '2024-01-02T03:04:05.1234567' has more fraction digits"
                + " than timestamp[us] holds (6)"));
  }

  // ---- CSV

  @Test
  void csvRaggedRowsQuotesAndInvalidUtf8() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("a,b\n1,x\n2\n3,y,extra\n".getBytes(StandardCharsets.UTF_8));
    b.writeBytes(new byte[] {'4', ',', (byte) 0xFF, '\n'});
    b.writeBytes("5,\"multi\nline\"\n6,\"open\n7,z\n".getBytes(StandardCharsets.UTF_8));
    write("r.csv", b.toByteArray());
    Features f =
        Features.fromJson(
            "{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"b\": {\"dtype\": \"string\", \"_type\": \"Value\"}}");
    Result r = read(CsvReader.INSTANCE, "r.csv", f, Map.of(), 4, List.of());
    assertThat(
        r.rows(),
        contains(
            "{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":null}", "{\"a\":5,\"b\":\"multi\\nline\"}"));
    assertThat(
        r.failures(),
        contains(
            "r.csv line 4 | Expected 2 fields in line 4, saw 3",
            "r.csv line 5 | invalid UTF-8",
            "r.csv line 8 | unclosed quote: the quoted field opened on line 8 is not closed before the end of the file; the rest of the file is not read"));
  }

  @Test
  void csvInferenceLeavesOutRowsItCannotReadAndIntsTakeIntegralFloats() throws IOException {
    write("i.csv", "a,b\n1,x\n2,y,extra\n3.0,\n");
    Features f = infer(CsvReader.INSTANCE, "i.csv", Map.of());
    assertThat(
        f.toJson(),
        equalTo(
            "{\"a\": {\"dtype\": \"float64\", \"_type\": \"Value\"}, \"b\": {\"dtype\": \"large_string\", \"_type\": \"Value\"}}"));
    Features ints = Features.fromJson("{\"a\": {\"dtype\": \"int16\", \"_type\": \"Value\"}}");
    Result r = read(CsvReader.INSTANCE, "i.csv", ints, Map.of(), 100, List.of());
    assertThat(r.rows(), contains("{\"a\":1}", "{\"a\":3}"));
    assertThat(r.failures(), contains("i.csv line 3 | Expected 2 fields in line 3, saw 3"));
  }

  @Test
  void csvKwargsAndInference() throws IOException {
    write("k.csv", "skip me\nid|name|id\n1|'a|b'|x\n2||y\n");
    Map<String, JsonNode> kwargs = kw("delimiter", "|", "quotechar", "'", "skiprows", 1);
    assertThat(
        infer(CsvReader.INSTANCE, "k.csv", kwargs).toJson(),
        equalTo(
            "{\"id\": {\"dtype\": \"int64\", \"_type\": \"Value\"}, \"name\": {\"dtype\": \"large_string\", \"_type\": \"Value\"}, \"id.1\": {\"dtype\": \"large_string\", \"_type\": \"Value\"}}"));
    assertThat(
        read(CsvReader.INSTANCE, "k.csv", kwargs, 1000).rows(),
        contains(
            "{\"id\":1,\"name\":\"a|b\",\"id.1\":\"x\"}",
            "{\"id\":2,\"name\":null,\"id.1\":\"y\"}"));
    Map<String, JsonNode> noHeader =
        kw(
            "sep",
            "|",
            "quotechar",
            "'",
            "header",
            null,
            "skiprows",
            List.of(0, 1),
            "usecols",
            List.of(2, 0));
    assertThat(
        read(CsvReader.INSTANCE, "k.csv", noHeader, 1000).rows(),
        contains("{\"0\":1,\"2\":\"x\"}", "{\"0\":2,\"2\":\"y\"}"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> infer(CsvReader.INSTANCE, "k.csv", kw("usecols", List.of("zz"))));
    assertThat(
        e.getMessage(),
        containsString("usecols \"zz\" does not match a column; the columns are [skip me]"));
  }

  @Test
  void csvCardFeaturesTakeClassLabelNamesAndRejectWhatDoesNotParse() throws IOException {
    write("l.csv", "text,label,score\nhi,pos,1\nho,0,x\nhu,1,2.5\nha,bad,3\n");
    Features f =
        Features.fromJson(
            "{\"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"}, \"score\": {\"dtype\": \"float64\", \"_type\": \"Value\"}}");
    Result r = read(CsvReader.INSTANCE, "l.csv", f, Map.of(), 1000, List.of());
    assertThat(r.rows(), contains("{\"label\":1,\"score\":1.0}", "{\"label\":1,\"score\":2.5}"));
    assertThat(
        r.failures(),
        contains(
            "l.csv line 3 | column `score`: 'x' is not a number (float64)",
            "l.csv line 5 | column `label`: 'bad' is not one of the class names [neg, pos]"));
    Features missing =
        Features.fromJson("{\"nope\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}");
    Result m = read(CsvReader.INSTANCE, "l.csv", missing, Map.of(), 1000, List.of());
    assertThat(m.rows(), empty());
    assertThat(
        m.failures(),
        contains(
            "l.csv | column 'nope' of the features is not in the file; its columns are [text, label, score]"));
  }

  // ---- empty files, huge lines, the factory

  @Test
  void emptyFilesGiveNoRows() throws IOException {
    write("e.jsonl", "");
    write("e.csv", "");
    write("e.txt", "");
    assertThat(infer(JsonReader.INSTANCE, "e.jsonl", Map.of()).size(), equalTo(0));
    assertThat(
        read(JsonReader.INSTANCE, "e.jsonl", Map.of(), 10),
        equalTo(new Result(List.of(), List.of())));
    assertThat(
        read(TextReader.INSTANCE, "e.txt", Map.of(), 10),
        equalTo(new Result(List.of(), List.of())));
    assertThat(
        read(TextReader.INSTANCE, "e.txt", kw("sample_by", "document"), 10).rows(),
        contains("{\"text\":\"\"}"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> infer(CsvReader.INSTANCE, "e.csv", Map.of()));
    assertThat(e.getMessage(), equalTo("e.csv is empty: no columns to infer features from"));
    Features f = Features.fromJson("{\"a\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}");
    assertThat(read(CsvReader.INSTANCE, "e.csv", f, Map.of(), 10, List.of()).rows(), empty());
  }

  @Test
  void aLineOverTheCapIsSkippedToItsEnd() throws IOException {
    byte[] in = ("short\n" + "y".repeat(100) + "\r\nafter\n").getBytes(StandardCharsets.UTF_8);
    LineScanner s = new LineScanner(new ByteArrayInputStream(in), 0, false, 50);
    assertThat(s.next(), equalTo(5));
    assertThat(s.next(), equalTo(LineScanner.TOO_LONG));
    assertThat(s.skipped(), equalTo(102L));
    assertThat(s.next(), equalTo(5));
    assertThat(new String(s.buffer(), s.lineStart(), 5, StandardCharsets.UTF_8), equalTo("after"));
    assertThat(s.lineOffset(), equalTo(108L));
    assertThat(s.next(), equalTo(-1));
  }

  @Test
  void forBuilderNamesTheSupportedBuilders() {
    assertThat(FormatReaders.forBuilder("json"), equalTo(JsonReader.INSTANCE));
    assertThat(FormatReaders.forBuilder("csv"), equalTo(CsvReader.INSTANCE));
    assertThat(FormatReaders.forBuilder("text"), equalTo(TextReader.INSTANCE));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FormatReaders.forBuilder("arrow"));
    assertThat(FormatReaders.forBuilder("parquet"), equalTo(ParquetReader.INSTANCE));
    assertThat(
        e.getMessage(),
        equalTo(
            "datasets reads this config with its 'arrow' builder, which hf-beam does not read;"
                + " it reads parquet, json, csv, text"));
  }

  private static byte[] gzip(String s) throws IOException {
    return compress("gz", s);
  }

  private static byte[] compress(String ext, String s) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (OutputStream o =
        switch (ext) {
          case "gz" -> new GZIPOutputStream(b);
          case "bz2" -> new BZip2CompressorOutputStream(b);
          case "xz" -> new org.apache.commons.compress.compressors.xz.XZCompressorOutputStream(b);
          default -> new ZstdOutputStream(b);
        }) {
      o.write(s.getBytes(StandardCharsets.UTF_8));
    }
    return b.toByteArray();
  }
}
