package io.hfbeam.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Lines of a byte stream with their byte offsets. Ends a line at LF and CRLF, and also at a lone CR
 * when {@code crBreaks} (Python's universal newlines, which the text builder reads with). A line
 * longer than the cap is skipped to its end and reported as {@link #TOO_LONG}, so one huge line
 * never holds the heap.
 */
final class LineScanner {
  static final int TOO_LONG = -2;
  static final int MAX_LINE_BYTES = 128 << 20;

  private final InputStream in;
  private final boolean crBreaks;
  private final int maxLine;
  private byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  private boolean eof;
  private long offset;
  private long lineOffset;
  private int lineStart;
  private int terminator;
  private long skipped;

  LineScanner(InputStream in, long startOffset, boolean crBreaks, int maxLine) {
    this.in = in;
    this.offset = startOffset;
    this.crBreaks = crBreaks;
    this.maxLine = maxLine;
  }

  /** Byte offset of the last line's first byte. */
  long lineOffset() {
    return lineOffset;
  }

  /** Length of the last line's terminator (0 at the end of input). */
  int terminator() {
    return terminator;
  }

  /** Bytes of the last {@link #TOO_LONG} line. */
  long skipped() {
    return skipped;
  }

  byte[] buffer() {
    return buf;
  }

  int lineStart() {
    return lineStart;
  }

  /**
   * The next line's length (its bytes are {@code buffer()[lineStart(), lineStart() + n)}, valid
   * until the next call), -1 at the end of input, or {@link #TOO_LONG}.
   */
  int next() throws IOException {
    lineOffset = offset;
    int scan = pos;
    while (true) {
      int i = scan;
      for (; i < lim; i++) {
        byte b = buf[i];
        if (b == '\n') return take(i, 1);
        if (b == '\r') {
          if (i + 1 >= lim && !eof) break; // the next byte tells CR from CRLF
          if (i + 1 < lim && buf[i + 1] == '\n') return take(i, 2);
          if (crBreaks) return take(i, 1);
        }
      }
      if (i - pos > maxLine) return skipLong();
      int rel = i - pos;
      boolean more = fill();
      scan = pos + rel;
      if (!more) {
        if (lim == pos) return -1;
        if (scan < lim) continue; // a CR held back at the end: now known to be the last byte
        return take(lim, 0);
      }
    }
  }

  private int take(int end, int t) {
    int len = end - pos;
    if (len > maxLine) {
      skipped = len + t;
      offset += len + t;
      pos = end + t;
      terminator = t;
      return TOO_LONG;
    }
    lineStart = pos;
    terminator = t;
    offset += len + t;
    pos = end + t;
    return len;
  }

  private int skipLong() throws IOException {
    long length = 0;
    while (true) {
      for (int i = pos; i < lim; i++) {
        if (buf[i] == '\n' || (crBreaks && buf[i] == '\r')) {
          int t = buf[i] == '\r' && i + 1 < lim && buf[i + 1] == '\n' ? 2 : 1;
          length += i + t - pos;
          offset += i + t - pos;
          pos = i + t;
          skipped = length;
          terminator = t;
          return TOO_LONG;
        }
      }
      length += lim - pos;
      offset += lim - pos;
      pos = lim;
      if (!fill()) {
        skipped = length;
        terminator = 0;
        return TOO_LONG;
      }
    }
  }

  private boolean fill() throws IOException {
    if (eof) return false;
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
    if (n <= 0) {
      eof = true;
      return false;
    }
    lim += n;
    return true;
  }

  /** Strict UTF-8, as Python opens the files: invalid bytes throw. */
  static String utf8(byte[] b, int off, int len) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(b, off, len))
        .toString();
  }
}
