package io.hfbeam.mapping;

import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * Reads a Parquet file (ours, pyarrow's, DuckDB's) as Rows of its features and assigns each a
 * split.
 */
public final class ParquetRows implements ChunkProcessor<Row> {
  private final String featuresJson;
  private final Split.Settings split;

  public ParquetRows(Features features, Split.Settings split) {
    this.featuresJson = features.toJson();
    this.split = split;
  }

  /** The features a Parquet file holds (from its `huggingface` metadata, else its schema). */
  public static Features features(Path file) {
    try (HfParquetReader r = HfParquetReader.open(file)) {
      return r.features();
    } catch (IOException
        | RuntimeException e) { // parquet-mr reports a bad footer as a RuntimeException
      throw new IllegalArgumentException("cannot read Parquet " + file + ": " + e.getMessage());
    }
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<Row> out) throws IOException {
    Counter in = Metrics.counter("read", "records_in");
    Path file = chunk.file();
    Features want = Features.fromJson(featuresJson);
    Split.Assigner assigner = split.assigner(want.beamSchema());
    String name = file.getFileName().toString();
    long i = 0;
    HfParquetReader r;
    try {
      r = HfParquetReader.open(file);
    } catch (IOException | RuntimeException e) {
      out.failure(fail(chunk, null, "not a readable Parquet file: " + message(e)));
      return 0;
    }
    try (r) {
      if (!r.features().equals(want)) {
        out.failure(
            fail(
                chunk,
                null,
                "has features "
                    + r.features().toJson()
                    + ", expected "
                    + featuresJson
                    + "; the file is not read"));
        return 0;
      }
      while (true) {
        Row row;
        try {
          if (!r.hasNext()) break;
          row = r.next();
        } catch (IOException | RuntimeException e) {
          // a damaged page or footer: the rows before it are kept, the rest of the file cannot be
          // found
          out.failure(
              fail(
                  chunk,
                  i,
                  "corrupt Parquet data at row "
                      + i
                      + ": "
                      + message(e)
                      + "; the rows before it are kept"));
          break;
        }
        in.inc();
        String where = nonFinite(row);
        if (where != null) {
          out.failure(fail(chunk, i, where + " is NaN or infinite, which JSON cannot hold"));
          i++;
          continue;
        }
        out.record(assigner.assign(row, name + ":" + i++), row);
      }
    }
    return 0;
  }

  private static Row fail(InputFiles.Chunk chunk, Long row, String reason) {
    return Failures.of(chunk.path(), null, null, row, "ReadParquet", reason, null);
  }

  private static String message(Exception e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  /**
   * The first field holding a NaN or infinite float, or null: such values are failures, as in JSON
   * input.
   */
  static String nonFinite(Row row) {
    for (int f = 0; f < row.getFieldCount(); f++) {
      if (notFinite((Object) row.getValue(f))) return row.getSchema().getField(f).getName();
    }
    return null;
  }

  private static boolean notFinite(Object v) {
    if (v instanceof Double d) return !Double.isFinite(d);
    if (v instanceof Float x) return !Float.isFinite(x);
    if (v instanceof Row r) return nonFinite(r) != null;
    if (v instanceof Iterable<?> items) {
      for (Object item : items) if (notFinite(item)) return true;
    }
    return false;
  }
}
