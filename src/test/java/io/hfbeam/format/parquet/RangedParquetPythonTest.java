package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.parquet.RangedFixtures.BytesSource;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pyarrow's view of the same files: the row groups we expose (rows, byte ranges) are the ones
 * pyarrow's metadata lists, the values of a projected column are pyarrow's, and one column of ten
 * costs its compressed size (as pyarrow counts it) plus the footer read.
 */
class RangedParquetPythonTest {
  @TempDir Path dir;

  private static final String SCRIPT =
      """
      import json, sys
      import pyarrow.parquet as pq
      out = {}
      for path in sys.argv[1:]:
          md = pq.ParquetFile(path).metadata
          groups = []
          c3 = 0
          for i in range(md.num_row_groups):
              rg = md.row_group(i)
              start, end = None, 0
              for j in range(rg.num_columns):
                  c = rg.column(j)
                  d = c.dictionary_page_offset
                  s = d if d is not None and 0 < d < c.data_page_offset else c.data_page_offset
                  start = s if start is None else min(start, s)
                  end = max(end, s + c.total_compressed_size)
                  if c.path_in_schema == "c3":
                      c3 += c.total_compressed_size
              groups.append([i, rg.num_rows, start, end])
          entry = {"groups": groups, "c3_bytes": c3}
          if "ten" in path:
              entry["c3_values"] = pq.read_table(path, columns=["c3"]).column("c3").to_pylist()
          out[path] = entry
      print(json.dumps(out))
      """;

  @Test
  void rowGroupsValuesAndBytesAgreeWithPyarrow() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Path ten = RangedFixtures.writeTen(dir.resolve("ten.parquet"), 100_000, 512 * 1024);
    Path mixed = RangedFixtures.writeMixed(dir.resolve("mixed.parquet"), 5000);
    PythonEnv.Result r =
        PythonEnv.run(
            new ProcessBuilder(PythonEnv.python(), "-c", SCRIPT, ten.toString(), mixed.toString())
                .redirectErrorStream(true),
            300);
    assertThat(r.output(), r.exitCode(), is(0));
    String lastLine = r.output().strip().lines().reduce((a, b) -> b).orElse("");
    JsonNode py = new ObjectMapper().readTree(lastLine);

    for (Path p : List.of(ten, mixed)) {
      try (RangedParquetFile f =
          RangedParquetFile.open(
              new BytesSource(p.getFileName().toString(), Files.readAllBytes(p)))) {
        List<List<Long>> ours = new ArrayList<>();
        for (ParquetRowGroup g : f.rowGroups())
          ours.add(List.of((long) g.index(), g.rows(), g.start(), g.end()));
        List<List<Long>> theirs = new ArrayList<>();
        for (JsonNode g : py.path(p.toString()).path("groups")) {
          List<Long> row = new ArrayList<>();
          g.forEach(v -> row.add(v.asLong()));
          theirs.add(row);
        }
        assertThat(p.toString(), ours, is(theirs));
      }
    }

    BytesSource src = new BytesSource("ten.parquet", Files.readAllBytes(ten));
    try (RangedParquetFile f = RangedParquetFile.open(src)) {
      List<Row> rows =
          RangedFixtures.readRanged(f, ParquetSelection.all().withColumns(List.of("c3")));
      JsonNode values = py.path(ten.toString()).path("c3_values");
      assertThat(rows.size(), is(values.size()));
      for (int i = 0; i < rows.size(); i++)
        assertThat(rows.get(i).getDouble("c3"), is(values.get(i).asDouble()));
      long c3Bytes = py.path(ten.toString()).path("c3_bytes").asLong();
      long tail = 65536;
      System.out.printf(
          "one column of ten (pyarrow): c3 is %d of %d bytes (%.4f); read %d bytes (%.4f) in %d"
              + " requests over %d row groups%n",
          c3Bytes,
          src.size(),
          (double) c3Bytes / src.size(),
          src.bytesRead.get(),
          (double) src.bytesRead.get() / src.size(),
          src.requests.get(),
          f.rowGroups().size());
      // c3's chunks before the tail, plus the tail: never more than c3 and the tail
      assertThat(src.bytesRead.get() - tail, lessThanOrEqualTo(c3Bytes));
      assertThat(src.bytesRead.get(), greaterThanOrEqualTo(c3Bytes));
    }
  }
}
