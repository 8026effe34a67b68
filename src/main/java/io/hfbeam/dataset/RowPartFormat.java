package io.hfbeam.dataset;

import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * Parts of Beam Rows: Parquet through {@link HfParquetWriter}, JSONL through {@link
 * JsonlRowWriter}.
 */
public final class RowPartFormat implements PartFormat<Row> {
  private final String featuresJson;
  private final ParquetSettings parquet;
  private final boolean jsonl;
  private transient Features features;

  /**
   * @param parquet settings, or null for no Parquet output
   */
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
    HfParquetWriter pw =
        parquet == null ? null : HfParquetWriter.create(Path.of(base + ".parquet"), f, parquet);
    OutputStream os =
        jsonl
            ? new BufferedOutputStream(Files.newOutputStream(Path.of(base + ".jsonl")), 1 << 16)
            : null;
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

  /**
   * Whole parts are copied row group by row group; a part cut by a batch boundary is re-encoded.
   */
  @Override
  public void assembleParquet(List<Batch.Piece> pieces, Path out) throws IOException {
    List<Path> inputs = new ArrayList<>();
    List<Path> slices = new ArrayList<>();
    try {
      for (Batch.Piece p : pieces) {
        Path part = Path.of(p.base() + ".parquet");
        if (p.whole()) {
          inputs.add(part);
        } else {
          Path slice = Path.of(p.base() + "." + p.from() + "-" + p.to() + ".parquet");
          slice(part, p.from(), p.to(), slice);
          slices.add(slice);
          inputs.add(slice);
        }
      }
      if (inputs.size() == 1) {
        Files.copy(inputs.get(0), out, StandardCopyOption.REPLACE_EXISTING);
      } else {
        HfParquetWriter.concat(inputs, out, features(), parquet);
      }
    } finally {
      for (Path p : slices) Files.deleteIfExists(p);
    }
  }

  private void slice(Path part, long from, long to, Path out) throws IOException {
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
