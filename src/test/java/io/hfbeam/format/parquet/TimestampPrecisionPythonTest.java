package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.Timestamps;
import io.hfbeam.testing.PythonEnv;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * timestamp[us]/[ns] are exact both ways against pyarrow: what pyarrow writes (INT64 MICROS/NANOS,
 * zoned, legacy INT96) reads to the same instants, what HfParquetWriter writes pyarrow reads to the
 * same int64 values, and JSONL output is Python's isoformat of the values datasets gives.
 */
class TimestampPrecisionPythonTest {
  @TempDir Path dir;

  private static final long MIN = Long.MIN_VALUE;
  private static final long MAX = Long.MAX_VALUE;

  /** us: year 1 and 9999 (Python's datetime range), around the epoch, sub-millisecond parts. */
  private static final long[] US = {
    -62_135_596_800_000_000L, 253_402_300_799_999_999L, -1, 1, 0, 1_500, 1_700_000_000_123_456L
  };

  /** ns: the int64 extremes (1677 and 2262), around the epoch, sub-microsecond parts. */
  private static final long[] NS = {
    MIN, MIN + 1, MAX, -1, 1, 2_000_001, 1_700_000_000_123_456_789L
  };

  private static final String WRITE =
      """
      import json, datasets, pyarrow as pa, pyarrow.parquet as pq
      US = %s
      NS = %s
      t = pa.table({
          "us": pa.array(US, pa.timestamp("us")),
          "ns": pa.array(NS, pa.timestamp("ns")),
          "ns_utc": pa.array(NS, pa.timestamp("ns", tz="UTC")),
          "ms": pa.array([v // 1000 for v in US], pa.timestamp("ms"))})
      pq.write_table(t, "in.parquet")
      pq.write_table(t.select(["ns"]), "int96.parquet", use_deprecated_int96_timestamps=True)
      # what a Python export writes: isoformat of the values datasets gives (pandas makes the
      # int64 minimum NaT, so that row is left out of this comparison)
      ds = datasets.Dataset(t.select(["us", "ns", "ms"]))
      print(json.dumps([None if r["ns"] is None or str(r["ns"]) == "NaT" else
                        json.dumps({k: v.isoformat() for k, v in r.items()}, ensure_ascii=False)
                        for r in ds]))
      """;

  private static final String READ =
      """
      import json, datasets, pyarrow as pa, pyarrow.parquet as pq
      t = pq.read_table("out.parquet")
      ds = datasets.Dataset.from_parquet("out.parquet", cache_dir="hfcache")
      print(json.dumps({
          "types": {f.name: str(f.type) for f in t.schema},
          "features": {k: repr(v) for k, v in ds.features.items()},
          "values": {c: t.column(c).cast(pa.int64()).to_pylist() for c in t.column_names}}))
      """;

  @Test
  void usAndNsRoundTripExactlyThroughPyarrow() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    PythonEnv.Result w =
        PythonEnv.runScript(
            WRITE.formatted(list(US), list(NS)), Map.of("HF_DATASETS_OFFLINE", "1"), dir, 300);
    assertThat(w.output(), w.exitCode(), is(0));
    JsonNode pyLines = new ObjectMapper().readTree(lastLine(w.output()));

    List<Row> rows = new ArrayList<>();
    Features features;
    try (HfParquetReader r = HfParquetReader.open(dir.resolve("in.parquet"))) {
      features = r.features();
      assertThat(
          features,
          equalTo(
              Features.fromJson(
                  "{\"us\": \"timestamp[us]\", \"ns\": \"timestamp[ns]\","
                      + " \"ns_utc\": {\"dtype\": \"timestamp[ns, tz=UTC]\", \"_type\": \"Value\"},"
                      + " \"ms\": \"timestamp[ms]\"}")));
      while (r.hasNext()) rows.add(r.next());
    }
    assertThat(rows.size(), is(US.length));
    for (int i = 0; i < US.length; i++) {
      Row row = rows.get(i);
      assertThat(row.getValue("us"), equalTo(Timestamps.ofEpoch(US[i], "us")));
      assertThat(row.getValue("ns"), equalTo(Timestamps.ofEpoch(NS[i], "ns")));
      assertThat(row.getValue("ns_utc"), equalTo(Timestamps.ofEpoch(NS[i], "ns")));
      // timestamp[ms] is still Beam DATETIME: a Joda instant
      assertThat(
          row.getValue("ms"), equalTo(new org.joda.time.Instant(Math.floorDiv(US[i], 1000L))));
    }
    assertThat(
        rows.get(5).getValue("ns"), equalTo(Instant.parse("1970-01-01T00:00:00.002000001Z")));

