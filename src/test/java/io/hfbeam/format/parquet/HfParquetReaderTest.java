package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import io.hfbeam.hf.Features;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading Parquet written by other tools, where features must come from the Parquet schema. */
class HfParquetReaderTest {
  @TempDir Path dir;

  private static List<Row> readAll(HfParquetReader r) throws Exception {
    List<Row> rows = new ArrayList<>();
    while (r.hasNext()) rows.add(r.next());
    return rows;
  }

  @Test
  void readsDuckdbOutputWithTypesFromTheSchema() throws Exception {
    Path f = dir.resolve("duck.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute(
          "COPY (SELECT * FROM (VALUES (1::TINYINT, 2::SMALLINT, 3::UTINYINT, [1, NULL]::INTEGER[],"
              + " {'x': 'a', 'y': 1.5::DOUBLE}, TIMESTAMP '2024-01-02 03:04:05.678', 'å'),"
              + " (NULL, NULL, NULL, NULL, NULL, NULL, NULL)) t(a, b, u, l, st, ts, s)) TO '"
              + f
              + "' (FORMAT parquet)");
    }
    try (HfParquetReader r = HfParquetReader.open(f)) {
      assertThat(
          r.features(),
          equalTo(
              Features.fromJson(
                  "{\"a\": \"int8\", \"b\": \"int16\", \"u\": \"uint8\","
                      + " \"l\": \"list<int32>\", \"st\": {\"x\": \"string\", \"y\": \"float64\"}, \"ts\": \"timestamp[us]\","
                      + " \"s\": \"string\"}")));
      assertThat(r.rowCount(), is(2L));
      List<Row> rows = readAll(r);
      Row first = rows.get(0);
      assertThat(first.getByte("a"), is((byte) 1));
      assertThat(first.getInt16("b"), is((short) 2));
      assertThat(first.getInt16("u"), is((short) 3));
      assertThat(first.getArray("l"), equalTo(Arrays.asList(1, null)));
      assertThat(first.getRow("st").getString("x"), is("a"));
      assertThat(first.getRow("st").getDouble("y"), is(1.5));
      assertThat(
          first.getLogicalTypeValue("ts", java.time.Instant.class),
          equalTo(java.time.Instant.parse("2024-01-02T03:04:05.678Z")));
      assertThat(first.getString("s"), is("å"));
      assertThat(
          rows.get(1).getValues(),
          equalTo(Arrays.asList(null, null, null, null, null, null, null)));
    }
  }

  @Test
  void readsRequiredColumnsAndLegacyTwoLevelLists() throws Exception {
    // What old parquet-avro (write-old-list-structure=true) and some Spark/Hive writers produce.
    MessageType schema =
        MessageTypeParser.parseMessageType(
            "message m {"
                + " required int64 id; required binary name (STRING);"
                + " required group tags (LIST) { repeated binary array (STRING); }"
                + " optional group nums (LIST) { repeated int32 element; }"
                + " repeated int32 bare; }");
    Path f = dir.resolve("legacy.parquet");
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(LocalFiles.output(f))
            .withConf(new Configuration(false))
            .withType(schema)
            .build()) {
      Group g = groups.newGroup().append("id", 7L).append("name", "n");
      g.addGroup("tags").append("array", "p").append("array", "q");
      g.addGroup("nums").append("element", 4);
      g.append("bare", 1).append("bare", 2);
      w.write(g);
    }
    try (HfParquetReader r = HfParquetReader.open(f)) {
      assertThat(
          r.features(),
          equalTo(
              Features.fromJson(
                  "{\"id\": \"int64\", \"name\": \"string\","
                      + " \"tags\": \"list<string>\", \"nums\": \"list<int32>\", \"bare\": \"list<int32>\"}")));
      Row row = readAll(r).get(0);
      assertThat(
          row.getValues(),
          equalTo(Arrays.asList(7L, "n", List.of("p", "q"), List.of(4), List.of(1, 2))));
    }
  }

  /**
   * Rows are built without Beam's verification, so a file whose huggingface metadata says another
   * type than its column holds must still fail, naming the column, not give a row of wrong values.
   */
  @Test
  void refusesAColumnWhoseTypeTheMetadataMisstates() throws Exception {
    String[][] cases = {
      {"required float x;", "float64"},
      {"required boolean x;", "int32"},
      {"required binary x (STRING);", "float64"},
      {"required double x;", "float32"},
    };
    for (String[] c : cases) {
      MessageType schema = MessageTypeParser.parseMessageType("message m { " + c[0] + " }");
      Path f = dir.resolve("lies-" + c[1] + "-" + Math.abs(c[0].hashCode()) + ".parquet");
      String hf =
          "{\"info\": {\"features\": "
              + Features.fromJson("{\"x\": \"" + c[1] + "\"}").toJson()
              + "}}";
      SimpleGroupFactory groups = new SimpleGroupFactory(schema);
      try (ParquetWriter<Group> w =
          ExampleParquetWriter.builder(LocalFiles.output(f))
              .withConf(new Configuration(false))
              .withType(schema)
              .withExtraMetaData(java.util.Map.of("huggingface", hf))
              .build()) {
        Group g = groups.newGroup();
        switch (schema.getType(0).asPrimitiveType().getPrimitiveTypeName()) {
          case FLOAT -> g.append("x", 1.5f);
          case DOUBLE -> g.append("x", 1.5d);
          case BOOLEAN -> g.append("x", true);
          default -> g.append("x", "1.5");
        }
        w.write(g);
      }
      try (HfParquetReader r = HfParquetReader.open(f)) {
        assertThat(r.features(), equalTo(Features.fromJson("{\"x\": \"" + c[1] + "\"}")));
        IllegalArgumentException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> readAll(r), c[0] + " read as " + c[1]);
        assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("column 'x'"));
        assertThat(e.getMessage(), org.hamcrest.Matchers.containsString("cannot be read as"));
      }
    }
  }
}
