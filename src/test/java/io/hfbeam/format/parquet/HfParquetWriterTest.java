package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Files written by HfParquetWriter, checked with an independent reader (DuckDB). */
class HfParquetWriterTest {
  @TempDir Path dir;

  private Path write(String name, List<Row> rows, ParquetSettings s) throws Exception {
    Path file = dir.resolve(name);
    try (HfParquetWriter w = HfParquetWriter.create(file, ParquetFixtures.FEATURES, s)) {
      for (Row r : rows) w.write(r);
      assertThat(w.rowCount(), is((long) rows.size()));
    }
    return file;
  }

  private static List<List<String>> query(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      List<List<String>> out = new ArrayList<>();
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) row.add(rs.getString(i));
        out.add(row);
      }
      return out;
    }
  }

  @Test
  void duckdbSeesTheDeclaredTypes() throws Exception {
    Path f = write("t.parquet", ParquetFixtures.rows(10), ParquetSettings.defaults());
    Map<String, String> types = new LinkedHashMap<>();
    for (List<String> r : query("DESCRIBE SELECT * FROM '" + f + "'"))
      types.put(r.get(0), r.get(1));
    assertThat(
        types,
        equalTo(
            Map.ofEntries(
                Map.entry("i8", "TINYINT"),
                Map.entry("i16", "SMALLINT"),
                Map.entry("i32", "INTEGER"),
                Map.entry("i64", "BIGINT"),
                Map.entry("f32", "FLOAT"),
                Map.entry("f64", "DOUBLE"),
                Map.entry("b", "BOOLEAN"),
                Map.entry("s", "VARCHAR"),
                Map.entry("bin", "BLOB"),
                Map.entry("tags", "TINYINT[]"),
                Map.entry("grid", "TINYINT[][]"),
                Map.entry("st", "STRUCT(x INTEGER, y VARCHAR[])"),
                Map.entry("lab", "BIGINT"),
                Map.entry("ts", "TIMESTAMP"))));
  }

  @Test
  void everyColumnAndElementIsOptionalWithThreeLevelLists() throws Exception {
    Path f = write("t.parquet", ParquetFixtures.rows(3), ParquetSettings.defaults());
    List<List<String>> schema =
        query("SELECT name, repetition_type FROM parquet_schema('" + f + "')");
    List<String> reps = schema.stream().skip(1).map(r -> r.get(0) + ":" + r.get(1)).toList();
    // root excluded; the only REPEATED nodes are the middle "list" groups of the 3-level encoding
    assertThat(
        reps.stream().filter(r -> !r.startsWith("list:")).toList(),
        everyItem(org.hamcrest.Matchers.endsWith(":OPTIONAL")));
    assertThat(
        reps.stream().filter(r -> r.startsWith("list:")).toList(),
        everyItem(equalTo("list:REPEATED")));
    assertThat(
        reps.subList(9, 13),
        contains("tags:OPTIONAL", "list:REPEATED", "element:OPTIONAL", "grid:OPTIONAL"));
  }

  @Test
  void footerCarriesTheHuggingfaceFeatures() throws Exception {
    Path f = write("t.parquet", ParquetFixtures.rows(3), ParquetSettings.defaults());
    List<List<String>> kv =
        query("SELECT decode(key), decode(value) FROM parquet_kv_metadata('" + f + "')");
    assertThat(kv.size(), is(1));
    assertThat(kv.get(0).get(0), is("huggingface"));
    JsonNode v = new ObjectMapper().readTree(kv.get(0).get(1));
    assertThat(Features.parse(v.get("info").get("features")), equalTo(ParquetFixtures.FEATURES));
  }

  @Test
  void valuesAndNullsReadBackInDuckdbAndOurReader() throws Exception {
    List<Row> rows = ParquetFixtures.rows(10);
    Path f = write("t.parquet", rows, ParquetSettings.defaults());
    List<List<String>> got =
        query(
            "SELECT i8, i16, s, tags::VARCHAR, grid::VARCHAR, st.y::VARCHAR, lab, ts::VARCHAR,"
                + " hex(bin) FROM '"
                + f
                + "'");
    assertThat(
        got.get(3),
        contains(
            "-125",
            "-979",
            "rad 3 å 🎉",
            "[3, NULL, -3]",
            "[[1, 2, 3], [3, 5, 6]]",
            "[a, NULL]",
            "1",
            "2023-11-14 22:13:20.003003", // timestamp[us]: the microseconds kept
            "0300FF"));
    assertThat(got.get(4), everyItem(equalTo(null)));
    try (HfParquetReader r = HfParquetReader.open(f)) {
      assertThat(r.features(), equalTo(ParquetFixtures.FEATURES));
      assertThat(r.rowCount(), is(10L));
      List<Row> back = new ArrayList<>();
      while (r.hasNext()) back.add(r.next());
      assertThat(back, equalTo(rows));
    }
  }

  @ParameterizedTest
  @CsvSource({"zstd,ZSTD", "snappy,SNAPPY", "gzip,GZIP", "none,UNCOMPRESSED"})
  void codecIsSelectable(String name, String duckdbName) throws Exception {
    Path f =
        write(
            name + ".parquet",
            ParquetFixtures.rows(20),
            ParquetSettings.builder().codec(name).build());
    List<List<String>> codecs =
        query("SELECT DISTINCT compression FROM parquet_metadata('" + f + "')");
    assertThat(codecs, contains(List.of(duckdbName)));
    assertThat(query("SELECT count(*) FROM '" + f + "'"), contains(List.of("20")));
  }

  @Test
  void smallRowGroupBytesGivesSeveralRowGroupsInOrder() throws Exception {
    Path f =
        write(
            "rg.parquet",
            ParquetFixtures.rows(5000),
            ParquetSettings.builder().rowGroupBytes(16 * 1024).pageBytes(4096).build());
    int groups =
        Integer.parseInt(
            query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + f + "')")
                .get(0)
                .get(0));
    assertThat(groups, greaterThan(3));
    assertThat(
        query("SELECT count(*), sum(i32) FROM '" + f + "' WHERE i32 IS NOT NULL"),
        contains(List.of("4000", Long.toString(sumOfNonNullI32(5000)))));
  }

  private static long sumOfNonNullI32(int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) if (i % 5 != 4) sum += i * 1000L;
    return sum;
  }

  @Test
  void sameRowsGiveIdenticalBytes() throws Exception {
    Path a = write("a.parquet", ParquetFixtures.rows(100), ParquetSettings.defaults());
    Thread.sleep(5); // nothing time-dependent may leak into the file
    Path b = write("b.parquet", ParquetFixtures.rows(100), ParquetSettings.defaults());
    assertThat(sha256(a), equalTo(sha256(b)));
    Path c = write("c.parquet", ParquetFixtures.rows(101), ParquetSettings.defaults());
    assertThat(sha256(c), not(equalTo(sha256(a))));
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  @Test
  void concatKeepsAllRowsInOrderAndTheMetadata() throws Exception {
    List<Row> all = ParquetFixtures.rows(30);
    List<Path> parts =
        List.of(
            write("p0.parquet", all.subList(0, 10), ParquetSettings.defaults()),
            write("p1.parquet", all.subList(10, 25), ParquetSettings.defaults()),
            write("p2.parquet", all.subList(25, 30), ParquetSettings.defaults()));
    Path out = dir.resolve("all.parquet");
    HfParquetWriter.concat(parts, out, ParquetFixtures.FEATURES, ParquetSettings.defaults());

    List<List<String>> got = query("SELECT i32 FROM '" + out + "'");
    List<List<String>> expected = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      expected.add(
          java.util.Collections.singletonList(i % 5 == 4 ? null : Integer.toString(i * 1000)));
    }
    assertThat(got, equalTo(expected));
    assertThat(
        query("SELECT decode(key) FROM parquet_kv_metadata('" + out + "')"),
        hasItem(List.of("huggingface")));
    assertThat(
        query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('" + out + "')"),
        contains(List.of("3")));
    try (HfParquetReader r = HfParquetReader.open(out)) {
      assertThat(r.features(), equalTo(ParquetFixtures.FEATURES));
    }
  }

  @Test
  void concatOfNothingIsAValidEmptyFile() throws Exception {
    Path out = dir.resolve("empty.parquet");
    HfParquetWriter.concat(List.of(), out, ParquetFixtures.FEATURES, ParquetSettings.defaults());
    assertThat(query("SELECT count(*) FROM '" + out + "'"), contains(List.of("0")));
    assertThat(
        query("SELECT decode(key) FROM parquet_kv_metadata('" + out + "')"),
        contains(List.of("huggingface")));
  }
}
