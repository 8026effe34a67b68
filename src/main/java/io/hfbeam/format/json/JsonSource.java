package io.hfbeam.format.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hfbeam.format.Excerpts;
import io.hfbeam.format.files.Compressions;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.files.LineReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;

/**
 * Record sources that yield JSON-shaped records with their place in the chunk: JSON lines (split
 * into byte ranges; a line belongs to the range holding its first byte; blank lines are skipped but
 * counted) and CSV/TSV with a header (quoted fields may span lines, so a file is one chunk; values
 * are text, empty means missing).
 *
 * <p>What a source cannot read is a failure of that place, never of the run: a compressed file that
 * turns out corrupt ends at the line where it broke (the records before it are kept), a CSV row
 * that cannot be parsed or has more fields than the header fails alone.
 */
public interface JsonSource extends Serializable {

  /** Calls the visitor for each record in order; returns the source lines the chunk holds. */
  long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException;

  /**
   * One record: either unparsed UTF-8 bytes {@code bytes[off, off + len)} (JSON lines; valid only
   * during the call) or an already parsed object (CSV, with {@code bytes} null).
   */
  interface Visitor {
    void record(byte[] bytes, int off, int len, JsonNode parsed, long lineInChunk, long offset);

    /**
     * A place the source could not read: its line (0-based in the chunk), byte or character offset,
     * why.
     */
    void failure(long lineInChunk, long offset, String reason, String excerpt);
  }

  static JsonSource jsonLines() {
    return new JsonLines();
  }

  static JsonSource csv(char separator) {
    return new Csv(separator);
  }

