package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;
import java.util.Arrays;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * A column whose values go through a per-chunk dictionary: data pages are RLE_DICTIONARY, the
 * dictionary page is PLAIN. When the dictionary would exceed its byte limit the rest of the chunk
 * is written PLAIN (the open page is re-encoded), as parquet-java does; the next row group tries a
 * dictionary again.
 *
 * <p>Indices are bit-packed at a whole-byte width (8, 16, 24 or 32 bits) rather than the minimum:
 * packing becomes a byte copy, and the compressor then sees repeated tensor rows as repeated byte
 * strings. Readers honour the width stored in each page (DuckDB, pyarrow and parquet-java do, see
 * the tests).
 */
abstract class DictionaryColumn extends ColumnWriter {
  int[] indices = new int[1024];

  /**
   * Non-null: the indices are kept here as bytes instead (int8/uint8 columns, whose dictionary
   * never needs more than 256 entries): a data page's indices are then one array copy, not a
   * narrowing loop over an int per value.
   */
  byte[] narrow;

  int count;
  final Bytes plain = new Bytes(1024);
  boolean plainMode;
  private boolean dictionaryReferenced;

  DictionaryColumn(
      TensorShape shape, ColumnDescriptor descriptor, CompressionCodecName codec, int zstdLevel) {
    super(shape, descriptor, codec, zstdLevel);
  }

  final void ensureIndices(int n) {
    if (narrow != null) {
      if (count + n > narrow.length)
        narrow = Arrays.copyOf(narrow, Math.max(narrow.length * 2, count + n));
    } else if (count + n > indices.length) {
      indices = Arrays.copyOf(indices, Math.max(indices.length * 2, count + n));
    }
  }

  private int index(int i) {
    return narrow != null ? narrow[i] & 0xFF : indices[i];
  }

  abstract int dictionarySize();

  /** Appends the PLAIN encoding of dictionary entry {@code index}. */
  abstract void plainEntry(int index, Bytes out);

  abstract void clearDictionary();

  /** Switches the rest of this chunk to PLAIN, re-encoding the open page's values. */
  final void fallBack() {
    for (int i = 0; i < count; i++) plainEntry(index(i), plain);
    count = 0;
    plainMode = true;
  }

  private int indexBytes() {
    int bits = 32 - Integer.numberOfLeadingZeros(Math.max(1, dictionarySize() - 1));
    return (bits + 7) / 8;
  }

  @Override
  final long valuesSize() {
    return plainMode ? plain.size : 1L + (long) count * indexBytes();
  }

  @Override
  final Encoding writeValues(Bytes page) {
    if (plainMode) {
      page.write(plain);
      plain.reset();
      return Encoding.PLAIN;
    }
    if (dictionarySize() == 0) {
      // a page of nulls only, and no value yet in the chunk: no dictionary page would be written
      // for RLE_DICTIONARY to refer to (readers reject that), so the page is PLAIN with no values
      count = 0;
      return Encoding.PLAIN;
    }
    int width = indexBytes();
    page.write(8 * width);
    if (count > 0) {
      // One bit-packed run of ceil(count / 8) groups; the last group is zero-padded.
      int groups = (count + 7) / 8;
      page.unsignedVarInt(((long) groups << 1) | 1);
      page.ensure(groups * 8 * width);
      byte[] b = page.buf;
      int p = page.size;
      int[] idx = indices;
      if (narrow != null) {
        if (width != 1)
          throw new IllegalStateException(
              "a byte-index column with " + dictionarySize() + " entries");
        System.arraycopy(narrow, 0, b, p, count);
        p += count;
      } else if (width == 1) {
        for (int i = 0; i < count; i++) b[p + i] = (byte) idx[i];
        p += count;
      } else {
        for (int i = 0; i < count; i++) {
          int v = idx[i];
          for (int k = 0; k < width; k++) b[p++] = (byte) (v >>> (8 * k));
        }
      }
      int pad = (groups * 8 - count) * width;
      Arrays.fill(b, p, p + pad, (byte) 0);
      page.size = p + pad;
    }
    count = 0;
    dictionaryReferenced = true;
    return Encoding.RLE_DICTIONARY;
  }

  @Override
  final int writeDictionary(Bytes out) {
    if (!dictionaryReferenced) return 0;
    int n = dictionarySize();
    for (int i = 0; i < n; i++) plainEntry(i, out);
    return n;
  }

  @Override
  void resetChunk() {
    clearDictionary();
    plainMode = false;
    dictionaryReferenced = false;
    count = 0;
    plain.reset();
  }
}
