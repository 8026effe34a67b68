package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Features;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real target reader: pyarrow and datasets load what HfParquetWriter writes with the declared
 * features.
 */
class HfParquetPythonTest {
  @TempDir Path dir;

  private static final Features FEATURES =
      Features.fromJson(
          "{\"i8\": \"int8\", \"i16\": \"int16\","
              + " \"s\": \"string\", \"f64\": \"float64\", \"toks\": \"list<int8>\", \"xyz\": \"list<float32>[3]\","
              + " \"label\": \"class_label(neg,pos)\", \"st\": {\"a\": \"bool\", \"b\": \"list<string>\"},"
              + " \"grid\": \"array2d<int8>(2,3)\"}");

  private static final String SCRIPT =
      """
      import json, sys
      import pyarrow.parquet as pq
      import datasets
      path = sys.argv[1] if len(sys.argv) > 1 else "data.parquet"
      schema = pq.read_schema(path)
      arrow = {f.name: [str(f.type), f.nullable] for f in schema}
      ds = datasets.Dataset.from_parquet(path, cache_dir="hfcache")
      print(json.dumps({"arrow": arrow,
                        "features": {k: repr(v) for k, v in ds.features.items()},
                        "rows": ds.num_rows,
                        "row1": ds[1]}))
      """;

  @Test
  void pyarrowAndDatasetsLoadTheDeclaredFeatures() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Schema s = FEATURES.beamSchema();
    try (HfParquetWriter w =
        HfParquetWriter.create(dir.resolve("data.parquet"), FEATURES, ParquetSettings.defaults())) {
      for (int i = 0; i < 3; i++) {
        w.write(
            Row.withSchema(s)
                .addValues(
                    (byte) -i,
                    (short) (i * 300),
                    "x" + i,
                    i / 2.0,
                    List.of((byte) 1, (byte) i),
                    List.of(1f, 2f, 3f),
                    (long) (i % 2),
                    Row.withSchema(s.getField("st").getType().getRowSchema())
                        .addValues(true, List.of("q"))
                        .build(),
                    List.of(
                        List.of((byte) 1, (byte) 2, (byte) 3),
                        List.of((byte) 4, (byte) 5, (byte) 6)))
                .build());
      }
      w.write(Row.withSchema(s).addValues(new Object[s.getFieldCount()]).build());
    }
    PythonEnv.Result r = PythonEnv.runScript(SCRIPT, Map.of("HF_DATASETS_OFFLINE", "1"), dir, 300);
    assertThat(r.output(), r.exitCode(), is(0));
    String lastLine = r.output().strip().lines().reduce((a, b) -> b).orElse("");
    JsonNode out = new ObjectMapper().readTree(lastLine);

    JsonNode arrow = out.get("arrow");
    assertThat(arrow.get("i8").toString(), equalTo("[\"int8\",true]"));
    assertThat(arrow.get("i16").toString(), equalTo("[\"int16\",true]"));
    assertThat(arrow.get("s").toString(), equalTo("[\"string\",true]"));
    assertThat(arrow.get("f64").toString(), equalTo("[\"double\",true]"));
    assertThat(arrow.get("toks").toString(), equalTo("[\"list<element: int8>\",true]"));
    assertThat(arrow.get("label").toString(), equalTo("[\"int64\",true]"));
    assertThat(
        arrow.get("st").toString(),
        equalTo("[\"struct<a: bool, b: list<element: string>>\",true]"));

    JsonNode f = out.get("features");
    assertThat(f.get("i8").asText(), equalTo("Value('int8')"));
    assertThat(f.get("i16").asText(), equalTo("Value('int16')"));
    assertThat(f.get("s").asText(), equalTo("Value('string')"));
    assertThat(f.get("f64").asText(), equalTo("Value('float64')"));
    assertThat(f.get("toks").asText(), equalTo("List(Value('int8'))"));
    assertThat(f.get("label").asText(), equalTo("ClassLabel(names=['neg', 'pos'])"));
    assertThat(f.get("st").asText(), equalTo("{'a': Value('bool'), 'b': List(Value('string'))}"));
    // Known limit (hub-protocol.md E.4): Parquet has no fixed-size list or extension type, so
    // datasets rebuilds these two from the Arrow type. The dataset card's dataset_info.features
    // restores them on the Hub.
    assertThat(f.get("xyz").asText(), equalTo("List(Value('float32'))"));
    assertThat(f.get("grid").asText(), equalTo("List(List(Value('int8')))"));

    assertThat(out.get("rows").asInt(), is(4));
    assertThat(
        out.get("row1").toString(),
        equalTo(
            "{\"i8\":-1,\"i16\":300,\"s\":\"x1\",\"f64\":0.5,"
                + "\"toks\":[1,1],\"xyz\":[1.0,2.0,3.0],\"label\":1,\"st\":{\"a\":true,\"b\":[\"q\"]},"
                + "\"grid\":[[1,2,3],[4,5,6]]}"));
  }
}
