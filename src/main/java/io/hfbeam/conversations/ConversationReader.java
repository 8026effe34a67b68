package io.hfbeam.conversations;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The conversations of one input file, one at a time, each a {@link Parsed}: a conversation, or a
 * located failure in its place. Only one record is in memory at a time; the chat ids seen are kept
 * (to refuse a duplicate: the second one is the failure), and can be shared across the files of one
 * input; with none given, ids are not checked.
 *
 * <p>Checks on top of the format's: at least one message, and no message content over {@link
 * ReadLimits#maxContentBytes()} bytes of UTF-8.
 */
public final class ConversationReader implements Iterator<Parsed<Conversation>>, Closeable {
  private final JsonRecords records;
  private final ConversationFormat format;
  private final ReadLimits limits;
  private final Set<String> seenIds;

  public ConversationReader(
      JsonRecords records, ConversationFormat format, ReadLimits limits, Set<String> seenIds) {
    this.records = records;
    this.format = format;
    this.limits = limits;
    this.seenIds = seenIds;
  }

  /** Reads {@code file} in {@code format} (null: detected from the first record). */
  public static ConversationReader open(Path file, ConversationFormat format) throws IOException {
    return open(
        file.toString(), Files.newInputStream(file), format, ReadLimits.DEFAULT, new HashSet<>());
  }

  public static ConversationReader open(
      String name,
      InputStream in,
      ConversationFormat format,
      ReadLimits limits,
      Set<String> seenIds)
      throws IOException {
    JsonRecords records = new JsonRecords(name, in, limits);
    return new ConversationReader(records, format, limits, seenIds);
  }

  /**
   * Reads a file from a mark taken by an earlier reader of it ({@link #mark}), with the format that
   * reader had detected by then ({@link #detectedName}; null: not yet).
   */
  public static ConversationReader from(
      String name,
      InputStream in,
      ConversationFormat format,
      ReadLimits limits,
      Set<String> seenIds,
      JsonRecords.Mark start,
      boolean array,
      String detectedName)
      throws IOException {
    ConversationReader r =
        new ConversationReader(
            JsonRecords.from(name, in, limits, start, array), format, limits, seenIds);
    r.detectedName = detectedName;
    r.detected = ConversationFormat.named(detectedName);
    return r;
  }

  private ConversationFormat detected;
  private String detectedName;

  /** Where the next record starts (between records only). */
  public JsonRecords.Mark mark() {
    return records.mark();
  }

  public boolean isArray() {
    return records.isArray();
  }

  /** The format detected from the records so far (auto only); null before one was recognised. */
  public String detectedName() {
    return detectedName;
  }

  @Override
  public boolean hasNext() {
    return records.hasNext();
  }

  @Override
  public Parsed<Conversation> next() {
    if (!hasNext()) throw new NoSuchElementException();
    JsonRecords.Item item = records.next();
    if (item.failure() != null) return Parsed.failed(item.failure());
    Location where = item.where();
    ConversationFormat f = format;
    if (f == null) {
      if (detected == null) {
        detectedName = ConversationFormat.detectName(item.node());
        detected = ConversationFormat.named(detectedName);
      }
      if (detected == null) {
        return failed(where, "format not recognised from this record's keys", item);
      }
      f = detected;
    }
    Conversation c;
    try {
      c = f.map(item.node(), where);
    } catch (RecordException e) {
      return failed(where, e.reason(), item);
    }
    if (c.messages().isEmpty()) return failed(where, "no messages", item);
    for (int i = 0; i < c.messages().size(); i++) {
      String content = c.messages().get(i).content();
      // 4 bytes per char at most: count exactly only when it could matter
      if ((long) content.length() * 3 > limits.maxContentBytes()) {
        int bytes = content.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > limits.maxContentBytes()) {
          return failed(
              where,
              "messages["
                  + i
                  + "].content: "
                  + bytes
                  + " bytes, over the cap of "
                  + limits.maxContentBytes(),
              item);
        }
      }
    }
    if (seenIds != null && !seenIds.add(c.chatId())) {
      return failed(
          where, "chat_id '" + KuraJson.clip(c.chatId()) + "' seen before (duplicate)", item);
    }
    return Parsed.ok(where, c);
  }

  private static Parsed<Conversation> failed(Location where, String reason, JsonRecords.Item item) {
    String text = item.node() == null ? "" : item.node().toString();
    return Parsed.failed(new ReadFailure(where, reason, JsonRecords.excerpt(text)));
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
