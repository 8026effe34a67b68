package io.hfbeam.source;

import org.apache.beam.sdk.values.Row;

/** Where a unit reader puts what it reads: rows, and located failures for the records it cannot. */
public interface RowSink {
  void row(Row row);

  /**
   * A record (or a whole unit) that could not be read. The reader goes on with the next record when
   * it can.
   *
   * @param where file and position: {@code data/a.jsonl byte 1234}, {@code x.parquet row group 3}
   * @param reason one line, why
   * @param excerpt the start of the raw record, or empty
   */
  void failure(String where, String reason, String excerpt);
}
