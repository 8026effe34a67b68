package io.hfbeam.format.parquet;

import io.hfbeam.hf.Features;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.OutputFile;

/**
 * Writes one Parquet file that {@code datasets}, pyarrow and DuckDB read with the declared types:
 * explicit schema from {@link Features#parquetSchema()}, all columns OPTIONAL, 3-level lists, and
 * the {@code huggingface} footer entry. Output is deterministic: the same rows and settings give
 * the same bytes.
 */
public final class HfParquetWriter implements Closeable {
  private final ParquetWriter<Row> writer;
  private long rows;

  private final Path file;

  private HfParquetWriter(ParquetWriter<Row> writer, Path file) {
    this.writer = writer;
    this.file = file;
  }

  /** Creates (or overwrites) {@code file}. */
  public static HfParquetWriter create(Path file, Features f, ParquetSettings s)
      throws IOException {
    ParquetWriter<Row> w =
        new Builder(LocalFiles.output(file), new RowWriteSupport(f))
            // An empty Configuration: nothing from the environment's Hadoop config may change the
            // bytes we write.
            .withConf(new Configuration(false))
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .withCompressionCodec(s.codec().parquet())
            .withRowGroupSize(s.rowGroupBytes())
            .withPageSize(s.pageBytes())
            .withDictionaryPageSize(s.pageBytes())
            .withWriterVersion(ParquetProperties.WriterVersion.PARQUET_1_0)
            .build();
    return new HfParquetWriter(w, file);
  }

  public void write(Row row) throws IOException {
    writer.write(row);
    rows++;
  }

  public long rowCount() {
    return rows;
  }

  @Override
  public void close() throws IOException {
    writer.close();
    ParquetFooters.sortEncodings(file);
  }

  /**
   * Merges part files written with the same features into {@code out} by copying their row groups
   * byte for byte (no decoding, memory bounded by one copy buffer). Parts are appended in list
   * order; no parts gives a valid file with zero rows.
   */
  public static void concat(List<Path> parts, Path out, Features f, ParquetSettings s)
      throws IOException {
    ParquetFileWriter w =
        new ParquetFileWriter(
            LocalFiles.output(out),
            f.parquetSchema(),
            ParquetFileWriter.Mode.OVERWRITE,
            s.rowGroupBytes(),
            0);
    w.start();
    for (Path part : parts) {
      w.appendFile(LocalFiles.input(part));
    }
    w.end(Map.of(RowWriteSupport.HF_KEY, f.huggingfaceMetadata()));
    ParquetFooters.sortEncodings(out);
  }

  private static final class Builder extends ParquetWriter.Builder<Row, Builder> {
    private final WriteSupport<Row> support;

    Builder(OutputFile file, WriteSupport<Row> support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Row> getWriteSupport(Configuration conf) {
      return support;
    }
  }
}
