package io.hfbeam.conversations;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The JSON records of one file, one at a time: a JSON Lines file (one object a line) or one JSON
 * array (Kura's conversation dump, a Claude.ai export, ShareGPT files), told apart by the first
 * byte that is not white space. Only one record is held at a time.
 *
 * <p>A broken line of a JSON Lines file is one failure and reading goes on with the next line. In a
 * JSON array, broken JSON ends what can be read: the failure says so, and the records before it are
 * kept. Duplicate keys are refused (a Python dict keeps the last one silently), as are invalid
 * UTF-8 and records beyond {@link ReadLimits#maxRecordBytes()}.
 */
public final class JsonRecords implements Iterator<JsonRecords.Item>, Closeable {
  /** A record's JSON tree, or why it could not be read. */
  public record Item(Location where, JsonNode node, ReadFailure failure) {}

  /**
   * Where the next record starts, to read a file from there in another process: in a JSON Lines
   * file its byte offset (in the decompressed bytes) and the lines before it; in a JSON array the
   * number of records before it ({@code offset} and {@code line} are -1 there).
   */
  public record Mark(long offset, long line, long records) implements java.io.Serializable {
    public static final Mark START = new Mark(0, 0, 0);
  }

  private final String file;
  private final InputStream in;
  private final ReadLimits limits;
  private final ObjectMapper mapper;
  private final ObjectMapper elementMapper; // inside an array, the next element is no trailing junk
  private final boolean array;
  private JsonParser parser;
  private long line; // JSONL: lines consumed so far
  private long index;
  private long records; // items returned so far
  private long consumed; // JSONL: bytes taken from `in` into `chunk`
  private Item next;
  private boolean done;

  public JsonRecords(String file, InputStream raw, ReadLimits limits) throws IOException {
    this(file, raw, limits, null);
  }

  /**
   * Reads {@code raw} (the whole file) from {@code start}, a mark taken while reading the same file
   * before: a JSON Lines file is skipped to the offset, a JSON array's records before it are
   * skipped without being built. Lines and indexes go on from the mark's.
   */
  public static JsonRecords from(
      String file, InputStream raw, ReadLimits limits, Mark start, boolean array)
      throws IOException {
    if (start.records() == 0) return new JsonRecords(file, raw, limits);
    if (array) {
      JsonRecords r = new JsonRecords(file, raw, limits, Boolean.TRUE);
      r.skipInArray(start.records());
      return r;
    }
    raw.skipNBytes(start.offset());
    JsonRecords r = new JsonRecords(file, raw, limits, Boolean.FALSE);
    r.line = start.line();
    r.consumed = start.offset();
    r.records = start.records();
    return r;
  }

  private JsonRecords(String file, InputStream raw, ReadLimits limits, Boolean forceArray)
      throws IOException {
    this.file = file;
    this.in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw, 1 << 16);
    this.limits = limits;
    JsonFactory factory =
        JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxStringLength(limits.maxRecordBytes())
                    .maxNestingDepth(200)
                    .build())
            .build();
    this.mapper = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.elementMapper = new ObjectMapper(factory);
    this.array = forceArray != null && !forceArray ? false : firstByte() == '[';
    if (array) {
      parser = factory.createParser(in);
      parser.nextToken(); // the '['
    }
  }

  /** Peeks at the first byte that is not white space (a UTF-8 BOM is skipped too). */
  private int firstByte() throws IOException {
    in.mark(1 << 15);
    int b;
    int n = 0;
    do {
      b = in.read();
      n++;
    } while ((b == ' ' || b == '\t' || b == '\r' || b == '\n' || b == 0xEF || b == 0xBB
            || b == 0xBF)
        && n < (1 << 15) - 1);
    in.reset();
    return b;
  }

  /** True for a JSON array file, false for JSON Lines. */
  public boolean isArray() {
    return array;
  }

  /** Where the next record starts; only between records (after {@link #next}, before hasNext). */
  public Mark mark() {
    if (next != null) throw new IllegalStateException("a record was read ahead");
    return array
        ? new Mark(-1, -1, records)
        : new Mark(consumed - (chunkEnd - chunkPos), line, records);
  }

  private void skipInArray(long n) throws IOException {
    for (long i = 0; i < n; i++) {
      JsonToken t = parser.nextToken();
      if (t == null || t == JsonToken.END_ARRAY) {
        throw new IOException(
            file + ": the array ends before record " + n + " (changed since it was listed?)");
      }
      parser.skipChildren();
      index++;
      records++;
    }
  }

  @Override
  public boolean hasNext() {
    if (next == null && !done) {
      try {
        next = array ? nextInArray() : nextLine();
      } catch (IOException e) {
        throw new UncheckedIOException(file + ": " + e.getMessage(), e);
      }
      if (next == null) done = true;
    }
    return next != null;
  }

  @Override
  public Item next() {
    if (!hasNext()) throw new NoSuchElementException();
    Item i = next;
    next = null;
    records++;
    return i;
  }

  private Item nextInArray() throws IOException {
    Location where = null;
    try {
      JsonToken t = parser.nextToken();
      where = new Location(file, parser.getTokenLocation().getLineNr(), index);
      if (t == JsonToken.END_ARRAY) {
        if (parser.nextToken() != null) {
          done = true;
          return failure(where, "content after the end of the JSON array", "");
        }
        return null;
      }
      if (t == null) {
        done = true;
        return failure(where, "broken JSON: the array is not closed (file cut short?)", "");
      }
      long start = parser.getTokenLocation().getByteOffset();
      JsonNode node = elementMapper.readTree(parser);
      long size = parser.getCurrentLocation().getByteOffset() - start;
      index++;
      if (size > limits.maxRecordBytes()) {
        return failure(
            where, "record of " + size + " bytes, over the cap of " + limits.maxRecordBytes(), "");
      }
      return new Item(where, node, null);
    } catch (JsonProcessingException e) {
      done = true;
      if (where == null) {
        where =
            new Location(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), index);
      }
      return failure(
          where,
          "broken JSON: "
              + e.getOriginalMessage()
              + " (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + "); the rest of the array cannot be read",
          "");
    }
  }

  private final byte[] chunk = new byte[1 << 16];
  private int chunkPos;
  private int chunkEnd;
  private boolean eof;

  private Item nextLine() throws IOException {
    while (true) {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(256);
      long length = 0;
      boolean newline = false;
      // scan the buffer for the end of the line; bytes past the cap are counted, not kept
      while (!newline) {
        if (chunkPos == chunkEnd) {
          if (eof) break;
          int n = in.read(chunk, 0, chunk.length);
          if (n < 0) {
            eof = true;
            break;
          }
          consumed += n;
          chunkPos = 0;
          chunkEnd = n;
        }
        int start = chunkPos;
        while (chunkPos < chunkEnd && chunk[chunkPos] != '\n') chunkPos++;
        int n = chunkPos - start;
        long room = limits.maxRecordBytes() - length;
        if (room > 0) buf.write(chunk, start, (int) Math.min(n, room));
        length += n;
        if (chunkPos < chunkEnd) {
          chunkPos++; // the newline
          newline = true;
        }
      }
      if (!newline && length == 0) return null;
      line++;
      Location where = new Location(file, line, -1);
      if (length > limits.maxRecordBytes()) {
        return failure(
            where,
            "line of " + length + " bytes, over the cap of " + limits.maxRecordBytes(),
            excerpt(buf.toByteArray()));
      }
      byte[] bytes = buf.toByteArray();
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        return failure(where, "not valid UTF-8", excerpt(bytes));
      }
      if (line == 1 && text.startsWith("\uFEFF")) text = text.substring(1);
      if (text.isBlank()) continue; // an empty line is no record
      try {
        return new Item(where, mapper.readTree(text), null);
      } catch (JsonProcessingException e) {
        return failure(where, "broken JSON: " + e.getOriginalMessage(), excerpt(text));
      }
    }
  }

  private static Item failure(Location where, String reason, String excerpt) {
    return new Item(where, null, new ReadFailure(where, reason, excerpt));
  }

  static String excerpt(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  private static String excerpt(byte[] b) {
    return excerpt(new String(b, 0, Math.min(b.length, 400), StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    if (parser != null) parser.close();
    in.close();
  }
}
