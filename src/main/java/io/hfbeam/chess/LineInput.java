package io.hfbeam.chess;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads an InputStream line by line into a reused byte buffer, tracking each line's byte offset; LF
 * and CRLF endings both end a line and are not part of it. Memory is one read buffer plus the
 * longest line, at most {@link #MAX_LINE} bytes: a longer line keeps its first bytes and is marked
 * {@link #tooLong} (whitespace past the limit is dropped without marking: it means nothing in PGN).
 */
final class LineInput {
  private final InputStream in;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int limit;
  private long bufOffset;
  static final int DEFAULT_MAX_LINE = 16 << 20;
  private final int maxLine;
  byte[] line = new byte[512];
  int length;
  long lineOffset;

  /** The line had non-whitespace bytes past the limit: {@link #line} holds only its first bytes. */
  boolean tooLong;

  /**
   * Bytes of the line, including any past the limit (and a CR before the LF when it is past the
   * limit).
   */
  long fullLength;

  LineInput(InputStream in, long baseOffset) {
    this(in, baseOffset, DEFAULT_MAX_LINE);
  }

  LineInput(InputStream in, long baseOffset, int maxLine) {
    this.in = in;
    this.bufOffset = baseOffset;
    this.maxLine = maxLine;
  }

  /** Bytes read so far, from the start of the stream given at construction plus its base offset. */
  long offset() {
    return bufOffset + pos;
  }

  /** Advances to the next line; false at end of input. */
  boolean next() throws IOException {
    if (pos == limit && !fill()) return false;
    lineOffset = bufOffset + pos;
    length = 0;
    fullLength = 0;
    tooLong = false;
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
    if (length > 0 && line[length - 1] == '\r' && fullLength == length) length--;
    return true;
  }

  private void append(int from, int to) {
    int n = to - from;
    fullLength += n;
    if (length + n > maxLine) {
      int keep = maxLine - length;
      for (int i = from + keep; i < to && !tooLong; i++) {
        if (!PgnReader.isSpace(buf[i])) tooLong = true;
      }
      n = keep;
      to = from + keep;
    }
    if (length + n > line.length) {
      byte[] bigger = new byte[Math.min(Math.max(line.length * 2, length + n), maxLine)];
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
