package io.hfbeam.format;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Random access to the bytes of a file of known, fixed size that may live far away (a Hub repo file
 * read with HTTP range requests, a local file, an array). Readers ask for exactly the ranges they
 * need; an implementation must deliver exactly those bytes or throw.
 */
public interface RangedSource extends Closeable {
  /** What to call the file in messages (a repo path, a file name). */
  String name();

  /** The file's size in bytes, fixed when the source was opened. */
  long size();

  /**
   * Reads exactly {@code len} bytes starting at {@code offset} into {@code buf[off..off+len)}.
   *
   * @throws EOFException when the range reaches past {@link #size()}
   */
  void readFully(long offset, byte[] buf, int off, int len) throws IOException;

  /** Checks a requested range against the size: the message names the file and both ends. */
  default void checkRange(long offset, int len) throws EOFException {
    if (offset < 0 || len < 0 || offset > size() - len) {
      throw new EOFException(
          name()
              + ": bytes "
              + offset
              + "-"
              + (offset + len - 1)
              + " asked for, but the file has "
              + size()
              + " bytes");
    }
  }

  /**
   * The bytes from {@code offset} to the end, read in blocks of {@code blockSize} (one request each
   * for a remote source).
   */
  default InputStream stream(long offset, int blockSize) {
    if (blockSize < 1) throw new IllegalArgumentException("blockSize must be positive");
    RangedSource source = this;
    return new InputStream() {
      private final byte[] block = new byte[(int) Math.min(blockSize, Math.max(1, size()))];
      private long blockStart = offset;
      private int blockLen;
      private int at;

      private boolean fill() throws IOException {
        if (at < blockLen) return true;
        blockStart += blockLen;
        at = 0;
        blockLen = (int) Math.min(block.length, Math.max(0, size() - blockStart));
        if (blockLen == 0) return false;
        source.readFully(blockStart, block, 0, blockLen);
        return true;
      }

      @Override
      public int read() throws IOException {
        return fill() ? block[at++] & 0xff : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) return 0;
        if (!fill()) return -1;
        int n = Math.min(len, blockLen - at);
        System.arraycopy(block, at, b, off, n);
        at += n;
        return n;
      }
    };
  }
}
