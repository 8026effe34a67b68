package io.hfbeam.format.parquet;

/**
 * One row group of a Parquet file, from its footer: what a source needs to split work per row group
 * and to say where a failure happened.
 *
 * @param index position in the file, from 0
 * @param firstRow the file-wide number of its first row
 * @param rows its row count
 * @param start first byte of its column chunks
 * @param end one past the last byte of its column chunks
 */
public record ParquetRowGroup(int index, long firstRow, long rows, long start, long end) {
  /** Compressed bytes of all its column chunks (and any gaps between them). */
  public long bytes() {
    return end - start;
  }
}
