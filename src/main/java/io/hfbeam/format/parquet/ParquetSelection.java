package io.hfbeam.format.parquet;

import java.util.List;

/**
 * What to read of a Parquet file: top-level columns (empty: all, in file order) and row groups
 * (empty: all, in file order). Immutable.
 */
public record ParquetSelection(List<String> columns, List<Integer> rowGroups) {
  public ParquetSelection {
    columns = List.copyOf(columns);
    rowGroups = List.copyOf(rowGroups);
  }

  public static ParquetSelection all() {
    return new ParquetSelection(List.of(), List.of());
  }

  /** Only these top-level columns, in this order. */
  public ParquetSelection withColumns(List<String> names) {
    return new ParquetSelection(names, rowGroups);
  }

  /** Only these row groups (by index), in this order. */
  public ParquetSelection withRowGroups(List<Integer> indexes) {
    return new ParquetSelection(columns, indexes);
  }
}
