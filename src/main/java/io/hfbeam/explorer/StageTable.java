package io.hfbeam.explorer;

import io.hfbeam.format.RangedSource;
import io.hfbeam.format.parquet.ParquetRowGroup;
import io.hfbeam.format.parquet.ParquetSelection;
import io.hfbeam.format.parquet.RangedParquetFile;
import io.hfbeam.source.DatasetFiles;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.values.Row;

/**
 * One stage's Parquet files read with pushdown: each file's footer is read once when the table
 * opens; a view then reads only the columns and row groups it needs. Row groups are numbered across
 * the stage's files in file order. A few recently read row groups are kept (by columns) so that
 * paging through a cluster does not decode the same row group twice; a full scan (search) bypasses
 * that cache.
 */
final class StageTable implements Closeable {
  /** A row group of the stage: its file and its index in that file. */
  record Group(int file, int index, long rows) {}

  private final String stage;
  private final List<String> paths;
  private final List<RangedParquetFile> files = new ArrayList<>();
  private final List<Group> groups = new ArrayList<>();
  private final long rows;
  private final AtomicLong rowsDecoded = new AtomicLong();
  private final Map<String, List<Row>> cache;

  private StageTable(String stage, DatasetFiles dataset, List<String> paths, int cachedGroups)
      throws IOException {
    this.stage = stage;
    this.paths = List.copyOf(paths);
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, List<Row>> e) {
            if (size() <= cachedGroups) return false;
            cachedRows -= e.getValue().size();
            return true;
          }
        };
    long n = 0;
    try {
      for (int f = 0; f < paths.size(); f++) {
        RangedSource source = dataset.open(paths.get(f));
        RangedParquetFile file;
        try {
          file = RangedParquetFile.open(source);
        } catch (IOException | RuntimeException e) {
          source.close();
          throw e;
        }
        files.add(file);
        for (ParquetRowGroup g : file.rowGroups()) {
          groups.add(new Group(f, g.index(), g.rows()));
          n += g.rows();
        }
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    this.rows = n;
  }

  static StageTable open(String stage, DatasetFiles dataset, List<String> paths, int cachedGroups)
      throws IOException {
    return new StageTable(stage, dataset, paths, cachedGroups);
  }

  String stage() {
    return stage;
  }

  long rows() {
    return rows;
  }

  int groupCount() {
    return groups.size();
  }

  Group group(int g) {
    return groups.get(g);
  }

  /** Rows decoded since the table opened (what the pushdown saved is what it did not decode). */
  long rowsDecoded() {
    return rowsDecoded.get();
  }

  /** Whether every file has these top-level columns. */
  boolean hasColumns(List<String> columns) {
    for (RangedParquetFile f : files) {
      if (!f.features().names().containsAll(columns)) return false;
    }
    return true;
  }

  /**
   * Row groups larger than this are never cached, and the cache holds at most {@link
   * #MAX_CACHED_ROWS} rows: a writer's default 128 MiB row group can hold 100k conversations.
   */
  static final long MAX_CACHED_GROUP_ROWS = 20_000;

  static final long MAX_CACHED_ROWS = 100_000;

  private long cachedRows;

  /**
   * The rows of one row group up to row {@code lastRow} (inclusive), only these columns. Small row
   * groups are decoded whole and cached; a large one is decoded only as far as needed, every time.
   */
  List<Row> read(int group, List<String> columns, int lastRow) throws IOException {
    if (groups.get(group).rows() > MAX_CACHED_GROUP_ROWS) return decode(group, columns, lastRow);
    String key = group + "|" + String.join(",", columns);
    synchronized (cache) {
      List<Row> hit = cache.get(key);
      if (hit != null) return hit;
    }
    List<Row> out = decode(group, columns);
    synchronized (cache) {
      if (cache.put(key, out) == null) cachedRows += out.size();
      var it = cache.entrySet().iterator();
      while (cachedRows > MAX_CACHED_ROWS && it.hasNext()) {
        var e = it.next();
        if (e.getValue() == out) continue;
        cachedRows -= e.getValue().size();
        it.remove();
      }
    }
    return out;
  }

  /** The rows of one row group, only these columns; not cached (for scans). */
  List<Row> decode(int group, List<String> columns) throws IOException {
    return decode(group, columns, Integer.MAX_VALUE);
  }

  /** The rows of one row group up to {@code lastRow} (inclusive); not cached. */
  List<Row> decode(int group, List<String> columns, int lastRow) throws IOException {
    Group g = groups.get(group);
    RangedParquetFile file = files.get(g.file());
    List<Row> out = new ArrayList<>((int) Math.min(g.rows(), 1 << 20));
    // one reader per file, and RangedParquetFile is not thread-safe: requests take turns per file
    synchronized (file) {
      RangedParquetFile.Rows it =
          file.read(ParquetSelection.all().withColumns(columns).withRowGroups(List.of(g.index())));
      while (out.size() <= lastRow && it.hasNext()) {
        try {
          out.add(it.next());
        } catch (RangedParquetFile.BadRow bad) {
          out.add(null); // keeps row positions; the caller shows the row as unreadable
        }
      }
    }
    rowsDecoded.addAndGet(out.size());
    return out;
  }

  String describe() {
    return stage + " (" + String.join(", ", paths) + ")";
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (RangedParquetFile f : files) {
      try {
        f.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    files.clear();
    if (first != null) throw first;
  }
}
