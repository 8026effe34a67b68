package io.hfbeam.chess;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an InputStream line by line into a reused byte buffer, tracking each line's byte offset; LF and CRLF
 * endings both end a line and are not part of it. Memory is one read buffer plus the longest line.
 */
final class LineInput {
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private long bufOffset;
  byte[] line = new byte[512];
  int length;
  long lineOffset;

  LineInput(InputStream in, long baseOffset) {
    this.in = in;
    this.bufOffset = baseOffset;
  }

  /** Advances to the next line; false at end of input. */
  boolean next() throws IOException {
    if (pos == limit && !fill()) return false;
    lineOffset = bufOffset + pos;
    length = 0;
    while (true) {
      int start = pos;
      while (pos < limit && buf[pos] != '\n') pos++;
      append(start, pos);
      if (pos < limit) {
        pos++;
        break;
      }
      if (!fill()) break;
    }
    if (length > 0 && line[length - 1] == '\r') length--;
    return true;
  }

  private void append(int from, int to) {
    int n = to - from;
    if (length + n > line.length) {
      byte[] bigger = new byte[Math.max(line.length * 2, length + n)];
      System.arraycopy(line, 0, bigger, 0, length);
      line = bigger;
    }
    System.arraycopy(buf, from, line, length, n);
    length += n;
  }

  private boolean fill() throws IOException {
    bufOffset += limit;
    pos = 0;
    limit = 0;
    int n;
    do {
      n = in.read(buf, 0, buf.length);
    } while (n == 0);
    if (n < 0) return false;
    limit = n;
    return true;
  }
}
