package io.hfbeam.mapping;

import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.values.Row;

/**
 * Local Parquet files as JSON records (each row as {@code datasets}' {@code to_json} writes it), so
 * a workflow that reads JSON records reads Parquet too. A file is one chunk; a record's "line" is
 * its row number; a damaged file keeps the rows before the damage.
 */
public final class ParquetJsonSource implements JsonSource {
  @Override
  public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
    HfParquetReader r;
    try {
      r = HfParquetReader.open(chunk.file());
    } catch (IOException | RuntimeException e) {
      visitor.failure(0, -1, "not a readable Parquet file: " + message(e), null);
      return 0;
    }
    long i = 0;
    try (r) {
      Features features = r.features();
      while (true) {
        Row row;
        try {
          if (!r.hasNext()) break;
          row = r.next();
        } catch (IOException | RuntimeException e) {
          visitor.failure(
              i,
              -1,
              "corrupt Parquet data at row "
                  + i
                  + ": "
                  + message(e)
                  + "; the rows before it are kept",
              null);
          break;
        }
        byte[] json = JsonlRowWriter.toJsonLine(row, features).getBytes(StandardCharsets.UTF_8);
        visitor.record(json, 0, json.length, null, i++, -1);
      }
    }
    return 0;
  }

  private static String message(Exception e) {
    return (e.getMessage() == null ? e.toString() : e.getMessage()).replaceAll("\\s+", " ");
  }
}
