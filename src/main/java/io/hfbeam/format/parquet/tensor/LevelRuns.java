package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;

/**
 * Repetition or definition levels of one page in the RLE/bit-packed hybrid encoding, written as RLE
 * runs only.
 *
 * <p>Why runs only: in a fixed-shape column the levels are long constant stretches (definition
 * levels are all max, repetition levels change once per inner list), so runs are both smaller and
 * far cheaper to produce than bit packing. A run is merged with the previous one when the level is
 * equal, so a page of non-null tensors has one definition-level run in total. Level widths here are
 * at most 8 bits (max level < 256), so a run value is one byte.
 */
final class LevelRuns {
  private static final long MAX_RUN = (1L << 30) - 1;
  private final Bytes out = new Bytes(256);
  private int value = -1;
  private long count;

  /** Appends {@code n} copies of {@code level}. */
  void run(int level, long n) {
    if (level == value) {
      count += n;
      return;
    }
    flush();
    value = level;
    count = n;
  }

  /**
   * Appends runs already encoded by {@link #encode} (the precomputed pattern of one tensor cell).
   */
  void encoded(byte[] runs) {
    flush();
    out.write(runs, 0, runs.length);
  }

  /** The encoded page levels; valid until the next {@link #reset}. */
  Bytes finish() {
    flush();
    return out;
  }

  void reset() {
    out.reset();
    value = -1;
    count = 0;
  }

  /** Size of the encoding so far, give or take the open run. */
  int size() {
    return out.size + 6;
  }

  private void flush() {
    if (count > 0) writeRun(out, value, count);
    count = 0;
    value = -1;
  }

  static void writeRun(Bytes out, int level, long n) {
    // Readers decode the run header as a 32-bit varint: keep each run below 2^30 values.
    for (long left = n; left > 0; left -= MAX_RUN) {
      out.unsignedVarInt(Math.min(left, MAX_RUN) << 1);
      out.write(level);
    }
  }

  /** Encodes a level sequence as RLE runs. */
  static byte[] encode(int[] levels) {
    Bytes b = new Bytes(64);
    int i = 0;
    while (i < levels.length) {
      int j = i;
      while (j < levels.length && levels[j] == levels[i]) j++;
      writeRun(b, levels[i], j - i);
      i = j;
    }
    return java.util.Arrays.copyOf(b.buf, b.size);
  }
}
