package io.hfbeam.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Record sources that yield JSON-shaped records with their place in the chunk: JSON lines (split into byte
 * ranges; a line belongs to the range holding its first byte; blank lines are skipped but counted) and CSV/TSV
 * with a header (quoted fields may span lines, so a file is one chunk; values are text, empty means missing).
 */
public interface JsonSource extends Serializable {

  /** Calls the visitor for each record in order; returns the source lines the chunk holds. */
  long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException;

  /**
   * One record: either unparsed UTF-8 bytes {@code bytes[off, off + len)} (JSON lines; valid only during the call)
   * or an already parsed object (CSV, with {@code bytes} null).
   */
  interface Visitor {
    void record(byte[] bytes, int off, int len, JsonNode parsed, long lineInChunk, long offset);
  }

  static JsonSource jsonLines() {
    return new JsonLines();
  }

  static JsonSource csv(char separator) {
    return new Csv(separator);
  }

  final class JsonLines implements JsonSource {
    @Override
    public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      Path path = chunk.file();
      try (InputStream in = open(path, chunk)) {
        LineReader reader = new LineReader(in, chunk.whole() ? 0 : Math.max(0, chunk.start() - 1));
        if (!chunk.whole() && chunk.start() > 0 && !reader.skipLine()) return 0;
        long n = 0;
        int len;
        while ((chunk.whole() || reader.offset() < chunk.end()) && (len = reader.readLineBytes()) >= 0) {
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
        if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\f' && b[i] != 0x0B) return false;
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

  final class Csv implements JsonSource {
    private final char separator;

    Csv(char separator) {
      this.separator = separator;
    }

    @Override
    public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      try (MappingIterator<Map<String, String>> it = open(chunk.file(), separator)) {
        long lines = 1;
        while (it.hasNextValue()) {
          long line = it.getCurrentLocation().getLineNr();
          long offset = it.getCurrentLocation().getCharOffset();
          ObjectNode obj = JsonNodeFactory.instance.objectNode();
          // an empty cell is a null: the column is there (a column missing from the header is absent)
          it.nextValue().forEach((k, v) -> obj.put(k, v == null || v.isEmpty() ? null : v));
          visitor.record(null, 0, 0, obj, Math.max(0, line - 1), offset);
          lines = it.getCurrentLocation().getLineNr();
        }
        return lines;
      } catch (RuntimeException e) {
        throw new IOException(chunk.path() + ": malformed CSV: " + e.getMessage(), e);
      }
    }

    /** Opens a CSV file for reading records as header -> text maps. */
    public static MappingIterator<Map<String, String>> open(Path file, char separator) throws IOException {
      InputStream in = Compressions.open(file);
      CsvMapper mapper = new CsvMapper();
      mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
      CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(separator);
      return mapper.readerFor(Map.class).with(schema).readValues(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
  }
}