    try (HfParquetReader r = HfParquetReader.open(dir.resolve("int96.parquet"))) {
      assertThat(r.features(), equalTo(Features.fromJson("{\"ns\": \"timestamp[ns]\"}")));
      for (long ns : NS) assertThat(r.next().getValue("ns"), equalTo(Timestamps.ofEpoch(ns, "ns")));
    }

    // JSONL: Python's isoformat, digit for digit
    ByteArrayOutputStream jsonl = new ByteArrayOutputStream();
    java.util.LinkedHashMap<String, io.hfbeam.hf.Feature> three = new java.util.LinkedHashMap<>();
    for (String name : List.of("us", "ns", "ms")) three.put(name, features.get(name));
    Features printed = Features.of(three);
    try (JsonlRowWriter out = new JsonlRowWriter(jsonl, printed)) {
      for (Row row : rows) {
        out.write(
            Row.withSchema(printed.beamSchema())
                .addValues(row.getValue("us"), row.getValue("ns"), row.getValue("ms"))
                .build());
      }
    }
    String[] lines = jsonl.toString(StandardCharsets.UTF_8).split("\n");
    int compared = 0;
    for (int i = 0; i < lines.length; i++) {
      if (pyLines.get(i).isNull()) continue;
      assertThat("row " + i, lines[i], equalTo(pyLines.get(i).asText()));
      compared++;
    }
    assertThat(compared, is(US.length - 1));

    try (HfParquetWriter out =
        HfParquetWriter.create(dir.resolve("out.parquet"), features, ParquetSettings.defaults())) {
      for (Row row : rows) out.write(row);
    }
    PythonEnv.Result r = PythonEnv.runScript(READ, Map.of("HF_DATASETS_OFFLINE", "1"), dir, 300);
    assertThat(r.output(), r.exitCode(), is(0));
    JsonNode py = new ObjectMapper().readTree(lastLine(r.output()));
    assertThat(
        py.get("types").toString(),
        equalTo(
            "{\"us\":\"timestamp[us]\",\"ns\":\"timestamp[ns]\",\"ns_utc\":\"timestamp[ns, tz=UTC]\","
                + "\"ms\":\"timestamp[ms]\"}"));
    assertThat(
        py.get("features").toString(),
        equalTo(
            "{\"us\":\"Value('timestamp[us]')\",\"ns\":\"Value('timestamp[ns]')\","
                + "\"ns_utc\":\"Value('timestamp[ns, tz=UTC]')\",\"ms\":\"Value('timestamp[ms]')\"}"));
    JsonNode values = py.get("values");
    for (int i = 0; i < US.length; i++) {
      assertThat("us row " + i, values.get("us").get(i).asLong(), is(US[i]));
      assertThat("ns row " + i, values.get("ns").get(i).asLong(), is(NS[i]));
      assertThat("ns_utc row " + i, values.get("ns_utc").get(i).asLong(), is(NS[i]));
      assertThat("ms row " + i, values.get("ms").get(i).asLong(), is(Math.floorDiv(US[i], 1000L)));
    }
  }

  private static String list(long[] values) {
    StringBuilder b = new StringBuilder("[");
    for (long v : values) b.append(b.length() > 1 ? ", " : "").append(v);
    return b.append(']').toString();
  }

  private static String lastLine(String output) {
    return output.strip().lines().reduce((a, b) -> b).orElse("");
  }
}
