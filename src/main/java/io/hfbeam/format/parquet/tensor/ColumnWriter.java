package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumSet;
import java.util.Set;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.format.DataPageHeader;
import org.apache.parquet.format.DictionaryPageHeader;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.metadata.ColumnPath;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.schema.PrimitiveType;

/**
 * One column chunk of the current row group: levels and values of the open page, and the finished
 * (compressed) pages, which stay in memory until the row group is written because the dictionary
 * page must precede them. Subclasses own the value encoding; this class owns levels, pages, and the
 * chunk's metadata.
 */
abstract class ColumnWriter implements AutoCloseable {
  final TensorShape shape;
  final PrimitiveType type;
  private final ColumnDescriptor descriptor;
  private final byte[] cellRepetition;
  private final int cellValues;
  private final LevelRuns repetition = new LevelRuns();
  private final LevelRuns definition = new LevelRuns();
  private final PageCodec codec;
  private final CompressionCodecName codecName;
  private final Bytes page = new Bytes(1 << 16);
  private final Bytes pages = new Bytes(1 << 16);
  private final Set<Encoding> encodings = EnumSet.noneOf(Encoding.class);

  /**
   * Page encodings per chunk; the metadata converter writes dictionary_page_offset only when these
   * show one.
   */
  private final EncodingStats.Builder encodingStats = new EncodingStats.Builder();

  /**
   * Cells appended since the file was opened; the row sink uses it to catch a column set twice or
   * not at all.
   */
  long cells;

  private int pageLevels;
  private long chunkLevels;
  long chunkNulls;
  private long chunkUncompressed;
  private long chunkCompressed;

  ColumnWriter(
      TensorShape shape, ColumnDescriptor descriptor, CompressionCodecName codec, int zstdLevel) {
    this.shape = shape;
    this.descriptor = descriptor;
    this.type = descriptor.getPrimitiveType();
    if (descriptor.getMaxDefinitionLevel() != shape.maxDefinitionLevel()
        || descriptor.getMaxRepetitionLevel() != shape.maxRepetitionLevel()) {
      throw new IllegalStateException(
          "schema of column " + shape.name() + " does not have the expected nesting");
    }
    this.cellRepetition = shape.scalar() ? null : LevelRuns.encode(shape.repetitionLevels());
    this.cellValues = shape.cellValues();
    this.codecName = codec;
    this.codec = new PageCodec(codec, zstdLevel);
  }

  /**
   * Records the levels of one full cell; the subclass then appends exactly {@code
   * shape.cellValues()} values.
   */
  final void beginCell() {
    if (cellRepetition != null) repetition.encoded(cellRepetition);
    definition.run(shape.maxDefinitionLevel(), cellValues);
    pageLevels += cellValues;
    cells++;
  }

  /** A null cell: one level entry at repetition 0, definition 0, and no value. */
  final void nullCell() {
    if (cellRepetition != null) repetition.run(0, 1);
    definition.run(0, 1);
    pageLevels++;
    chunkNulls++;
    cells++;
  }

  /** Bytes of the open page before compression, close enough to decide when to cut it. */
  final long pageEstimate() {
    return (cellRepetition == null ? 0 : repetition.size()) + definition.size() + valuesSize();
  }

  /** Uncompressed bytes buffered for this chunk, counted towards the row group target. */
  final long bufferedBytes() {
    return chunkUncompressed + pageEstimate();
  }

  final void flushPage() throws IOException {
    if (pageLevels == 0) return;
    page.reset();
    if (cellRepetition != null) lengthPrefixed(repetition.finish());
    lengthPrefixed(definition.finish());
    Encoding encoding = writeValues(page);
    Bytes compressed = codec.compress(page);
    PageHeader header = new PageHeader(PageType.DATA_PAGE, page.size, compressed.size);
    header.setData_page_header(
        new DataPageHeader(
            pageLevels,
            format(encoding),
            org.apache.parquet.format.Encoding.RLE,
            org.apache.parquet.format.Encoding.RLE));
    int before = pages.size;
    Util.writePageHeader(header, pages);
    int headerBytes = pages.size - before;
    pages.write(compressed);
    chunkUncompressed += headerBytes + page.size;
    chunkCompressed += headerBytes + compressed.size;
    chunkLevels += pageLevels;
    encodings.add(Encoding.RLE);
    encodings.add(encoding);
    encodingStats.addDataEncoding(encoding);
    pageLevels = 0;
    repetition.reset();
    definition.reset();
  }

  private void lengthPrefixed(Bytes levels) {
    page.intLE(levels.size);
    page.write(levels);
  }

  /**
   * Writes the chunk (dictionary page, then data pages) at file offset {@code position} and resets
   * for the next row group.
   */
  final ColumnChunkMetaData writeChunk(OutputStream out, long position) throws IOException {
    flushPage();
    long dictionaryOffset = 0;
    long dataOffset = position;
    long uncompressed = chunkUncompressed;
    long compressed = chunkCompressed;
    Bytes dictionary = page;
    page.reset();
    int dictionaryEntries = writeDictionary(dictionary);
    if (dictionaryEntries > 0) {
      Bytes body = codec.compress(dictionary);
      PageHeader header = new PageHeader(PageType.DICTIONARY_PAGE, dictionary.size, body.size);
      header.setDictionary_page_header(
          new DictionaryPageHeader(dictionaryEntries, org.apache.parquet.format.Encoding.PLAIN));
      Bytes head = new Bytes(64);
      Util.writePageHeader(header, head);
      out.write(head.buf, 0, head.size);
      out.write(body.buf, 0, body.size);
      dictionaryOffset = position;
      dataOffset = position + head.size + body.size;
      uncompressed += head.size + dictionary.size;
      compressed += head.size + body.size;
      encodings.add(Encoding.PLAIN);
      encodingStats.addDictEncoding(Encoding.PLAIN);
    }
    out.write(pages.buf, 0, pages.size);
    Statistics<?> stats = Statistics.createStats(type);
    stats.incrementNumNulls(chunkNulls);
    addMinMax(stats);
    ColumnChunkMetaData meta =
        ColumnChunkMetaData.get(
            ColumnPath.get(descriptor.getPath()),
            type,
            codecName,
            encodingStats.build(),
            EnumSet.copyOf(encodings),
            stats,
            dataOffset,
            dictionaryOffset,
            chunkLevels,
            compressed,
            uncompressed);
    pages.reset();
    encodings.clear();
    encodingStats.clear();
    chunkLevels = 0;
    chunkNulls = 0;
    chunkUncompressed = 0;
    chunkCompressed = 0;
    resetChunk();
    return meta;
  }

  private static org.apache.parquet.format.Encoding format(Encoding e) {
    return org.apache.parquet.format.Encoding.valueOf(e.name());
  }

  /** Size of the open page's encoded values. */
  abstract long valuesSize();

  /** Appends the open page's values to {@code page} and clears them; returns their encoding. */
  abstract Encoding writeValues(Bytes page);

  /**
   * Writes the PLAIN dictionary page body if data pages refer to it; returns its entry count, or 0
   * for none.
   */
  abstract int writeDictionary(Bytes out);

  /**
   * Adds min and max of the chunk's values, for types whose order readers agree on; others get null
   * counts only.
   */
  abstract void addMinMax(Statistics<?> stats);

  /** Forgets the chunk's dictionary and values: the next row group starts afresh. */
  abstract void resetChunk();

  @Override
  public void close() {
    codec.close();
  }
}
