package io.hfbeam.format.files;

import io.hfbeam.format.Excerpts;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads UTF-8 lines from a byte stream and knows each line's byte offset, which {@link
 * java.io.BufferedReader} cannot tell. Accepts LF and CRLF endings.
 */
public final class LineReader {
  /** What {@link #readLineBytes} returns for a line longer than the limit (skipped to its end). */
  public static final int TOO_LONG = -2;

  /**
   * The longest line read: past it a line is a record no parser takes, and holding it risks the
   * heap.
   */
  public static final int MAX_LINE_BYTES = 128 << 20;

  private final InputStream in;
  private final int maxLine;
  private long longLineBytes;
  private String longLineExcerpt;
  private byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private long offset;
  private long lineOffset;
  private int lineStart;
  private int terminator;

  public LineReader(InputStream in, long startOffset) {
    this(in, startOffset, MAX_LINE_BYTES);
  }

  public LineReader(InputStream in, long startOffset, int maxLine) {
    this.in = in;
    this.offset = startOffset;
    this.maxLine = maxLine;
  }

  /** Bytes of the last line that was {@link #TOO_LONG}, with its terminator. */
  public long longLineBytes() {
    return longLineBytes;
  }

  /** The start of the last line that was {@link #TOO_LONG}, decoded: enough for an excerpt. */
  public String longLineExcerpt() {
    return longLineExcerpt;
  }

  /** Byte offset of the line last returned. */
  public long lineOffset() {
    return lineOffset;
  }

  /** Byte offset of the next unread byte. */
  public long offset() {
    return offset;
  }

  /** Length of the last line's terminator: 2 (CRLF), 1 (LF) or 0 (end of input). */
  public int terminatorLength() {
    return terminator;
  }

  /**
   * The bytes read ahead but not yet returned as a line, as text for an excerpt (at most {@code
   * max} bytes).
   */
  public String pending(int max) {
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
   * The next line without its terminator as a range of {@link #buffer()} ({@link #lineStart()},
   * returned length), valid until the next call; -1 at end of input. Saves decoding text that a
   * byte parser reads anyway.
   */
  public int readLineBytes() throws IOException {
    lineOffset = offset;
    int start = pos;
    while (true) {
      for (int i = start; i < lim; i++) {
        if (buf[i] == '\n') {
          if (i - pos > maxLine) return skipLong();
          int end = i > pos && buf[i - 1] == '\r' ? i - 1 : i;
          terminator = i + 1 - end;
          lineStart = pos;
          offset += i + 1 - pos;
          pos = i + 1;
          return end - lineStart;
        }
      }
      if (lim - pos > maxLine) return skipLong();
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

  /** Keeps the start of the line at {@code pos} for an excerpt and skips to just after its end. */
  private int skipLong() throws IOException {
    longLineExcerpt =
        new String(buf, pos, Math.min(lim - pos, 4 * Excerpts.CHARS), StandardCharsets.UTF_8);
    long length = 0;
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n') {
          length += i + 1 - pos;
          offset += i + 1 - pos;
          pos = i + 1;
          longLineBytes = length;
          return TOO_LONG;
        }
      }
      length += lim - pos;
      offset += lim - pos;
      pos = lim;
      if (!fill()) {
        longLineBytes = length;
        return TOO_LONG;
      }
    }
  }

  public byte[] buffer() {
    return buf;
  }

  public int lineStart() {
    return lineStart;
  }

  /** Skips to just after the next '\n'; returns false at end of input. */
  public boolean skipLine() throws IOException {
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

  /**
   * Moves unread bytes to the front, grows the buffer if a line fills it, reads more; false at EOF.
   */
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
