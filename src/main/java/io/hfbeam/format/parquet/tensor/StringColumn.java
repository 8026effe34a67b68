package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * A scalar string column (BINARY, STRING). Dictionary entries live in one byte arena with an
 * open-addressing index, so looking up a repeated value (game ids, file names) allocates nothing.
 * No min/max: readers disagree on how to order and truncate binary statistics, and nothing here
 * needs them.
 */
final class StringColumn extends DictionaryColumn {
  private final int maxDictionaryBytes;
  private final Bytes arena = new Bytes(1 << 12);
  private int[] offsets = new int[64];
  private int[] lengths = new int[64];
  private int size;
  private int[] table = new int[128];
  private byte[] scratch = new byte[64];

  StringColumn(
      TensorShape shape,
      ColumnDescriptor descriptor,
      CompressionCodecName codec,
      int zstdLevel,
      int maxDictionaryBytes) {
    super(shape, descriptor, codec, zstdLevel);
    this.maxDictionaryBytes = maxDictionaryBytes;
  }

  void value(String s) {
    int n = s.length();
    if (scratch.length < n) scratch = new byte[Math.max(n, scratch.length * 2)];
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        value(utf8, 0, utf8.length);
        return;
      }
      scratch[i] = (byte) c;
    }
    value(scratch, 0, n);
  }

  void value(byte[] utf8, int off, int len) {
    beginCell();
    ensureIndices(1);
    if (!plainMode) {
      int d = indexOf(utf8, off, len);
      if (d >= 0) {
        indices[count++] = d;
        return;
      }
      fallBack();
    }
    plain.intLE(len);
    plain.write(utf8, off, len);
  }

  private int indexOf(byte[] b, int off, int len) {
    int mask = table.length - 1;
    int slot = hash(b, off, len) & mask;
    for (int e; (e = table[slot]) != 0; slot = (slot + 1) & mask) {
      int o = offsets[e - 1];
      if (lengths[e - 1] == len && Arrays.equals(arena.buf, o, o + len, b, off, off + len))
        return e - 1;
    }
    if ((long) arena.size + len + 4L * (size + 1) > maxDictionaryBytes) return -1;
    if (size == offsets.length) {
      offsets = Arrays.copyOf(offsets, size * 2);
      lengths = Arrays.copyOf(lengths, size * 2);
    }
    offsets[size] = arena.size;
    lengths[size] = len;
    arena.write(b, off, len);
    table[slot] = size + 1;
    size++;
    if (size * 2 > table.length) rehash();
    return size - 1;
  }

  private void rehash() {
    table = new int[table.length * 2];
    int mask = table.length - 1;
    for (int i = 0; i < size; i++) {
      int slot = hash(arena.buf, offsets[i], lengths[i]) & mask;
      while (table[slot] != 0) slot = (slot + 1) & mask;
      table[slot] = i + 1;
    }
  }

  private static int hash(byte[] b, int off, int len) {
    int h = 1;
    for (int i = 0; i < len; i++) h = 31 * h + b[off + i];
    return h ^ (h >>> 16);
  }

  @Override
  int dictionarySize() {
    return size;
  }

  @Override
  void plainEntry(int index, Bytes out) {
    out.intLE(lengths[index]);
    out.write(arena.buf, offsets[index], lengths[index]);
  }

  @Override
  void clearDictionary() {
    arena.reset();
    Arrays.fill(table, 0);
    size = 0;
  }

  @Override
  void addMinMax(Statistics<?> stats) {}
}
