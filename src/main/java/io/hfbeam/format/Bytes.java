package io.hfbeam.format;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable little-endian byte buffer. The tensor writer encodes every page into reused instances
 * of this so that appending rows allocates nothing once the buffers have grown to page size.
 */
public final class Bytes extends OutputStream {
  public byte[] buf;
  public int size;

  public Bytes(int capacity) {
    buf = new byte[Math.max(16, capacity)];
  }

  public void reset() {
    size = 0;
  }

  public void ensure(int extra) {
    if (size + extra > buf.length) {
      long want = Math.max((long) buf.length * 2, (long) size + extra);
      if (want > Integer.MAX_VALUE - 16)
        throw new IllegalStateException("buffer over 2 GiB; lower the page or row group size");
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  public void write(Bytes other) {
    write(other.buf, 0, other.size);
  }

  public void intLE(int v) {
    ensure(4);
    buf[size] = (byte) v;
    buf[size + 1] = (byte) (v >>> 8);
    buf[size + 2] = (byte) (v >>> 16);
    buf[size + 3] = (byte) (v >>> 24);
    size += 4;
  }

  public void longLE(long v) {
    intLE((int) v);
    intLE((int) (v >>> 32));
  }

  public void unsignedVarInt(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[size++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[size++] = (byte) v;
  }

  /**
   * Writes {@code n} as a 4-byte little-endian int at {@code pos}, for length prefixes known only
   * afterwards.
   */
  void intLEAt(int pos, int n) {
    buf[pos] = (byte) n;
    buf[pos + 1] = (byte) (n >>> 8);
    buf[pos + 2] = (byte) (n >>> 16);
    buf[pos + 3] = (byte) (n >>> 24);
  }
}
