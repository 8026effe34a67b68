package io.hfbeam.format.parquet;

import io.hfbeam.format.RangedSource;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.Type;

/**
 * A Parquet file read through a {@link RangedSource} (a Hub file over HTTP ranges): the footer
 * first, checked against the file's size, then only the row groups and top-level columns a {@link
 * ParquetSelection} asks for, as Beam rows of the file's Hugging Face features. Each row group's
 * selected column chunks are fetched as a few coalesced ranges, and only one row group is held at a
 * time. Not thread-safe: one reader per worker.
 */
public final class RangedParquetFile implements Closeable {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

  /**
   * How ranges are fetched. Immutable; {@link #defaults()}: 64 KiB tail, holes of up to 64 KiB
   * between selected column chunks read through, ranges of up to 64 MiB, 64 KiB minimum request.
   */
  public record Options(int tailBytes, int holeBytes, int maxRangeBytes, int minFetch) {
    public Options {
      if (tailBytes < 8 || holeBytes < 0 || maxRangeBytes < 1 || minFetch < 1) {
        throw new IllegalArgumentException(
            "Options need tailBytes >= 8, holeBytes >= 0, maxRangeBytes >= 1, minFetch >= 1");
      }
    }

    public static Options defaults() {
      return new Options(64 << 10, 64 << 10, 64 << 20, 64 << 10);
    }

    public Options withTailBytes(int n) {
      return new Options(n, holeBytes, maxRangeBytes, minFetch);
    }

    /** Gaps up to this size between wanted chunks are read through, to save a request. */
    public Options withHoleBytes(int n) {
      return new Options(tailBytes, n, maxRangeBytes, minFetch);
    }

    public Options withMaxRangeBytes(int n) {
      return new Options(tailBytes, holeBytes, n, minFetch);
    }

    public Options withMinFetch(int n) {
      return new Options(tailBytes, holeBytes, maxRangeBytes, n);
    }
  }

  private final RangedInputFile input;
  private final Options options;
  private final ParquetFileReader reader;
  private final MessageType schema;
  private final Features features;
  private final List<ParquetRowGroup> rowGroups;
  private final long rowCount;

