package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beam DATETIME holds milliseconds: timestamp[us]/[ns] values that are whole milliseconds read
 * exactly, and one with a finer part fails in one line instead of being cut.
 */
class TimestampPrecisionPythonTest {
  @TempDir Path dir;

  @Test
  void subMillisecondValuesFailAndWholeMillisecondsRead() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    PythonEnv.Result r =
        PythonEnv.runScript(
            """
            import pyarrow as pa, pyarrow.parquet as pq
            pq.write_table(pa.table({
                "us": pa.array([1_000, 2_000, 1_500], pa.timestamp("us")),
                "ns": pa.array([2_000_000, 2_000_001, 3_000_000], pa.timestamp("ns"))}), "ts.parquet")
            """,
            Map.of(),
            dir,
            120);
    assertThat(r.output(), r.exitCode(), is(0));
    try (HfParquetReader reader = HfParquetReader.open(dir.resolve("ts.parquet"))) {
      assertThat(reader.features().get("us").toString(), equalTo("Value[dtype=timestamp[us]]"));
      Row first = reader.next();
      assertThat(first.getDateTime("us"), equalTo(new Instant(1)));
      assertThat(first.getDateTime("ns"), equalTo(new Instant(2)));
      IllegalArgumentException ns = assertThrows(IllegalArgumentException.class, reader::next);
      assertThat(
          ns.getMessage(),
          equalTo(
              "column 'ns': timestamp 2000001 ns has a sub-millisecond part, which Beam DATETIME"
                  + " (milliseconds) cannot hold"));
      IllegalArgumentException us = assertThrows(IllegalArgumentException.class, reader::next);
      assertThat(
          us.getMessage(),
          equalTo(
              "column 'us': timestamp 1500 us has a sub-millisecond part, which Beam DATETIME"
                  + " (milliseconds) cannot hold"));
    }
  }
}
