package io.hfbeam.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines from a byte stream and knows each line's byte offset, which {@link java.io.BufferedReader}
 * cannot tell. Accepts LF and CRLF endings.
 */
final class LineReader {
  private final InputStream in;
  private byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private long offset;
  private long lineOffset;
  private int lineStart;
  private int terminator;

  LineReader(InputStream in, long startOffset) {
    this.in = in;
    this.offset = startOffset;
  }

  /** Byte offset of the line last returned. */
  long lineOffset() {
    return lineOffset;
  }

  /** Byte offset of the next unread byte. */
  long offset() {
    return offset;
  }

  /** Length of the last line's terminator: 2 (CRLF), 1 (LF) or 0 (end of input). */
  int terminatorLength() {
    return terminator;
  }

  /** The bytes read ahead but not yet returned as a line, as text for an excerpt (at most {@code max} bytes). */
  String pending(int max) {
    return new String(buf, pos, Math.min(max, lim - pos), StandardCharsets.UTF_8);
  }

  /** The next line without its terminator, or null at end of input. */
  String readLine() throws IOException {
    lineOffset = offset;
    int start = pos;
    while (true) {
      for (int i = start; i < lim; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
          offset += i + 1 - pos;
          pos = i + 1;
          return s;
        }
      }
      start = lim - pos;
      if (!fill()) {
        if (lim == pos) return null;
        int end = lim > pos && buf[lim - 1] == '\r' ? lim - 1 : lim;
        String s = new String(buf, pos, end - pos, StandardCharsets.UTF_8);
        offset += lim - pos;
        pos = lim;
        return s;
      }
      start += pos;
    }
  }

  /**
   * The next line without its terminator as a range of {@link #buffer()} ({@link #lineStart()}, returned length),
   * valid until the next call; -1 at end of input. Saves decoding text that a byte parser reads anyway.
   */
  int readLineBytes() throws IOException {
    lineOffset = offset;
    int start = pos;
    while (true) {
      for (int i = start; i < lim; i++) {
        if (buf[i] == '\n') {
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          terminator = i + 1 - end;
          lineStart = pos;
          offset += i + 1 - pos;
          pos = i + 1;
          return end - lineStart;
        }
      }
      start = lim - pos;
      if (!fill()) {
        if (lim == pos) return -1;
        int end = lim > pos && buf[lim - 1] == '\r' ? lim - 1 : lim;
        terminator = lim - end;
        lineStart = pos;
        offset += lim - pos;
        pos = lim;
        return end - lineStart;
      }
      start += pos;
    }
  }

  byte[] buffer() {
    return buf;
  }

  int lineStart() {
    return lineStart;
  }

  /** Skips to just after the next '\n'; returns false at end of input. */
  boolean skipLine() throws IOException {
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          offset += i + 1 - pos;
          pos = i + 1;
          return true;
        }
      }
      offset += lim - pos;
      pos = lim;
      if (!fill()) return false;
    }
  }

  /** Moves unread bytes to the front, grows the buffer if a line fills it, reads more; false at EOF. */
  private boolean fill() throws IOException {
    if (pos > 0) {
      System.arraycopy(buf, pos, buf, 0, lim - pos);
      lim -= pos;
      pos = 0;
    }
    if (lim == buf.length) {
      byte[] bigger = new byte[buf.length * 2];
      System.arraycopy(buf, 0, bigger, 0, lim);
      buf = bigger;
    }
    int n = in.read(buf, lim, buf.length - lim);
    if (n <= 0) return false;
    lim += n;
    return true;
  }
}
