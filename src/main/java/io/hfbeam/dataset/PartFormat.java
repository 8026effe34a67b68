package io.hfbeam.dataset;

import io.hfbeam.hf.Features;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;

/**
 * How records of type T become part files, and how pieces of parts (row ranges, where batch
 * boundaries cut them) become one Parquet file. JSONL parts are always final-format lines, so they
 * are copied.
 */
public interface PartFormat<T> extends Serializable {
  Features features();

  boolean parquet();

  boolean jsonl();

  /** Opens writers for a part at {@code base} (+ .parquet / .jsonl). */
  Writer<T> open(Path base) throws IOException;

  /** Writes the Parquet file made of these pieces of parts, in order, to {@code out}. */
  void assembleParquet(List<Batch.Piece> pieces, Path out) throws IOException;

  /** Writes one part's records. */
  interface Writer<T> extends Closeable {
    void write(T record) throws IOException;

    /** Uncompressed Arrow bytes written so far (for the card's num_bytes). */
    long arrowBytes();
  }
}