  private RangedParquetFile(RangedSource source, Options options, byte[] knownTail)
      throws IOException {
    this.options = options;
    this.input = new RangedInputFile(source, options.tailBytes(), options.minFetch());
    if (knownTail != null) input.knownTail(knownTail);
    long footerStart = footerStart(source, input.tail());
    ParquetFileReader r;
    try {
      r = new ParquetFileReader(input, ParquetReadOptions.builder().build());
    } catch (IOException | RuntimeException e) {
      throw new IOException(
          source.name() + ": the Parquet footer does not parse (" + oneLine(e) + ")", e);
    }
    this.reader = r;
    try {
      this.schema = r.getFooter().getFileMetaData().getSchema();
      this.features =
          HfParquetReader.resolveFeatures(
              schema, r.getFooter().getFileMetaData().getKeyValueMetaData());
      this.rowGroups = checkRowGroups(source.name(), schema, r.getRowGroups(), footerStart);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    this.rowCount = rowGroups.stream().mapToLong(ParquetRowGroup::rows).sum();
  }

  /** Reads and checks the footer (one request for most files). */
  public static RangedParquetFile open(RangedSource source) throws IOException {
    return open(source, Options.defaults());
  }

  public static RangedParquetFile open(RangedSource source, Options options) throws IOException {
    return new RangedParquetFile(source, options, null);
  }

  /**
   * Opens the file with its last bytes already known ({@link #tail()} of an earlier reader of the
   * same content, e.g. the same Hub file at the same ETag), so that a file opened again, once per
   * row group, does not fetch its footer again. The caller vouches that they are this content's.
   */
  public static RangedParquetFile open(RangedSource source, Options options, byte[] tail)
      throws IOException {
    return new RangedParquetFile(source, options, tail);
  }

  /** The file's last {@code min(size, tailBytes)} bytes, as fetched for the footer (a copy). */
  public byte[] tail() throws IOException {
    return input.tail().clone();
  }

  public String name() {
    return input.source().name();
  }

  /** The features of all columns: the {@code huggingface} metadata, else the Parquet schema's. */
  public Features features() {
    return features;
  }

  public long rowCount() {
    return rowCount;
  }

  public List<ParquetRowGroup> rowGroups() {
    return rowGroups;
  }

  /** The features of the selected columns, in the selection's order. */
  public Features features(ParquetSelection selection) {
    List<String> names = columns(selection);
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (String n : names) out.put(n, features.get(n));
    return Features.of(out);
  }

  /** The selected rows; the previous iterator of this file must not be used any more. */
  public Rows read(ParquetSelection selection) {
    List<String> names = columns(selection);
    List<Integer> groups = new ArrayList<>();
    if (selection.rowGroups().isEmpty()) {
      for (int i = 0; i < rowGroups.size(); i++) groups.add(i);
    } else {
      for (int i : selection.rowGroups()) {
        if (i < 0 || i >= rowGroups.size()) {
          throw new IllegalArgumentException(
              name() + ": no row group " + i + "; the file has " + rowGroups.size() + " (0-based)");
        }
        groups.add(i);
      }
    }
    Set<String> wanted = new HashSet<>(names);
    List<Type> fields = new ArrayList<>();
    for (Type t : schema.getFields()) if (wanted.contains(t.getName())) fields.add(t);
    MessageType projection = new MessageType(schema.getName(), fields);
    return new Rows(projection, features(selection), wanted, groups);
  }

  @Override
  public void close() throws IOException {
    reader.close();
  }

  private List<String> columns(ParquetSelection selection) {
    if (selection.columns().isEmpty()) return features.names();
    Set<String> seen = new HashSet<>();
    for (String c : selection.columns()) {
      if (!schema.containsField(c) || features.get(c) == null) {
        throw new IllegalArgumentException(
            name()
                + ": no column '"
                + c
                + "'; the file has "
                + String.join(", ", features.names()));
      }
      if (!seen.add(c))
        throw new IllegalArgumentException(name() + ": column '" + c + "' selected twice");
    }
    return selection.columns();
  }

  /** Where the footer starts, from the last 8 bytes (footer length, magic). */
  private static long footerStart(RangedSource source, byte[] tail) throws IOException {
    long size = source.size();
    if (size < 12
        || !Arrays.equals(Arrays.copyOfRange(tail, tail.length - 4, tail.length), MAGIC)) {
      throw new IOException(
          source.name()
              + ": not a Parquet file or cut short ("
              + size
              + " bytes, and they do not end in PAR1)");
    }
    long footerLength =
        ByteBuffer.wrap(tail, tail.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
            & 0xffffffffL;
    long start = size - 8 - footerLength;
    if (start < 4) {
      throw new IOException(
          source.name()
              + ": cut short or corrupt: its footer claims "
              + footerLength
              + " bytes but the file has "
              + size);
    }
    return start;
  }

  /**
   * The footer's row groups, each checked against the file: column chunks inside the data (between
   * the leading magic and the footer), row counts that flat columns agree with.
   */
  private static List<ParquetRowGroup> checkRowGroups(
      String name, MessageType schema, List<BlockMetaData> blocks, long footerStart)
      throws IOException {
    List<ParquetRowGroup> out = new ArrayList<>();
    long firstRow = 0;
    int n = blocks.size();
    for (int i = 0; i < n; i++) {
      BlockMetaData b = blocks.get(i);
      String where = name + ": row group " + i + " (of " + n + ")";
      if (b.getRowCount() < 0)
        throw new IOException(where + " claims " + b.getRowCount() + " rows");
      long start = Long.MAX_VALUE;
      long end = 0;
      for (ColumnChunkMetaData c : b.getColumns()) {
        long s = c.getStartingPos();
        long e = s + c.getTotalSize();
        if (s < 4 || c.getTotalSize() < 0 || e > footerStart) {
          throw new IOException(
              where
                  + " claims column '"
                  + c.getPath().toDotString()
                  + "' at bytes "
                  + s
                  + "-"
                  + (e - 1)
                  + ", outside the data (bytes 4-"
                  + (footerStart - 1)
                  + "): the footer does not describe this file");
        }
        // a column that is not repeated anywhere holds one value (or null) per row
        if (schema.containsPath(c.getPath().toArray())
            && schema.getColumnDescription(c.getPath().toArray()).getMaxRepetitionLevel() == 0
            && c.getValueCount() != b.getRowCount()) {
          throw new IOException(
              where
                  + " claims "
                  + b.getRowCount()
                  + " rows but its column '"
                  + c.getPath().toDotString()
                  + "' holds "
                  + c.getValueCount()
                  + " values: the footer does not describe this file");
        }
        start = Math.min(start, s);
        end = Math.max(end, e);
      }
      if (b.getColumns().isEmpty()) start = end = 4;
      out.add(new ParquetRowGroup(i, firstRow, b.getRowCount(), start, end));
      firstRow += b.getRowCount();
    }
    return List.copyOf(out);
  }

  /** The selected columns' chunks of one row group, as few ranges as the options allow. */
  static List<long[]> coalesce(List<long[]> chunks, int holeBytes, int maxRangeBytes) {
    List<long[]> sorted = new ArrayList<>(chunks);
    sorted.sort((a, b) -> Long.compare(a[0], b[0]));
    List<long[]> out = new ArrayList<>();
    for (long[] c : sorted) {
      long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
      if (last != null && c[0] - last[1] <= holeBytes && c[1] - last[0] <= maxRangeBytes) {
        last[1] = Math.max(last[1], c[1]);
      } else {
        out.add(new long[] {c[0], c[1]});
      }
    }
    return out;
  }

  private static String oneLine(Throwable e) {
    String m = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    if (e.getCause() != null
        && e.getCause().getMessage() != null
        && !m.contains(e.getCause().getMessage())) m += ": " + e.getCause().getMessage();
    m = m.replaceAll("\\s+", " ").trim();
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }

  /**
   * A row whose values do not fit its features (a uint64 past int64): the rows after it can still
   * be read.
   */
  public static final class BadRow extends IOException {
    private final String where;
    private final String reason;

    BadRow(String where, String reason, Throwable cause) {
      super(where + ": " + reason, cause);
      this.where = where;
      this.reason = reason;
    }

    public String where() {
      return where;
    }

    public String reason() {
      return reason;
    }
  }

  /** Rows of the selected row groups, one row group in memory at a time. */
  public final class Rows implements Closeable {
    private final MessageType projection;
    private final Features selected;
    private final LinkedHashMap<String, Feature> fields; // taken once: asMap() copies
    private final Schema beamSchema;
    private final Set<String> columns;
    private final List<Integer> groups;
    private int nextGroup;
    private int currentGroup = -1;
    private RecordReader<Group> records;
    private long leftInGroup;

    private Rows(
        MessageType projection, Features selected, Set<String> columns, List<Integer> groups) {
      this.projection = projection;
      this.selected = selected;
      this.fields = selected.asMap();
      this.beamSchema = selected.beamSchema();
      this.columns = columns;
      this.groups = groups;
      reader.setRequestedSchema(projection);
    }

    public Features features() {
      return selected;
    }

    public Schema schema() {
      return beamSchema;
    }

    /** The row group the last row came from (its index in the file), or -1 before the first. */
    public int rowGroup() {
      return currentGroup;
    }

    public boolean hasNext() throws IOException {
      while (leftInGroup == 0) {
        if (nextGroup >= groups.size()) return false;
        currentGroup = groups.get(nextGroup++);
        try {
          input.plan(ranges(currentGroup));
          PageReadStore pages = reader.readRowGroup(currentGroup);
          if (pages == null) throw new IOException("no pages");
          records =
              new ColumnIOFactory()
                  .getColumnIO(projection, schema)
                  .getRecordReader(pages, new GroupRecordConverter(projection));
          leftInGroup = pages.getRowCount();
        } catch (IOException | RuntimeException e) {
          throw failure(e);
        } finally {
          input.plan(List.of());
        }
      }
      return true;
    }

    public Row next() throws IOException {
      if (!hasNext()) throw new NoSuchElementException();
      Group g;
      try {
        g = records.read();
        leftInGroup--;
      } catch (RuntimeException e) {
        throw failure(e);
      }
      long row = rowGroups.get(currentGroup).rows() - leftInGroup - 1;
      try {
        return HfParquetReader.toRow(g, fields, beamSchema);
      } catch (RuntimeException e) {
        // the record was read: only this row is lost, the next one can be read
        throw new BadRow(name() + ": row group " + currentGroup + " row " + row, oneLine(e), e);
      }
    }

    private IOException failure(Exception e) {
      return new IOException(
          name()
              + ": row group "
              + currentGroup
              + " (of "
              + rowGroups.size()
              + ", "
              + rowGroups.get(currentGroup).rows()
              + " rows): "
              + oneLine(e),
          e);
    }

    private List<long[]> ranges(int group) {
      List<long[]> chunks = new ArrayList<>();
      for (ColumnChunkMetaData c : reader.getRowGroups().get(group).getColumns()) {
        if (columns.contains(c.getPath().toArray()[0])) {
          chunks.add(new long[] {c.getStartingPos(), c.getStartingPos() + c.getTotalSize()});
        }
      }
      return coalesce(chunks, options.holeBytes(), options.maxRangeBytes());
    }

    @Override
    public void close() {
      records = null;
      leftInGroup = 0;
      nextGroup = groups.size();
    }
  }
}