  /**
   * Why a compressed file cannot be read further (the decompressor's own message, which names no
   * file).
   */
  private static String corrupt(InputFiles.Chunk chunk, long line, long offset, Exception e) {
    String kind = Compressions.kind(chunk.file());
    return "corrupt or truncated "
        + kind
        + " data in "
        + chunk.path()
        + " at line "
        + (line + 1)
        + " (decompressed byte "
        + offset
        + "): "
        + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage())
        + "; the lines before it are kept";
  }

  private static String tooLong(LineReader reader) {
    return "a line of "
        + reader.longLineBytes()
        + " bytes, longer than the "
        + LineReader.MAX_LINE_BYTES
        + " a record may have; skipped";
  }

  final class JsonLines implements JsonSource {
    @Override
    public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      Path path = chunk.file();
      boolean compressed = Compressions.isCompressed(path);
      InputStream in;
      try {
        in = open(path, chunk);
      } catch (IOException | RuntimeException e) {
        if (!compressed) throw e;
        visitor.failure(0, 0, corrupt(chunk, 0, 0, e), null);
        return 1;
      }
      try (in) {
        LineReader reader = new LineReader(in, chunk.whole() ? 0 : Math.max(0, chunk.start() - 1));
        if (!chunk.whole() && chunk.start() > 0 && !reader.skipLine()) return 0;
        long n = 0;
        int len;
        while (chunk.whole() || reader.offset() < chunk.end()) {
          try {
            len = reader.readLineBytes();
          } catch (IOException | RuntimeException e) {
            // only a decompressor fails mid-file on its data; a plain file's read error is the
            // machine's, not the input's
            if (!compressed) throw e;
            visitor.failure(
                n,
                reader.offset(),
                corrupt(chunk, n, reader.offset(), e),
                reader.pending(Excerpts.CHARS));
            return n + 1;
          }
          if (len == -1) break;
          if (len == LineReader.TOO_LONG) {
            visitor.failure(n++, reader.lineOffset(), tooLong(reader), reader.longLineExcerpt());
            continue;
          }
          byte[] b = reader.buffer();
          int off = reader.lineStart();
          if (!blank(b, off, len)) visitor.record(b, off, len, null, n, reader.lineOffset());
          n++;
        }
        return n;
      }
    }

    private static boolean blank(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\f' && b[i] != 0x0B)
          return false;
      }
      return true;
    }

    private static InputStream open(Path path, InputFiles.Chunk chunk) throws IOException {
      if (chunk.whole()) return Compressions.open(path);
      SeekableByteChannel ch = Files.newByteChannel(path);
      ch.position(Math.max(0, chunk.start() - 1));
      return new java.io.BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
    }
  }

  /**
   * CSV/TSV with a header row. Rows are found line by line: a line that leaves a quoted field open
   * continues on the next line, up to {@link #MAX_RECORD_LINES} lines or {@link #MAX_RECORD_CHARS}
   * characters or the end of the file; past that the row fails as an unclosed quote and reading
   * resumes at the line after its first line (so one stray quote costs one row, not the rest of the
   * file). Each row is then parsed by Jackson's CSV parser.
   */
  final class Csv implements JsonSource {
    static final int MAX_RECORD_LINES = 10_000;
    static final int MAX_RECORD_CHARS = 16 << 20;
    private static final CsvMapper MAPPER =
        new CsvMapper(
            CsvFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder().maxStringLength(MAX_RECORD_CHARS).build())
                .build());
    private final char separator;
    private transient ObjectReader rowReader;

    Csv(char separator) {
      this.separator = separator;
    }

    /**
     * One physical line: its text without terminator (null when too long to read, then {@code
     * problem} says why), the terminator, its 0-based number, its first character.
     */
    private record Line(
        String text,
        String terminator,
        long number,
        long charStart,
        String problem,
        String excerpt) {
      Line(String text, String terminator, long number, long charStart) {
        this(text, terminator, number, charStart, null, null);
      }
    }

    /**
     * The lines of a file with a push-back queue, so a row that fails as an unclosed quote can be
     * re-read.
     */
    private static final class Lines {
      final LineReader reader;
      final ArrayDeque<Line> back = new ArrayDeque<>();
      long number;
      long chars;

      Lines(LineReader reader) {
        this.reader = reader;
      }

      Line next() throws IOException {
        if (!back.isEmpty()) return back.poll();
        int len = reader.readLineBytes();
        if (len == -1) return null;
        if (len == LineReader.TOO_LONG) {
          Line l = new Line(null, "", number++, chars, tooLong(reader), reader.longLineExcerpt());
          chars += reader.longLineBytes();
          return l;
        }
        String text = new String(reader.buffer(), reader.lineStart(), len, StandardCharsets.UTF_8);
        int t = reader.terminatorLength();
        Line l =
            new Line(
                text,
                t == 2
                    ? "\r\n"
                    : t == 1
                        ? (reader.buffer()[reader.lineStart() + len] == '\r' ? "\r" : "\n")
                        : "",
                number++,
                chars);
        chars += text.length() + t;
        return l;
      }
    }

    /** A row and the lines it spans; {@code open} when it ended with a quoted field still open. */
    private record RowText(
        String text, java.util.List<Line> lines, boolean open, boolean knownOpen) {
      RowText(String text, java.util.List<Line> lines, boolean open) {
        this(text, lines, open, false);
      }
    }

    /**
     * @param openThrough the last line an earlier row's unclosed quote ran through (-1: none). The
     *     lines after a first line that leaves a quote open are read in the same state as that
     *     earlier row read them, so they stay open at least that far: such a row fails at once
     *     instead of being scanned again (lines full of stray quotes would otherwise cost a scan of
     *     up to MAX_RECORD_LINES each).
     */
    private RowText row(Lines lines, Line first, long openThrough) throws IOException {
      java.util.List<Line> spans = new java.util.ArrayList<>();
      spans.add(first);
      boolean inQuotes = openQuote(first.text(), false, separator);
      if (!inQuotes) return new RowText(first.text(), spans, false);
      if (first.number() < openThrough) return new RowText(first.text(), spans, true, true);
      StringBuilder sb = new StringBuilder(first.text());
      Line last = first;
      while (inQuotes && spans.size() < MAX_RECORD_LINES && sb.length() < MAX_RECORD_CHARS) {
        Line l = lines.next();
        if (l == null) break;
        if (l.text()
            == null) { // too long to join: the row ends unclosed and the line fails on its own
          lines.back.push(l);
          break;
        }
        sb.append(last.terminator()).append(l.text());
        spans.add(l);
        last = l;
        inQuotes = openQuote(l.text(), true, separator);
      }
      return new RowText(sb.toString(), spans, inQuotes);
    }

    /**
     * Whether a quoted field is still open at the end of {@code line}; a quote opens a field only
     * at its start.
     */
    static boolean openQuote(String line, boolean inQuotes, char separator) {
      boolean fieldStart = !inQuotes;
      for (int i = 0, n = line.length(); i < n; i++) {
        char c = line.charAt(i);
        if (inQuotes) {
          if (c == '"') {
            if (i + 1 < n && line.charAt(i + 1) == '"') i++;
            else inQuotes = false;
          }
        } else {
          if (c == '"' && fieldStart) {
            inQuotes = true;
            continue;
          }
          fieldStart = c == separator;
        }
      }
      return inQuotes;
    }

    private String[] parse(String text) throws IOException {
      if (rowReader == null) {
        rowReader =
            MAPPER
                .readerFor(String[].class)
                .with(CsvSchema.emptySchema().withColumnSeparator(separator))
                .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
      }
      if (text.isEmpty()) return new String[] {""};
      return rowReader.readValue(text);
    }

    private static String why(Exception e) {
      return e instanceof JsonProcessingException j
          ? j.getOriginalMessage()
          : String.valueOf(e.getMessage());
    }

    @Override
    public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      boolean compressed = Compressions.isCompressed(chunk.file());
      InputStream in;
      try {
        in = Compressions.open(chunk.file());
      } catch (IOException | RuntimeException e) {
        if (!compressed) throw e;
        visitor.failure(0, 0, corrupt(chunk, 0, 0, e), null);
        return 1;
      }
      try (in) {
        LineReader reader = new LineReader(in, 0);
        Lines lines = new Lines(reader);
        try {
          return read(lines, chunk, visitor);
        } catch (VisitorException e) {
          throw (RuntimeException) e.getCause();
        } catch (IOException | RuntimeException e) {
          if (!compressed) throw e;
          visitor.failure(
              lines.number,
              reader.offset(),
              corrupt(chunk, lines.number, reader.offset(), e),
              reader.pending(Excerpts.CHARS));
          return lines.number + 1;
        }
      }
    }

    /**
     * Marks an exception thrown by the visitor (writing output), which must not pass for corrupt
     * input.
     */
    private static final class VisitorException extends RuntimeException {
      VisitorException(RuntimeException cause) {
        super(cause);
      }
    }

    private long read(Lines lines, InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      Line first = lines.next();
      if (first == null) return 0;
      if (first.text() == null) {
        fail(
            visitor,
            0,
            0,
            "cannot read the CSV header of " + chunk.path() + ": " + first.problem(),
            first.excerpt());
        return lines.number;
      }
      RowText headerRow = row(lines, first, -1);
      String[] header;
      try {
        if (headerRow.open()) throw new IOException("the header has an unclosed quote");
        header = parse(headerRow.text());
      } catch (IOException | RuntimeException e) {
        visitor.failure(
            0,
            0,
            "cannot read the CSV header of " + chunk.path() + ": " + why(e),
            headerRow.text());
        return lines.number;
      }
      if (header.length > 0 && header[0].startsWith("\uFEFF")) header[0] = header[0].substring(1);
      Set<String> names = new HashSet<>();
      for (String h : header) {
        if (!names.add(h)) {
          visitor.failure(
              0,
              0,
              "the CSV header of " + chunk.path() + " names column '" + h + "' twice",
              headerRow.text());
          return lines.number;
        }
      }
      Line line;
      long openThrough = -1;
      while ((line = lines.next()) != null) {
        if (line.text() == null) {
          fail(visitor, line.number(), line.charStart() - 1, line.problem(), line.excerpt());
          continue;
        }
        RowText r = row(lines, line, openThrough);
        if (r.open())
          openThrough = Math.max(openThrough, r.lines().get(r.lines().size() - 1).number());
        // the split key of a CSV row hashes this offset: kept as Jackson's reader reported it (the
        // row's first character minus one), so existing datasets keep their splits
        long offset = line.charStart() - 1;
        String[] fields;
        try {
          if (r.open()) {
            throw new IOException(
                "unclosed quote: the quoted field opened on line "
                    + (line.number() + 1)
                    + " is not closed "
                    + (r.knownOpen()
                        ? "(the lines after it are inside an earlier unclosed quote)"
                        : r.lines().size() >= MAX_RECORD_LINES
                                || r.text().length() >= MAX_RECORD_CHARS
                            ? "within "
                                + MAX_RECORD_LINES
                                + " lines or "
                                + MAX_RECORD_CHARS
                                + " characters"
                            : "before the end of the file")
                    + "; reading resumes on the next line");
          }
          fields = parse(r.text());
        } catch (IOException | RuntimeException e) {
          fail(visitor, line.number(), offset, why(e), line.text());
          // where the row ends is in doubt: the lines after its first one are read again as rows of
          // their own
          for (int i = r.lines().size() - 1; i >= 1; i--) lines.back.push(r.lines().get(i));
          continue;
        }
        if (fields.length > header.length) {
          fail(
              visitor,
              line.number(),
              offset,
              "line "
                  + (line.number() + 1)
                  + " has "
                  + fields.length
                  + " fields, the header has "
                  + header.length,
              r.text());
          continue;
        }
        ObjectNode obj = JsonNodeFactory.instance.objectNode();
        // an empty cell is a null: the column is there (a column missing from the row is absent)
        for (int i = 0; i < fields.length; i++) {
          obj.put(header[i], fields[i] == null || fields[i].isEmpty() ? null : fields[i]);
        }
        try {
          visitor.record(null, 0, 0, obj, line.number(), offset);
        } catch (RuntimeException e) {
          throw new VisitorException(e);
        }
      }
      return lines.number;
    }

    private static void fail(
        Visitor visitor, long line, long offset, String reason, String excerpt) {
      try {
        visitor.failure(line, offset, reason, excerpt);
      } catch (RuntimeException e) {
        throw new VisitorException(e);
      }
    }
  }
}
