package io.hfbeam.format.parquet;

import io.hfbeam.hf.Features;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/** One row per interesting type, with nulls at every level every fifth row. */
final class ParquetFixtures {
  static final Features FEATURES =
      Features.fromJson(
          "{\"i8\": \"int8\", \"i16\": \"int16\", \"i32\": \"int32\","
              + " \"i64\": \"int64\", \"f32\": \"float32\", \"f64\": \"float64\", \"b\": \"bool\", \"s\": \"string\","
              + " \"bin\": \"binary\", \"tags\": \"list<int8>\", \"grid\": \"array2d<int8>(2,3)\","
              + " \"st\": {\"x\": \"int32\", \"y\": \"list<string>\"}, \"lab\": \"class_label(neg,pos)\","
              + " \"ts\": \"timestamp[us]\"}");

  private ParquetFixtures() {}

  static List<Row> rows(int n) {
    Schema schema = FEATURES.beamSchema();
    Schema st = schema.getField("st").getType().getRowSchema();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (i % 5 == 4) {
        rows.add(Row.withSchema(schema).addValues(new Object[schema.getFieldCount()]).build());
        continue;
      }
      rows.add(
          Row.withSchema(schema)
              .addValues(
                  (byte) (i % 256 - 128),
                  (short) (i * 7 - 1000),
                  i * 1000,
                  (long) i << 35,
                  i / 4f,
                  i / 3.0,
                  i % 2 == 0,
                  "rad " + i + " å 🎉",
                  new byte[] {(byte) i, 0, -1},
                  Arrays.asList((byte) i, null, (byte) -i),
                  List.of(
                      List.of((byte) 1, (byte) 2, (byte) 3), List.of((byte) i, (byte) 5, (byte) 6)),
                  Row.withSchema(st).addValues(i, Arrays.asList("a", null)).build(),
                  (long) (i % 2),
                  // timestamp[us]: exact microseconds
                  Instant.ofEpochMilli(1_700_000_000_000L + i).plusNanos(1000L * (i % 1000)))
              .build());
    }
    return rows;
  }
}
