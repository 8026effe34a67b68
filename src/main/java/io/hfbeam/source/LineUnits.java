package io.hfbeam.source;

import io.hfbeam.format.Excerpts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Line-based files (JSON Lines, text): plans byte ranges and walks the lines of one unit. A line
 * belongs to the range holding its first byte: a range that starts inside a line skips to the next
 * line start, and the last line of a range may run past its end. Compressed files are whole-file
 * units.
 */
final class LineUnits {
  private LineUnits() {}

  /** One line of a unit. */
  interface Visitor {
    /**
     * @param where {@code path line N} (reading from the file start) or {@code path byte OFFSET}
     */
    void line(byte[] b, int off, int len, boolean terminated, String where) throws IOException;
  }

  static List<ReadUnit> plan(DataFile file, long firstOrder, long unitBytes) {
    List<ReadUnit> out = new ArrayList<>();
    if (UnitInput.compressed(file.path()) || file.size() <= unitBytes || unitBytes < 1) {
      out.add(ReadUnit.wholeFile(firstOrder, file));
      return out;
    }
    long order = firstOrder;
    for (long s = 0; s < file.size(); s += unitBytes) {
      out.add(ReadUnit.byteRange(order++, file, s, Math.min(file.size(), s + unitBytes)));
    }
    return out;
  }

  /** Whether a unit reads from the file start (its places are line numbers). */
  static boolean fromStart(ReadUnit unit) {
    return !unit.isByteRange() || unit.start() == 0;
  }

  static void walk(
      DatasetFiles files, ReadUnit unit, boolean crBreaks, RowSink sink, Visitor visitor)
      throws IOException {
    boolean ranged = unit.isByteRange() && !UnitInput.compressed(unit.path());
    long start = ranged ? unit.start() : 0;
    long end = ranged ? unit.end() : Long.MAX_VALUE;
    boolean numbered = start == 0;
    long open = Math.max(0, start - 1);
    UnitInput.Opened opened;
    try {
      opened = UnitInput.open(files, unit.path(), open);
    } catch (IOException e) {
      if (!UnitInput.compressed(unit.path())) throw e;
      sink.failure(unit.path(), UnitInput.corrupt(unit.path(), e), "");
      return;
    }
    try (opened) {
      LineScanner lines = new LineScanner(opened.in(), open, crBreaks, LineScanner.MAX_LINE_BYTES);
      long lineNo = 0;
      try {
        if (start > 0 && lines.next() == -1) return; // the line holding byte start-1 is not ours
        while (true) {
          int len = lines.next();
          if (len == -1 || lines.lineOffset() >= end) return;
          lineNo++;
          String where =
              numbered
                  ? unit.path() + " line " + lineNo
                  : unit.path() + " byte " + lines.lineOffset();
          if (len == LineScanner.TOO_LONG) {
            sink.failure(
                where,
                "a line of "
                    + lines.skipped()
                    + " bytes, longer than the "
                    + LineScanner.MAX_LINE_BYTES
                    + " a record may have; skipped",
                "");
            continue;
          }
          byte[] b = lines.buffer();
          int off = lines.lineStart();
          if (lines.lineOffset() == 0
              && len >= 3
              && (b[off] & 0xff) == 0xEF
              && (b[off + 1] & 0xff) == 0xBB
              && (b[off + 2] & 0xff) == 0xBF) {
            off += 3; // a UTF-8 BOM, which Python's readers drop
            len -= 3;
          }
          try {
            visitor.line(b, off, len, lines.terminator() > 0, where);
          } catch (RuntimeException e) {
            throw new VisitorFailure(e);
          }
        }
      } catch (VisitorFailure e) {
        throw (RuntimeException) e.getCause();
      } catch (IOException | RuntimeException e) {
        if (!UnitInput.compressed(unit.path())) throw e;
        sink.failure(
            unit.path() + " line " + (lineNo + 1),
            UnitInput.corrupt(unit.path(), e) + "; the lines before it are kept",
            "");
      }
    }
  }

  /** Text of a line for an excerpt: at most a few hundred characters, invalid bytes replaced. */
  static String excerpt(byte[] b, int off, int len) {
    return Excerpts.of(b, off, len);
  }

  /** An exception of the visitor itself, which must not pass for corrupt compressed data. */
  private static final class VisitorFailure extends RuntimeException {
    VisitorFailure(Throwable cause) {
      super(cause);
    }
  }
}
