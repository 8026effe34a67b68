package io.hfbeam.dataset;

import io.hfbeam.format.files.InputFiles;
import java.io.IOException;
import java.io.Serializable;
import org.apache.beam.sdk.values.Row;

/**
 * What a workflow does with one chunk of input: read it and emit its records, each with its split,
 * in input order, and a failure record for anything it cannot use. The steps inside (parse, map,
 * split; or replay, encode, sample) are small classes the workflow composes; each keeps its own
 * counters for the run summary.
 *
 * @param <T> the record type the part format writes (a Beam Row, or a compact domain record)
 */
public interface ChunkProcessor<T> extends Serializable {

  /**
   * Reads the chunk and emits its records in input order; returns the source lines read (0: no
   * lines).
   */
  long process(InputFiles.Chunk chunk, Emitter<T> out) throws IOException;

  /** Where records go. Failures carry a line relative to the chunk (1-based) or null. */
  interface Emitter<T> {
    void record(String split, T record);

    void failure(Row failure);
  }
}
