package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * Integer and float columns, scalar or fixed-shape tensor. Every value becomes a long key (integers
 * sign- or zero-extended, floats by raw bits) so one dictionary and one loop serve all dtypes;
 * PLAIN writes the low 4 or 8 bytes back out.
 */
final class NumericColumn extends DictionaryColumn {
  /** The Java array type a column accepts, fixed by its dtype. */
  enum Input {
    INT8,
    UINT8,
    INT16,
    INT32,
    INT64,
    FLOAT32,
    FLOAT64
  }

  final Input input;
  private final boolean wide;
  private final boolean integer;
  private final LongDictionary dictionary;
  private long plainMin = Long.MAX_VALUE;
  private long plainMax = Long.MIN_VALUE;

  NumericColumn(
      TensorShape shape,
      ColumnDescriptor descriptor,
      CompressionCodecName codec,
      int zstdLevel,
      int maxDictionaryBytes) {
    super(shape, descriptor, codec, zstdLevel);
    this.input = Input.valueOf(shape.dtype().toUpperCase(java.util.Locale.ROOT));
    this.wide = input == Input.INT64 || input == Input.FLOAT64;
    this.integer = input != Input.FLOAT32 && input != Input.FLOAT64;
    this.dictionary = new LongDictionary(Math.max(1, maxDictionaryBytes / (wide ? 8 : 4)));
    if (input == Input.INT8 || input == Input.UINT8) narrow = new byte[1024];
  }

  private void put(long key) {
    if (!plainMode) {
      int d = dictionary.indexOf(key);
      if (d >= 0 && narrow == null) {
        indices[count++] = d;
        return;
      }
      if (d >= 0
          && d < 256) { // a byte column holds at most 256 values; more (out-of-range input) goes
        // PLAIN
        narrow[count++] = (byte) d;
        return;
      }
      fallBack();
    }
    plainValue(key);
  }

  private void plainValue(long key) {
    if (wide) plain.longLE(key);
    else plain.intLE((int) key);
    if (integer) {
      plainMin = Math.min(plainMin, key);
      plainMax = Math.max(plainMax, key);
    }
  }

  private int begin() {
    beginCell();
    int n = shape.cellValues();
    ensureIndices(n);
    return n;
  }

  void scalar(long key) {
    begin();
    put(key);
  }

  /**
   * int8/uint8 take the dictionary's direct table in a tight loop, leaving new values and PLAIN to
   * {@link #put}. An innermost row equal to the row before it (a window that repeats one position:
   * 9 of 10 rows) copies that row's dictionary indices instead of looking its values up again.
   * (These columns keep byte indices.)
   */
  void tensor(byte[] src, int off) {
    int n = begin();
    boolean unsigned = input == Input.UINT8;
    int[] dims = shape.dims();
    int row =
        dims.length >= 2 && dims[dims.length - 1] >= 16
            ? dims[dims.length - 1]
            : n; // short rows: not worth it
    for (int r = 0; r < n; r += row) {
      int at = off + r;
      if (r > 0 && !plainMode && java.util.Arrays.equals(src, at - row, at, src, at, at + row)) {
        System.arraycopy(narrow, count - row, narrow, count, row);
        count += row;
      } else {
        lookUp(src, at, row, unsigned);
      }
    }
  }

  private void lookUp(byte[] src, int off, int n, boolean unsigned) {
    int i = 0;
    while (i < n) {
      if (!plainMode) {
        int done = dictionary.knownBytes(src, off + i, n - i, unsigned, narrow, count);
        count += done;
        i += done;
        if (i == n) break;
      }
      put(unsigned ? src[off + i] & 0xFF : src[off + i]);
      i++;
    }
  }

  void tensor(short[] src, int off) {
    int n = begin();
    for (int i = 0; i < n; i++) put(src[off + i]);
  }

  void tensor(int[] src, int off) {
    int n = begin();
    for (int i = 0; i < n; i++) put(src[off + i]);
  }

  void tensor(long[] src, int off) {
    int n = begin();
    for (int i = 0; i < n; i++) put(src[off + i]);
  }

  void tensor(float[] src, int off) {
    int n = begin();
    for (int i = 0; i < n; i++) put(Float.floatToRawIntBits(src[off + i]));
  }

  void tensor(double[] src, int off) {
    int n = begin();
    for (int i = 0; i < n; i++) put(Double.doubleToRawLongBits(src[off + i]));
  }

  @Override
  int dictionarySize() {
    return dictionary.size;
  }

  @Override
  void plainEntry(int index, Bytes out) {
    long v = dictionary.values[index];
    if (wide) out.longLE(v);
    else out.intLE((int) v);
  }

  @Override
  void clearDictionary() {
    dictionary.clear();
    plainMin = Long.MAX_VALUE;
    plainMax = Long.MIN_VALUE;
  }

  /**
   * Integer min/max from the dictionary entries plus PLAIN values: every entry occurs in the chunk.
   * Keys of uint8 are zero-extended, so signed order equals the type's unsigned order. Floats get
   * no min/max (NaN and -0.0 rules).
   */
  @Override
  void addMinMax(Statistics<?> stats) {
    if (!integer) return;
    long min = plainMin;
    long max = plainMax;
    for (int i = 0; i < dictionary.size; i++) {
      min = Math.min(min, dictionary.values[i]);
      max = Math.max(max, dictionary.values[i]);
    }
    if (min > max) return;
    if (wide) {
      stats.updateStats(min);
      stats.updateStats(max);
    } else {
      stats.updateStats((int) min);
      stats.updateStats((int) max);
    }
  }
}
