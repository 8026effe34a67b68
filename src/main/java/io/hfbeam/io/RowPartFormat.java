package io.hfbeam.io;

import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.OutputStream;
import java.io.BufferedOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.values.Row;

/** Parts of Beam Rows: Parquet through {@link HfParquetWriter}, JSONL through {@link JsonlRowWriter}. */
public final class RowPartFormat implements PartFormat<Row> {
  private final String featuresJson;
  private final ParquetSettings parquet;
  private final boolean jsonl;
  private transient Features features;

  /** @param parquet settings, or null for no Parquet output */
  public RowPartFormat(Features features, ParquetSettings parquet, boolean jsonl) {
    this.featuresJson = features.toJson();
    this.parquet = parquet;
    this.jsonl = jsonl;
  }

  @Override
  public Features features() {
    if (features == null) features = Features.fromJson(featuresJson);
    return features;
  }

  @Override
  public boolean parquet() {
    return parquet != null;
  }

  @Override
  public boolean jsonl() {
    return jsonl;
  }

  @Override
  public Writer<Row> open(Path base) throws IOException {
    Features f = features();
    HfParquetWriter pw = parquet == null ? null : HfParquetWriter.create(Path.of(base + ".parquet"), f, parquet);
    OutputStream os = jsonl ? new BufferedOutputStream(Files.newOutputStream(Path.of(base + ".jsonl")), 1 << 16) : null;
    JsonlRowWriter jw = jsonl ? new JsonlRowWriter(os, f) : null;
    return new Writer<>() {
      long arrow;

      @Override
      public void write(Row row) throws IOException {
        if (pw != null) pw.write(row);
        if (jw != null) jw.write(row);
        arrow += f.arrowBytes(row);
      }

      @Override
      public long arrowBytes() {
        return arrow;
      }

      @Override
      public void close() throws IOException {
        if (pw != null) pw.close();
        if (jw != null) jw.close();
      }
    };
  }

  @Override
  public void sliceParquet(Path part, long from, long to, Path out) throws IOException {
    try (HfParquetReader r = HfParquetReader.open(part);
        HfParquetWriter w = HfParquetWriter.create(out, features(), parquet)) {
      long i = 0;
      while (i < to && r.hasNext()) {
        Row row = r.next();
        if (i++ >= from) w.write(row);
      }
    }
  }
}
