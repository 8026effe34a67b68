package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * A durable, append-only journal of validated answers (request key -> response), so a re-run, a
 * resume after {@code kill -9} or a Flink task restart never pays for an answer twice.
 *
 * <p>On disk: a directory of segment files {@code seg-*.jsonl}, one JSON record per line, each
 * ending in {@code ,"crc":"xxxxxxxx"}} where the CRC32 covers the line's bytes before that suffix.
 * Every process (every {@link #open}) writes to a new segment of its own and never into another's,
 * so concurrent writers and restarts simply add segments. A crash mid-write can leave the last
 * record of a segment torn: it is dropped and reported. A bad record with good ones after it is
 * damage, not a crash, and {@link #open} refuses it.
 *
 * <p>Memory: the index holds only key -> (segment, offset); entries are read back from disk.
 */
public final class ResponseJournal implements Closeable {
  /** One journaled answer. */
  public record Entry(
      String content,
      String finishReason,
      long promptTokens,
      long completionTokens,
      String model,
      String task,
      int attempts,
      Instant time) {
    public Entry {
      Objects.requireNonNull(content, "content");
      Objects.requireNonNull(time, "time");
    }

    public static Entry of(ChatResult result, String task, int attempts, Instant time) {
      return new Entry(
          result.content(),
          result.finishReason(),
          result.promptTokens(),
          result.completionTokens(),
          result.model(),
          task,
          attempts,
          time);
    }

    public ChatResult result() {
      return new ChatResult(content, finishReason, promptTokens, completionTokens, model);
    }
  }

  /**
   * What {@link #open} found: records indexed, segments read, and each torn tail dropped (segment
   * file name, byte offset where the dropped bytes start, how many bytes).
   */
  public record Recovery(long records, int segments, List<Dropped> dropped) {
    public Recovery {
      dropped = List.copyOf(dropped);
    }

    /** One line for the user, e.g. "journal: 50 answers in 2 segments". */
    public String summary() {
      StringBuilder s =
          new StringBuilder("journal: " + records + " answers in " + segments + " segments");
      for (Dropped d : dropped) {
        s.append("; dropped a torn last record of ")
            .append(d.segment())
            .append(" at byte ")
            .append(d.offset())
            .append(" (")
            .append(d.bytes())
            .append(" bytes, a crash mid-write)");
      }
      return s.toString();
    }
  }

  /** A torn last record that {@link #open} dropped. */
  public record Dropped(String segment, long offset, long bytes) {}

  /** A journal damaged in the middle (not a torn tail): one readable line. */
  public static final class CorruptJournalException extends IOException {
    CorruptJournalException(String message) {
      super(message);
    }
  }

  private static final String PREFIX = "seg-";
  private static final String SUFFIX = ".jsonl";
  private static final byte[] CRC_OPEN = ",\"crc\":\"".getBytes(StandardCharsets.US_ASCII);
  // ,"crc":"xxxxxxxx"}  : 8 + 8 + 2
  private static final int CRC_TAIL = CRC_OPEN.length + 8 + 2;
  private static final int OFFSET_BITS = 44; // 16 TB per segment, 2^19 segments
  private static final JsonFactory JSON_FACTORY = new JsonFactory();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final List<Path> segments = new ArrayList<>();
  private final List<FileChannel> readers = new ArrayList<>();
  private final ConcurrentHashMap<RequestKey, Long> index;
  private final Recovery recovery;
  private FileChannel writer; // created on the first append
  private int writerSegment = -1;
  private long writerOffset;
  private boolean closed;

  private ResponseJournal(Path dir, ConcurrentHashMap<RequestKey, Long> index, Recovery recovery) {
    this.dir = dir;
    this.index = index;
    this.recovery = recovery;
  }

  /**
   * Opens (creating if needed) the journal in {@code dir} and indexes every segment in it.
   *
   * @throws CorruptJournalException if a record other than a segment's last is damaged
   */
  public static ResponseJournal open(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> files;
    try (Stream<Path> s = Files.list(dir)) {
      files =
          s.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(PREFIX) && n.endsWith(SUFFIX) && Files.isRegularFile(p);
                  })
              .sorted()
              .toList();
    }
    ConcurrentHashMap<RequestKey, Long> index = new ConcurrentHashMap<>();
    List<Dropped> dropped = new ArrayList<>();
    long records = 0;
    for (int i = 0; i < files.size(); i++) {
      records += scan(files.get(i), i, index, dropped);
    }
    ResponseJournal journal =
        new ResponseJournal(dir, index, new Recovery(records, files.size(), dropped));
    try {
      for (Path f : files) {
        journal.segments.add(f);
        journal.readers.add(FileChannel.open(f, StandardOpenOption.READ));
      }
    } catch (IOException e) {
      journal.close();
      throw e;
    }
    return journal;
  }

  /** Reads one segment into the index; returns how many good records it held. */
  private static long scan(
      Path file, int segment, ConcurrentHashMap<RequestKey, Long> index, List<Dropped> dropped)
      throws IOException {
    if (segment >= (1 << (63 - OFFSET_BITS))) {
      throw new IOException("journal " + file.getParent() + " has too many segment files");
    }
    long size = Files.size(file);
    long good = 0;
    long offset = 0;
    long lineNumber = 0;
    byte[] chunk = new byte[1 << 16];
    int pos = 0;
    int lim = 0;
    byte[] line = new byte[1024];
    try (InputStream in = Files.newInputStream(file)) {
      while (offset < size) {
        // the next line, copied chunk-wise (a byte-at-a-time read made 100k records take seconds)
        int len = 0;
        boolean newline = false;
        while (true) {
          if (pos == lim) {
            lim = Math.max(in.read(chunk), 0);
            pos = 0;
            if (lim == 0) {
              break;
            }
          }
          int i = pos;
          while (i < lim && chunk[i] != '\n') {
            i++;
          }
          int take = i - pos;
          if (len + take > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, len + take));
          }
          System.arraycopy(chunk, pos, line, len, take);
          len += take;
          pos = i;
          if (i < lim) {
            pos++;
            newline = true;
            break;
          }
        }
        lineNumber++;
        long next = offset + len + (newline ? 1 : 0);
        String problem = newline ? check(line, len) : "no line end";
        if (problem == null) {
          RequestKey key = RequestKey.ofHex(keyHex(line));
          index.put(key, ((long) segment << OFFSET_BITS) | offset);
          good++;
        } else if (next >= size) {
          // The segment's last record, torn by a crash mid-write: the answer was never
          // durable, so it is simply asked again.
          dropped.add(new Dropped(file.getFileName().toString(), offset, size - offset));
        } else {
          throw new CorruptJournalException(
              "journal segment "
                  + file
                  + " is damaged at line "
                  + lineNumber
                  + " (byte "
                  + offset
                  + ": "
                  + problem
                  + ") with good records after it; move that file aside to re-ask its answers");
        }
        offset = next;
      }
    }
    return good;
  }

  /** Null if {@code line} is a well-formed record, else what is wrong with it. */
  private static String check(byte[] line) {
    return check(line, line.length);
  }

  /** Null if the first {@code n} bytes of {@code line} are a well-formed record, else why not. */
  private static String check(byte[] line, int n) {
    if (n < CRC_TAIL + 2 || line[n - 1] != '}' || line[n - 2] != '"') {
      return "no crc";
    }
    int crcAt = n - CRC_TAIL;
    for (int i = 0; i < CRC_OPEN.length; i++) {
      if (line[crcAt + i] != CRC_OPEN[i]) {
        return "no crc";
      }
    }
    String stored = new String(line, crcAt + CRC_OPEN.length, 8, StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(line, 0, crcAt);
    if (!stored.equals(crcHex(crc.getValue()))) {
      return "crc mismatch";
    }
    if (n < 8 + 64 || !new String(line, 0, 8, StandardCharsets.US_ASCII).equals("{\"key\":\"")) {
      return "no key";
    }
    try {
      JsonNode node = JSON.readTree(line, 0, n);
      if (!keyHex(line).equals(node.path("key").asText())) {
        return "no key";
      }
      RequestKey.ofHex(keyHex(line));
      entryOf(node);
    } catch (IOException | RuntimeException e) {
      return "not a journal record";
    }
    return null;
  }

  private static String keyHex(byte[] line) {
    // check() passed and encode() writes the key first: {"key":"<64 hex>"
    return new String(line, 8, 64, StandardCharsets.US_ASCII);
  }

  private static String crcHex(long value) {
    return HexFormat.of().toHexDigits((int) value);
  }

  private static Entry entryOf(JsonNode n) {
    return new Entry(
        text(n, "content"),
        text(n, "finish_reason"),
        n.path("prompt_tokens").asLong(),
        n.path("completion_tokens").asLong(),
        text(n, "model"),
        text(n, "task"),
        n.path("attempts").asInt(),
        Instant.parse(n.get("time").asText()));
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** What {@link #open} found. */
  public Recovery recovery() {
    return recovery;
  }

  /** The directory this journal lives in. */
  public Path dir() {
    return dir;
  }

  /** The number of distinct keys journaled. */
  public int size() {
    return index.size();
  }

  /** Whether an answer for {@code key} is journaled (no disk read). */
  public boolean contains(RequestKey key) {
    return index.containsKey(key);
  }

  /** The journaled answer for {@code key}, read back from disk and checked again. */
  public Optional<Entry> lookup(RequestKey key) throws IOException {
    Long at = index.get(key);
    if (at == null) {
      return Optional.empty();
    }
    int segment = (int) (at >>> OFFSET_BITS);
    long offset = at & ((1L << OFFSET_BITS) - 1);
    FileChannel channel;
    Path file;
    synchronized (this) {
      ensureOpen();
      channel = readers.get(segment);
      file = segments.get(segment);
    }
    byte[] line = readLine(channel, offset);
    String problem = check(line);
    if (problem != null) {
      throw new CorruptJournalException(
          "journal segment " + file + " changed on disk at byte " + offset + " (" + problem + ")");
    }
    JsonNode node = JSON.readTree(line);
    if (!key.equals(RequestKey.ofHex(node.get("key").asText()))) {
      throw new CorruptJournalException(
          "journal segment " + file + " changed on disk at byte " + offset);
    }
    return Optional.of(entryOf(node));
  }

  private static byte[] readLine(FileChannel channel, long offset) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
    ByteBuffer buf = ByteBuffer.allocate(8192);
    long pos = offset;
    while (true) {
      buf.clear();
      int n = channel.read(buf, pos); // positional: safe from many threads
      if (n < 0) {
        return out.toByteArray();
      }
      for (int i = 0; i < n; i++) {
        if (buf.get(i) == '\n') {
          out.write(buf.array(), 0, i);
          return out.toByteArray();
        }
      }
      out.write(buf.array(), 0, n);
      pos += n;
    }
  }

  /**
   * Appends {@code entry} under {@code key}: one line, written whole. Durable only after {@link
   * #sync()}; a later append for the same key wins.
   */
  public void append(RequestKey key, Entry entry) throws IOException {
    byte[] line = encode(key, entry);
    synchronized (this) {
      ensureOpen();
      if (writer == null) {
        startSegment();
      }
      ByteBuffer buf = ByteBuffer.wrap(line);
      long at = writerOffset;
      while (buf.hasRemaining()) {
        writer.write(buf);
      }
      writerOffset += line.length;
      index.put(key, ((long) writerSegment << OFFSET_BITS) | at);
    }
  }

  private void startSegment() throws IOException {
    String name =
        PREFIX
            + String.format("%015d", System.currentTimeMillis())
            + "-"
            + ProcessHandle.current().pid()
            + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)
            + SUFFIX;
    Path file = dir.resolve(name);
    // CREATE_NEW: never append into a file another process may be writing.
    FileChannel w = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel r;
    try {
      r = FileChannel.open(file, StandardOpenOption.READ);
    } catch (IOException e) {
      w.close();
      throw e;
    }
    segments.add(file);
    readers.add(r);
    writer = w;
    writerSegment = segments.size() - 1;
    writerOffset = 0;
  }

  private static byte[] encode(RequestKey key, Entry e) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = JSON_FACTORY.createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("key", key.hex());
      g.writeStringField("content", e.content());
      g.writeStringField("finish_reason", e.finishReason());
      g.writeNumberField("prompt_tokens", e.promptTokens());
      g.writeNumberField("completion_tokens", e.completionTokens());
      g.writeStringField("model", e.model());
      g.writeStringField("task", e.task());
      g.writeNumberField("attempts", e.attempts());
      g.writeStringField("time", e.time().toString());
      // no end: the crc suffix closes the object
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    byte[] body = out.toByteArray();
    if (body[body.length - 1] != '}') {
      throw new IllegalStateException("journal record did not end as expected");
    }
    // The generator closed the object on close(); drop that '}' so the crc covers the fields.
    int bodyLength = body.length - 1;
    CRC32 crc = new CRC32();
    crc.update(body, 0, bodyLength);
    byte[] tail =
        (",\"crc\":\"" + crcHex(crc.getValue()) + "\"}\n").getBytes(StandardCharsets.US_ASCII);
    byte[] line = new byte[bodyLength + tail.length];
    System.arraycopy(body, 0, line, 0, bodyLength);
    System.arraycopy(tail, 0, line, bodyLength, tail.length);
    return line;
  }

  /** Makes every append so far durable (fsync of this process's segment). */
  public void sync() throws IOException {
    synchronized (this) {
      ensureOpen();
      if (writer != null) {
        writer.force(false);
      }
    }
  }

  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("journal " + dir + " is closed");
    }
  }

  /** Syncs and closes. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException first = null;
    if (writer != null) {
      try {
        writer.force(false);
        writer.close();
      } catch (IOException e) {
        first = e;
      }
    }
    for (FileChannel r : readers) {
      try {
        r.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "ResponseJournal[" + dir + ", " + index.size() + " answers]";
  }
}
