package io.hfbeam.source;

import java.io.Serializable;

/**
 * One piece of work of a dataset read: a whole file, one Parquet row group, or a byte range of a
 * line-based file (a record belongs to the range holding its first byte). Units of one split are
 * numbered in {@code datasets}' read order, so rows can be put back in that order.
 *
 * @param order the unit's position in the split's read order
 * @param path the repo-relative data file
 * @param fileSize the file's size in bytes
 * @param rowGroup the Parquet row group, or -1
 * @param start first byte of a byte range, or -1
 * @param end one past the last byte of a byte range, or -1
 */
public record ReadUnit(long order, String path, long fileSize, int rowGroup, long start, long end)
    implements Serializable {

  public static ReadUnit wholeFile(long order, DataFile f) {
    return new ReadUnit(order, f.path(), f.size(), -1, -1, -1);
  }

  public static ReadUnit rowGroup(long order, DataFile f, int rowGroup) {
    return new ReadUnit(order, f.path(), f.size(), rowGroup, -1, -1);
  }

  public static ReadUnit byteRange(long order, DataFile f, long start, long end) {
    return new ReadUnit(order, f.path(), f.size(), -1, start, end);
  }

  public boolean isRowGroup() {
    return rowGroup >= 0;
  }

  public boolean isByteRange() {
    return start >= 0;
  }

  /** For messages: {@code data/x.parquet row group 3}, {@code a.jsonl bytes 0-1023}. */
  public String where() {
    if (isRowGroup()) return path + " row group " + rowGroup;
    if (isByteRange()) return path + " bytes " + start + "-" + (end - 1);
    return path;
  }
}
