package io.hfbeam.io;

import io.hfbeam.hf.Features;
import java.io.Closeable;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;

/**
 * How records of type T become part files, and how a range of a part's rows is cut out again when a batch
 * boundary falls inside it. Parts are written in the final formats (Parquet, JSONL), so assembling a dataset is
 * mostly copying.
 */
public interface PartFormat<T> extends Serializable {
  Features features();

  boolean parquet();

  boolean jsonl();

  /** Opens writers for a part at {@code base} (+ .parquet / .jsonl). */
  Writer<T> open(Path base) throws IOException;

  /** Writes rows [from, to) of the Parquet part {@code part} to {@code out}. */
  void sliceParquet(Path part, long from, long to, Path out) throws IOException;

  /** Writes one part's records. */
  interface Writer<T> extends Closeable {
    void write(T record) throws IOException;

    /** Uncompressed Arrow bytes written so far (for the card's num_bytes). */
    long arrowBytes();
  }
}
