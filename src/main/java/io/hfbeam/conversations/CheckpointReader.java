package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** The rows of one Kura JSONL checkpoint file, one at a time, each a value or a located failure. */
public final class CheckpointReader<T> implements Iterator<Parsed<T>>, Closeable {
  /** Kura's reader of one row type. */
  @FunctionalInterface
  public interface RowParser<T> {
    T parse(JsonNode n) throws RecordException;
  }

  public static final RowParser<Conversation> CONVERSATIONS = KuraJson::conversation;
  public static final RowParser<ConversationSummary> SUMMARIES = KuraJson::summary;
  public static final RowParser<Cluster> CLUSTERS = KuraJson::cluster;
  public static final RowParser<ProjectedCluster> PROJECTED_CLUSTERS = KuraJson::projectedCluster;

  private final JsonRecords records;
  private final RowParser<T> parser;

  public CheckpointReader(String name, InputStream in, RowParser<T> parser) throws IOException {
    this.records = new JsonRecords(name, in, ReadLimits.DEFAULT);
    this.parser = parser;
  }

  public static <T> CheckpointReader<T> open(Path file, RowParser<T> parser) throws IOException {
    return new CheckpointReader<>(file.toString(), Files.newInputStream(file), parser);
  }

  @Override
  public boolean hasNext() {
    return records.hasNext();
  }

  @Override
  public Parsed<T> next() {
    if (!hasNext()) throw new NoSuchElementException();
    JsonRecords.Item item = records.next();
    if (item.failure() != null) return Parsed.failed(item.failure());
    try {
      return Parsed.ok(item.where(), parser.parse(item.node()));
    } catch (RecordException e) {
      return Parsed.failed(
          new ReadFailure(item.where(), e.reason(), JsonRecords.excerpt(item.node().toString())));
    }
  }

  @Override
  public void close() throws IOException {
    records.close();
  }
}
