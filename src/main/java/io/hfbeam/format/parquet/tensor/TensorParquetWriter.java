package io.hfbeam.format.parquet.tensor;

import io.hfbeam.hf.Features;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.format.Util;
import org.apache.parquet.format.converter.ParquetMetadataConverter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.metadata.FileMetaData;
import org.apache.parquet.hadoop.metadata.ParquetMetadata;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet writer specialised for fixed-shape tensors and scalars, fast enough to keep up with
 * position generation (a general row writer walks the schema for every value; here the levels of a
 * fixed-shape cell are one precomputed pattern and values go straight into a dictionary).
 *
 * <p>The file has exactly {@link Features#parquetSchema()} and the {@code huggingface} key-value
 * entry. Supported columns: scalar {@code Value} of bool, int8, int16, int32, int64, uint8,
 * float32, float64, string; and fixed-length Sequence (nested too) or ArrayND with a fixed first
 * dimension of int8, int16, int32, int64, uint8, float32, float64. Anything else is rejected when
 * the writer is created.
 *
 * <pre>{@code
 * try (TensorParquetWriter w = TensorParquetWriter.create(path, features, TensorParquetWriter.Options.defaults())) {
 *   int window = w.column("window"), ply = w.column("ply");
 *   RowSink row = w.row();
 *   for (...) row.tensor(window, tokens, 0).int32(ply, p).end();
 * }
 * }</pre>
 *
 * <p>Layout: per row group and column, one PLAIN dictionary page and RLE_DICTIONARY DataPageV1
 * pages (PLAIN after a dictionary overflow; bool always PLAIN), pages cut at row boundaries near
 * {@code pageBytes}, row groups cut when the encoded bytes reach {@code rowGroupBytes} or the rows
 * reach {@code rowGroupRows}. Memory: the compressed pages of one row group. Same rows and options
 * give a byte-identical file. Not thread-safe.
 */
public final class TensorParquetWriter implements Closeable {
  /** Constant so that files are reproducible; the format lets readers identify the writer by it. */
  public static final String CREATED_BY = "hf-beam TensorParquetWriter version 1.0.0";

  private static final byte[] MAGIC = {'P', 'A', 'R', '1'};

  /**
   * Write options; {@link #defaults()} is ZSTD level 3, 128 MiB row groups, 1 MiB pages, 1 MiB
   * dictionaries.
   */
  public record Options(
      CompressionCodecName codec,
      int zstdLevel,
      long rowGroupBytes,
      long rowGroupRows,
      int pageBytes,
      int maxDictionaryBytes) {
    public Options {
      if (rowGroupBytes < 1 || rowGroupRows < 1 || pageBytes < 1 || maxDictionaryBytes < 0) {
        throw new IllegalArgumentException(
            "sizes must be positive: "
                + rowGroupBytes
                + ", "
                + rowGroupRows
                + ", "
                + pageBytes
                + ", "
                + maxDictionaryBytes);
      }
    }

    public static Options defaults() {
      return new Options(
          CompressionCodecName.ZSTD, 3, 128L << 20, Long.MAX_VALUE, 1 << 20, 1 << 20);
    }

    public Options codec(CompressionCodecName c) {
      return new Options(c, zstdLevel, rowGroupBytes, rowGroupRows, pageBytes, maxDictionaryBytes);
    }

    public Options zstdLevel(int level) {
      return new Options(codec, level, rowGroupBytes, rowGroupRows, pageBytes, maxDictionaryBytes);
    }

    public Options rowGroupBytes(long bytes) {
      return new Options(codec, zstdLevel, bytes, rowGroupRows, pageBytes, maxDictionaryBytes);
    }

    public Options rowGroupRows(long rows) {
      return new Options(codec, zstdLevel, rowGroupBytes, rows, pageBytes, maxDictionaryBytes);
    }

    public Options pageBytes(int bytes) {
      return new Options(codec, zstdLevel, rowGroupBytes, rowGroupRows, bytes, maxDictionaryBytes);
    }

    /** 0 disables dictionaries (every page PLAIN). */
    public Options maxDictionaryBytes(int bytes) {
      return new Options(codec, zstdLevel, rowGroupBytes, rowGroupRows, pageBytes, bytes);
    }
  }

  private final Features features;
  private final MessageType schema;
  private final Options options;
  private final Position out;
  private final ColumnWriter[] columns;
  private final RowSink row;
  private final List<BlockMetaData> blocks = new ArrayList<>();
  private long rows;
  private long groupRows;
  private boolean closed;

  private TensorParquetWriter(OutputStream sink, Features features, Options options)
      throws IOException {
    this.features = features;
    this.schema = features.parquetSchema();
    this.options = options;
    List<ColumnDescriptor> leaves = schema.getColumns();
    List<String> names = features.names();
    this.columns = new ColumnWriter[names.size()];
    try {
      for (int i = 0; i < columns.length; i++) {
        columns[i] =
            column(TensorShape.of(names.get(i), features.get(names.get(i))), leaves.get(i));
      }
    } catch (RuntimeException e) {
      closeColumns();
      throw e;
    }
    this.out = new Position(sink);
    this.row = new RowSink(this, columns);
    out.write(MAGIC);
  }

  /**
   * Writes to {@code file} (created or truncated); publishing it atomically is the caller's job.
   */
  public static TensorParquetWriter create(Path file, Features features, Options options)
      throws IOException {
    OutputStream os = Files.newOutputStream(file);
    try {
      return new TensorParquetWriter(new BufferedOutputStream(os, 1 << 16), features, options);
    } catch (RuntimeException | IOException e) {
      os.close();
      throw e;
    }
  }

  /** Writes to {@code sink}, which {@link #close()} closes. */
  public static TensorParquetWriter create(OutputStream sink, Features features, Options options)
      throws IOException {
    return new TensorParquetWriter(sink, features, options);
  }

  private ColumnWriter column(TensorShape shape, ColumnDescriptor leaf) {
    CompressionCodecName codec = options.codec();
    int level = options.zstdLevel();
    return switch (shape.dtype()) {
      case "bool" -> new BooleanColumn(shape, leaf, codec, level);
      case "string" -> new StringColumn(shape, leaf, codec, level, options.maxDictionaryBytes());
      default -> new NumericColumn(shape, leaf, codec, level, options.maxDictionaryBytes());
    };
  }

  /** The index of column {@code name}, for the {@link RowSink} setters. */
  public int column(String name) {
    int i = features.names().indexOf(name);
    if (i < 0)
      throw new IllegalArgumentException(
          "no column '" + name + "'; columns are " + features.names());
    return i;
  }

  /** The row buffer; the same instance every time. */
  public RowSink row() {
    return row;
  }

  /** Rows completed so far. */
  public long rowCount() {
    return rows;
  }

  void endRow() throws IOException {
    if (closed) throw new IllegalStateException("writer is closed");
    long buffered = 0;
    for (ColumnWriter c : columns) {
      if (c.cells != rows + 1)
        throw new IllegalStateException("row " + rows + ": column " + c.shape.name() + " not set");
      if (c.pageEstimate() >= options.pageBytes()) c.flushPage();
      buffered += c.bufferedBytes();
    }
    rows++;
    groupRows++;
    if (buffered >= options.rowGroupBytes() || groupRows >= options.rowGroupRows()) writeRowGroup();
  }

  private void writeRowGroup() throws IOException {
    BlockMetaData block = new BlockMetaData();
    long total = 0;
    for (ColumnWriter c : columns) {
      var chunk = c.writeChunk(out, out.position);
      block.addColumn(chunk);
      total += chunk.getTotalUncompressedSize();
    }
    block.setRowCount(groupRows);
    block.setTotalByteSize(total);
    blocks.add(block);
    groupRows = 0;
  }

  /** Writes the last row group and the footer, then closes the output. */
  @Override
  public void close() throws IOException {
    if (closed) return;
    closed = true;
    try (OutputStream o = out) {
      if (groupRows > 0) writeRowGroup();
      Map<String, String> kv = new LinkedHashMap<>();
      kv.put("huggingface", features.huggingfaceMetadata());
      ParquetMetadata meta = new ParquetMetadata(new FileMetaData(schema, kv, CREATED_BY), blocks);
      long footerStart = out.position;
      Util.writeFileMetaData(new ParquetMetadataConverter().toParquetMetadata(1, meta), out);
      int footer = (int) (out.position - footerStart);
      out.write(
          new byte[] {
            (byte) footer, (byte) (footer >>> 8), (byte) (footer >>> 16), (byte) (footer >>> 24)
          });
      out.write(MAGIC);
    } finally {
      closeColumns();
    }
  }

  private void closeColumns() {
    for (ColumnWriter c : columns) {
      if (c != null) c.close();
    }
  }

  /** Counts bytes written, for page offsets in the footer. */
  private static final class Position extends FilterOutputStream {
    long position;

    Position(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      position++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      position += len;
    }
  }
}
