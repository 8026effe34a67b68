package io.hfbeam.format.parquet.tensor;

import java.util.Arrays;

/**
 * Value -> dictionary index for numeric columns, keyed by the value's bits as a long (floats by
 * their raw bits, so -0.0 and NaN payloads are kept exactly). Keys in [-128, 255] (all of int8 and
 * uint8, and small counters) use a direct table, the rest linear probing. Indices follow first
 * appearance, so output is deterministic.
 */
final class LongDictionary {
  private static final int DIRECT_MIN = -128;
  private static final int DIRECT_MAX = 255;

  private final int[] direct = new int[DIRECT_MAX - DIRECT_MIN + 1];
  private final int maxEntries;
  long[] values = new long[64];
  int size;
  private int[] table = new int[128];
  private int hashed;

  LongDictionary(int maxEntries) {
    this.maxEntries = maxEntries;
    Arrays.fill(direct, -1);
  }

  /** The index of {@code v}, adding it if new; -1 when the dictionary is full. */
  int indexOf(long v) {
    if (v >= DIRECT_MIN && v <= DIRECT_MAX) {
      int d = direct[(int) v - DIRECT_MIN];
      if (d >= 0) return d;
      if (size >= maxEntries) return -1;
      d = append(v);
      direct[(int) v - DIRECT_MIN] = d;
      return d;
    }
    int mask = table.length - 1;
    int slot = mix(v) & mask;
    for (int e; (e = table[slot]) != 0; slot = (slot + 1) & mask) {
      if (values[e - 1] == v) return e - 1;
    }
    if (size >= maxEntries) return -1;
    int d = append(v);
    table[slot] = d + 1;
    if (++hashed * 2 > table.length) rehash();
    return d;
  }

  /**
   * Writes the indices of a run of byte values already in the dictionary to {@code dst} at {@code
   * at}, as bytes (an int8/uint8 column's dictionary has at most 256 entries); returns how many,
   * stopping at the first new value.
   */
  int knownBytes(byte[] src, int off, int n, boolean unsigned, byte[] dst, int at) {
    int[] table = direct;
    int mask = unsigned ? 0xFF : -1;
    for (int i = 0; i < n; i++) {
      int d = table[(src[off + i] & mask) - DIRECT_MIN];
      if (d < 0) return i;
      dst[at + i] = (byte) d;
    }
    return n;
  }

  void clear() {
    Arrays.fill(direct, -1);
    Arrays.fill(table, 0);
    size = 0;
    hashed = 0;
  }

  private int append(long v) {
    if (size == values.length) values = Arrays.copyOf(values, size * 2);
    values[size] = v;
    return size++;
  }

  private void rehash() {
    table = new int[table.length * 2];
    int mask = table.length - 1;
    for (int i = 0; i < size; i++) {
      long v = values[i];
      if (v >= DIRECT_MIN && v <= DIRECT_MAX) continue;
      int slot = mix(v) & mask;
      while (table[slot] != 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
  }

  private static int mix(long v) {
    long h = v * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
