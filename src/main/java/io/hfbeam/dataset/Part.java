package io.hfbeam.dataset;

import java.io.Serializable;

/**
 * One piece of output written by a chunk: the records of one split from one input chunk, in input
 * order. A part with a null split carries only the chunk's statistics (records over all splits,
 * source lines) so that batches and line numbers can be computed for every chunk, even one that
 * produced nothing.
 *
 * @param base path of the part's files without extension ({@code base.parquet}, {@code base.jsonl},
 *     {@code base.idx})
 * @param chunkRecords records the chunk emitted over all splits (stats parts only)
 * @param chunkLines source lines in the chunk (stats parts only; 0 for sources without lines)
 */
public record Part(
    String sink,
    String split,
    long chunk,
    long rows,
    long arrowBytes,
    String base,
    long chunkRecords,
    long chunkLines)
    implements Serializable {

  public static final String DATA = "data";
  public static final String ERRORS = "errors";

  public boolean isStats() {
    return split == null;
  }
}
