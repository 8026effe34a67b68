package io.hfbeam.format.parquet.tensor;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Features;
import io.hfbeam.testing.PythonEnv;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.StringJoiner;
import java.util.TreeSet;
import org.apache.parquet.format.ColumnMetaData;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TensorParquetWriterTest {
  /** Every supported column kind; declared in the shorthand the CLI accepts. */
  static final Features ALL =
      Features.fromJson(
          """
      {"window": "array2d<int8>(10,69)", "scalars": "list<int8>[3]", "cube": "array3d<int32>(2,3,4)",
       "emb": "list<float32>[4]", "wide": "list<int64>[2]", "dbl": "array2d<float64>(2,2)", "u8": "list<uint8>[5]",
       "s16": "list<int16>[3]", "game_id": "string", "ply": "int16", "big": "int64", "flag": "bool",
       "x": "float64", "f": "float32", "r": "int8", "n": "int32", "u": "uint8"}""");

  /**
   * Small pages and row groups and a tiny dictionary limit, so that one file exercises all the
   * paths.
   */
  static final TensorParquetWriter.Options SMALL =
      TensorParquetWriter.Options.defaults()
          .pageBytes(4096)
          .rowGroupRows(700)
          .maxDictionaryBytes(2048);

  @TempDir Path dir;

  /** One generated row, kept as the DuckDB text of each column for comparison. */
  record Expected(List<Map<String, String>> rows) {}

  static Expected write(
      Path file, Features features, TensorParquetWriter.Options options, int n, long seed)
      throws IOException {
    Random rnd = new Random(seed);
    List<Map<String, String>> rows = new ArrayList<>();
    try (TensorParquetWriter w = TensorParquetWriter.create(file, features, options)) {
      RowSink row = w.row();
      byte[] window = new byte[690];
      for (int i = 0; i < n; i++) {
        Map<String, String> e = new LinkedHashMap<>();
        for (int k = 0; k < window.length; k++)
          window[k] = (byte) (rnd.nextInt(20) == 0 ? rnd.nextInt(256) - 128 : 15 + rnd.nextInt(18));
        row.tensor(0, window, 0);
        e.put("window", nested(window.length, 69, k -> Byte.toString(window[k])));
        byte[] sc = {(byte) rnd.nextInt(3), (byte) -128, 127};
        row.tensor(1, sc, 0);
        e.put("scalars", nested(3, 3, k -> Byte.toString(sc[k])));
        int[] cube = new int[24];
        for (int k = 0; k < 24; k++)
          cube[k] = rnd.nextInt(50) - 25 + (k == 0 ? Integer.MIN_VALUE : 0);
        row.tensor(2, cube, 0);
        e.put(
            "cube",
            "["
                + nested(12, 4, k -> Integer.toString(cube[k]))
                + ", "
                + nested(12, 4, k -> Integer.toString(cube[12 + k]))
                + "]");
        if (i % 7 == 3) {
          row.nullValue(3);
          e.put("emb", null);
        } else {
          float[] emb = new float[4];
          for (int k = 0; k < 4; k++) emb[k] = rnd.nextInt(64) / 4f - 8;
          row.tensor(3, emb, 0);
          e.put("emb", nested(4, 4, k -> Float.toString(emb[k])));
        }
        long[] wide = {rnd.nextLong(), i};
        row.tensor(4, wide, 0);
        e.put("wide", nested(2, 2, k -> Long.toString(wide[k])));
        double[] dbl = {rnd.nextInt(8) * 0.5, -1.5, 2.25, i};
        row.tensor(5, dbl, 0);
        e.put("dbl", nested(4, 2, k -> Double.toString(dbl[k])));
        byte[] u8 = {(byte) 255, 0, (byte) 128, (byte) rnd.nextInt(256), 7};
        row.tensor(6, u8, 0);
        e.put("u8", nested(5, 5, k -> Integer.toString(u8[k] & 0xFF)));
        short[] s16 = {Short.MIN_VALUE, (short) rnd.nextInt(), Short.MAX_VALUE};
        row.tensor(7, s16, 0);
        e.put("s16", nested(3, 3, k -> Short.toString(s16[k])));
        String game = i % 11 == 5 ? null : (i % 13 == 0 ? "partie-é-" : "game-") + (i / 40);
        row.string(8, game);
        e.put("game_id", game);
        row.int32(9, (short) (i * 37));
        e.put("ply", Short.toString((short) (i * 37)));
        long big = i % 3 == 0 ? rnd.nextLong() : i % 5;
        row.int64(10, big);
        e.put("big", Long.toString(big));
        row.bool(11, i % 3 == 1);
        e.put("flag", Boolean.toString(i % 3 == 1));
        row.float64(12, i / 8.0);
        e.put("x", Double.toString(i / 8.0));
        row.float32(13, -i / 2f);
        e.put("f", Float.toString(-i / 2f));
        if (i % 4 == 0) {
          row.nullValue(14);
          e.put("r", null);
        } else {
          row.int32(14, i % 256 - 128);
          e.put("r", Integer.toString(i % 256 - 128));
        }
        row.int32(15, i * 1000);
        e.put("n", Integer.toString(i * 1000));
        row.int32(16, i % 256);
        e.put("u", Integer.toString(i % 256));
        row.end();
        rows.add(e);
      }
    }
    return new Expected(rows);
  }

  /** DuckDB's text of a row-major list: n values in inner lists of {@code inner}. */
  static String nested(int n, int inner, java.util.function.IntFunction<String> value) {
    StringJoiner outer = new StringJoiner(", ", "[", "]");
    for (int start = 0; start < n; start += inner) {
      StringJoiner in = new StringJoiner(", ", "[", "]");
      for (int k = start; k < start + inner; k++) in.add(value.apply(k));
      outer.add(in.toString());
    }
    return n == inner
        ? outer.toString().substring(1, outer.toString().length() - 1)
        : outer.toString();
  }

  static List<List<String>> query(String sql, Object... args) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) st.setObject(i + 1, args[i]);
      List<List<String>> out = new ArrayList<>();
      try (ResultSet rs = st.executeQuery()) {
        int cols = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          List<String> r = new ArrayList<>();
          for (int k = 1; k <= cols; k++) r.add(rs.getString(k));
          out.add(r);
        }
      }
      return out;
    }
  }

  @Test
  void duckDbReadsBackEveryValueAcrossRowGroupsPagesAndDictionaryFallback() throws Exception {
    Path f = dir.resolve("all.parquet");
    Expected expected = write(f, ALL, SMALL, 3000, 1);
    StringJoiner select = new StringJoiner(", ");
    for (String name : ALL.names()) select.add("\"" + name + "\"::VARCHAR");
    List<List<String>> got = query("SELECT " + select + " FROM read_parquet(?)", f.toString());
    assertThat(got.size(), equalTo(3000));
    for (int i = 0; i < got.size(); i++) {
      assertThat("row " + i, got.get(i), equalTo(new ArrayList<>(expected.rows().get(i).values())));
    }
    List<List<String>> groups =
        query(
            "SELECT count(DISTINCT row_group_id), count(DISTINCT compression) FROM parquet_metadata(?)",
            f.toString());
    assertThat(groups.get(0), equalTo(List.of("5", "1")));
    List<String> window = pages(f, 0, 0);
    assertThat(window.get(0), equalTo("DICTIONARY"));
    assertThat(
        new TreeSet<>(window.subList(1, window.size())),
        equalTo(new TreeSet<>(List.of("RLE_DICTIONARY"))));
    assertThat(window.size(), greaterThan(10));
  }

  /**
   * Windows whose rows repeat (copied indices), shift, or bring new values until the dictionary
   * overflows.
   */
  @Test
  void repeatedTensorRowsReadBackExactlyAlsoAcrossADictionaryFallback() throws Exception {
    Path f = dir.resolve("rows.parquet");
    Features one = Features.fromJson("{\"window\": \"array2d<int8>(10,69)\"}");
    Random rnd = new Random(11);
    List<String> expected = new ArrayList<>();
    var options =
        TensorParquetWriter.Options.defaults()
            .pageBytes(4096)
            .maxDictionaryBytes(400)
            .rowGroupRows(300);
    byte[] window = new byte[690];
    try (TensorParquetWriter w = TensorParquetWriter.create(f, one, options)) {
      for (int i = 0; i < 1000; i++) {
        int kind = i % 4;
        for (int r = 0; r < 10; r++) {
          for (int k = 0; k < 69; k++) {
            int at = r * 69 + k;
            if (kind == 0 && r > 0) window[at] = window[at - 69]; // the same row ten times
            else if (kind == 1 && r < 9) window[at] = window[at + 69]; // shifted by a row
            else
              window[at] =
                  (byte)
                      (i < 600
                          ? 15 + rnd.nextInt(14)
                          : rnd.nextInt(256) - 128); // later: > 100 values
          }
          if (kind == 3 && r % 2 == 1) System.arraycopy(window, (r - 1) * 69, window, r * 69, 69);
        }
        w.row().tensor(0, window, 0).end();
        expected.add(nested(690, 69, k -> Byte.toString(window[k])));
      }
    }
    List<String> got = new ArrayList<>();
    query("SELECT \"window\"::VARCHAR FROM read_parquet(?)", f.toString())
        .forEach(r -> got.add(r.get(0)));
    assertThat(got.size(), equalTo(expected.size()));
    for (int i = 0; i < got.size(); i++)
      assertThat("row " + i, got.get(i), equalTo(expected.get(i)));
    assertThat(
        "the later rows overflow the dictionary", pages(f, 2, 0).contains("PLAIN"), equalTo(true));
  }

  @Test
  void dictionaryOverflowSwitchesTheRestOfTheChunkToPlain() throws Exception {
    Path f = dir.resolve("overflow.parquet");
    Features one = Features.fromJson("{\"v\": \"int64\"}");
    Random rnd = new Random(9);
    List<String> expected = new ArrayList<>();
    var options =
        TensorParquetWriter.Options.defaults()
            .pageBytes(1024)
            .maxDictionaryBytes(2048)
            .rowGroupRows(2000);
    try (TensorParquetWriter w = TensorParquetWriter.create(f, one, options)) {
      for (int i = 0; i < 3000; i++) {
        long v = i < 1500 ? i % 200 : rnd.nextLong();
        w.row().int64(0, v).end();
        expected.add(Long.toString(v));
      }
    }
    List<String> got = new ArrayList<>();
    query("SELECT v::VARCHAR FROM read_parquet(?)", f.toString()).forEach(r -> got.add(r.get(0)));
    assertThat(got, equalTo(expected));
    // Group 0: dictionary pages until the 257th distinct value, then PLAIN. Group 1 overflows in
    // its first page, so it has no dictionary page at all.
    List<String> first = pages(f, 0, 0);
    assertThat(first.subList(0, 2), equalTo(List.of("DICTIONARY", "RLE_DICTIONARY")));
    assertThat(first.get(first.size() - 1), equalTo("PLAIN"));
    assertThat(new TreeSet<>(pages(f, 1, 0)), equalTo(new TreeSet<>(List.of("PLAIN"))));
  }

  /**
   * The page types/encodings of one column chunk, read from the page headers with parquet-format's
   * own reader.
   */
  static List<String> pages(Path f, int group, int column) throws IOException {
    byte[] b = Files.readAllBytes(f);
    int len = ByteBuffer.wrap(b, b.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    FileMetaData meta = Util.readFileMetaData(new ByteArrayInputStream(b, b.length - 8 - len, len));
    ColumnMetaData c = meta.getRow_groups().get(group).getColumns().get(column).getMeta_data();
    long start =
        c.isSetDictionary_page_offset() ? c.getDictionary_page_offset() : c.getData_page_offset();
    ByteArrayInputStream in =
        new ByteArrayInputStream(b, (int) start, (int) c.getTotal_compressed_size());
    List<String> out = new ArrayList<>();
    while (in.available() > 0) {
      PageHeader h = Util.readPageHeader(in);
      out.add(
          h.getType() == PageType.DICTIONARY_PAGE
              ? "DICTIONARY"
              : h.getData_page_header().getEncoding().name());
      in.skipNBytes(h.getCompressed_page_size());
    }
    return out;
  }

  @Test
  void duckDbSeesTheHuggingFaceTypesSchemaAndMetadata() throws Exception {
    Path f = dir.resolve("types.parquet");
    write(f, ALL, SMALL, 10, 2);
    Map<String, String> types = new LinkedHashMap<>();
    query("DESCRIBE SELECT * FROM read_parquet(?)", f.toString())
        .forEach(r -> types.put(r.get(0), r.get(1)));
    assertThat(types.get("window"), equalTo("TINYINT[][]"));
    assertThat(types.get("scalars"), equalTo("TINYINT[]"));
    assertThat(types.get("cube"), equalTo("INTEGER[][][]"));
    assertThat(types.get("u8"), equalTo("UTINYINT[]"));
    assertThat(types.get("ply"), equalTo("SMALLINT"));
    assertThat(types.get("n"), equalTo("INTEGER"));
    assertThat(types.get("big"), equalTo("BIGINT"));
    assertThat(types.get("game_id"), equalTo("VARCHAR"));
    assertThat(types.get("flag"), equalTo("BOOLEAN"));
    List<String> schema = new ArrayList<>();
    query(
            "SELECT name, repetition_type, coalesce(converted_type, '') FROM parquet_schema(?)",
            f.toString())
        .forEach(r -> schema.add(String.join(" ", r).trim()));
    assertThat(
        schema.subList(1, 6),
        equalTo(
            List.of(
                "window OPTIONAL LIST",
                "list REPEATED",
                "element OPTIONAL LIST",
                "list REPEATED",
                "element OPTIONAL INT_8")));
    List<List<String>> kv =
        query("SELECT decode(key), decode(value) FROM parquet_kv_metadata(?)", f.toString());
    assertThat(kv, equalTo(List.of(List.of("huggingface", ALL.huggingfaceMetadata()))));
    List<List<String>> created =
        query("SELECT created_by FROM parquet_file_metadata(?)", f.toString());
    assertThat(created.get(0).get(0), equalTo(TensorParquetWriter.CREATED_BY));
  }

  @Test
  void integerStatisticsFollowTheLogicalType() throws Exception {
    Path f = dir.resolve("stats.parquet");
    write(f, ALL, TensorParquetWriter.Options.defaults(), 300, 3);
    Map<String, List<String>> stats = new LinkedHashMap<>();
    query(
            "SELECT path_in_schema, stats_min_value, stats_max_value, stats_null_count FROM parquet_metadata(?)",
            f.toString())
        .forEach(r -> stats.put(r.get(0).split(",")[0], r.subList(1, 4)));
    assertThat(stats.get("scalars"), equalTo(List.of("-128", "127", "0")));
    assertThat(stats.get("u8"), equalTo(List.of("0", "255", "0")));
    assertThat(stats.get("s16").subList(0, 2), equalTo(List.of("-32768", "32767")));
    assertThat(stats.get("r").get(2), equalTo("75"));
    assertThat(stats.get("emb").get(2), equalTo(Long.toString(300 / 7 + (300 % 7 > 3 ? 1 : 0))));
    // DuckDB filters with these statistics: a wrong max would drop rows.
    assertThat(
        query("SELECT count(*) FROM read_parquet(?) WHERE n >= 299000", f.toString()).get(0).get(0),
        equalTo("1"));
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionCodecName.class,
      names = {"ZSTD", "SNAPPY", "GZIP", "UNCOMPRESSED"})
  void everyCodecRoundTrips(CompressionCodecName codec) throws Exception {
    Path f = dir.resolve(codec + ".parquet");
    Expected expected = write(f, ALL, SMALL.codec(codec), 800, 4);
    assertThat(
        query("SELECT DISTINCT compression FROM parquet_metadata(?)", f.toString()),
        equalTo(List.of(List.of(codec.name()))));
    List<List<String>> got =
        query(
            "SELECT \"window\"::VARCHAR, game_id, big::VARCHAR FROM read_parquet(?)", f.toString());
    for (int i = 0; i < got.size(); i++) {
      Map<String, String> e = expected.rows().get(i);
      assertThat(
          got.get(i),
          equalTo(java.util.Arrays.asList(e.get("window"), e.get("game_id"), e.get("big"))));
    }
    assertThat(got.size(), equalTo(800));
  }

  @Test
  void aColumnWithOnlyNullsInAChunkOrAPageIsReadable() throws Exception {
    // a dictionary column whose page holds no value has no dictionary to refer to (chess
    // positions of games without Elo: white_elo all null)
    Features f = Features.fromJson("{\"elo\": \"int16\", \"s\": \"string\", \"late\": \"int32\"}");
    Path file = dir.resolve("nulls.parquet");
    try (TensorParquetWriter w = TensorParquetWriter.create(file, f, SMALL)) {
      for (int i = 0; i < 2000; i++) {
        RowSink row = w.row().nullValue(0).nullValue(1);
        if (i < 1000) row.nullValue(2); // whole pages, a whole row group, then values
        else row.int32(2, i % 7);
        row.end();
      }
    }
    assertThat(
        query(
            "SELECT count(*), count(elo), count(s), count(late), sum(late) FROM read_parquet(?)",
            file.toString()),
        equalTo(List.of(List.of("2000", "0", "0", "1000", "2998"))));
  }

  @Test
  void sameRowsGiveTheSameBytes() throws Exception {
    Path a = dir.resolve("a.parquet");
    Path b = dir.resolve("b.parquet");
    Path c = dir.resolve("c.parquet");
    write(a, ALL, SMALL, 1500, 5);
    write(b, ALL, SMALL, 1500, 5);
    write(c, ALL, SMALL, 1500, 6);
    assertThat(sha256(a), equalTo(sha256(b)));
    assertThat(sha256(a).equals(sha256(c)), equalTo(false));
  }

  @Test
  void rowGroupsFollowTheByteTarget() throws Exception {
    Path f = dir.resolve("bytes.parquet");
    write(f, ALL, TensorParquetWriter.Options.defaults().rowGroupBytes(200_000), 2000, 7);
    int groups =
        Integer.parseInt(
            query("SELECT count(DISTINCT row_group_id) FROM parquet_metadata(?)", f.toString())
                .get(0)
                .get(0));
    assertThat(groups, greaterThan(2));
    List<List<String>> sizes =
        query(
            "SELECT DISTINCT row_group_id, row_group_bytes FROM parquet_metadata(?) ORDER BY 1",
            f.toString());
    for (List<String> s : sizes.subList(0, sizes.size() - 1)) {
      assertThat(
          Long.parseLong(s.get(1)) < 260_000 && Long.parseLong(s.get(1)) >= 200_000, equalTo(true));
    }
  }

  @Test
  void rejectsWhatItCannotWriteCheaply() throws IOException {
    Path f = dir.resolve("bad.parquet");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TensorParquetWriter.create(
                    f, Features.fromJson("{\"tokens\": \"list<int8>\"}"), SMALL));
    assertThat(e.getMessage(), containsString("fixed length"));
    try (TensorParquetWriter w =
        TensorParquetWriter.create(
            f, Features.fromJson("{\"a\": \"list<int8>[2]\", \"b\": \"int8\"}"), SMALL)) {
      RowSink row = w.row();
      assertThat(
          assertThrows(IllegalArgumentException.class, () -> row.tensor(0, new short[2], 0))
              .getMessage(),
          containsString("int8 tensor"));
      assertThrows(IllegalArgumentException.class, () -> row.int32(1, 200));
      row.tensor(0, new byte[] {1, 2}, 0);
      assertThrows(IllegalStateException.class, () -> row.tensor(0, new byte[] {1, 2}, 0));
      assertThat(
          assertThrows(IllegalStateException.class, row::end).getMessage(),
          containsString("column b not set"));
    }
  }

  @Test
  void pyarrowAndDatasetsReadTheFile() throws Exception {
    assumeTrue(PythonEnv.available(), PythonEnv::skipReason);
    Path f = dir.resolve("py.parquet");
    Expected expected = write(f, ALL, SMALL, 1500, 8);
    List<List<Integer>> firstWindow = new ArrayList<>();
    String w = expected.rows().get(0).get("window");
    for (String inner : w.substring(2, w.length() - 2).split("\\], \\[")) {
      List<Integer> r = new ArrayList<>();
      for (String v : inner.split(", ")) r.add(Integer.parseInt(v));
      firstWindow.add(r);
    }
    Path json = dir.resolve("expected.json");
    new ObjectMapper()
        .writeValue(
            json.toFile(),
            Map.of(
                "window0",
                firstWindow,
                "game_ids",
                expected.rows().stream().map(r -> r.get("game_id")).toList()));
    String script =
        """
        import json, sys, pyarrow.parquet as pq, datasets, numpy as np
        f, exp = sys.argv[1], json.load(open(sys.argv[2]))
        t = pq.read_table(f)
        assert str(t.schema.field('window').type) == 'list<element: list<element: int8>>', t.schema.field('window').type
        assert str(t.schema.field('scalars').type) == 'list<element: int8>', t.schema.field('scalars').type
        assert str(t.schema.field('ply').type) == 'int16'
        assert t.num_rows == 1500
        assert t.column('window')[0].as_py() == exp['window0']
        assert t.column('game_id').to_pylist() == exp['game_ids']
        m = pq.ParquetFile(f).metadata
        assert m.num_rows == 1500 and m.num_row_groups == 3, (m.num_rows, m.num_row_groups)
        assert m.created_by.startswith('hf-beam'), m.created_by
        for g in range(m.num_row_groups):
            for c in range(m.num_columns):
                m.row_group(g).column(c).statistics
        assert b'huggingface' in m.metadata
        ds = datasets.Dataset.from_parquet(f)
        assert len(ds) == 1500 and ds[0]['window'] == exp['window0']
        # Without an ARROW:schema the Array2D/length metadata cannot match the Parquet-derived Arrow type
        # (hub-protocol.md E.4), so datasets rebuilds the features from Arrow: nested int8 lists.
        print('features', ds.features['window'], ds.features['scalars'])
        assert ds.features['window'].feature.feature.dtype == 'int8', ds.features['window']
        print('OK')
        """;
    PythonEnv.Result r =
        PythonEnv.runScript(
            script.replace("sys.argv[1]", "'" + f + "'").replace("sys.argv[2]", "'" + json + "'"),
            Map.of("HF_DATASETS_CACHE", dir.resolve("hf").toString()),
            dir,
            600);
    assertThat(r.output(), r.exitCode(), equalTo(0));
    assertThat(r.output(), containsString("OK"));
  }

  static String sha256(Path f) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
  }
}
