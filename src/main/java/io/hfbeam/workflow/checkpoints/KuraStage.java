package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.conversations.CheckpointReader;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ConversationSummary;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.RecordException;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/**
 * One Kura checkpoint stage as these tools see it: the file names Kura wrote it under (newest
 * first), how a line is read and written (KuraJson), how a row of the stage's features is made and
 * read back (StageRows), and the key that must be unique in it.
 *
 * <p>Accepted file names, from kura.md §3.3: the JSONL manager's {@code STAGE.jsonl}; the class
 * API's {@code conversations.json} (a JSON array, Kura's conversation dump); the legacy {@code
 * CheckpointManager}'s extension-less {@code STAGE}; the first server's {@code
 * dimensionality_checkpoints.json}. The embeddings stage has no Kura file (Kura never saves them).
 */
public final class KuraStage<T> {
  /** Reads one row of the stage's features (a JSON tree) back into the stage's object. */
  @FunctionalInterface
  interface RowReader<T> {
    T read(JsonNode row, Features features) throws RecordException;
  }

  @FunctionalInterface
  interface RowMaker<T> {
    JsonNode row(T item, Features features);
  }

  public static final KuraStage<Conversation> CONVERSATIONS =
      new KuraStage<>(
          StageFeatures.CONVERSATIONS,
          List.of("conversations.jsonl", "conversations.json", "conversations"),
          "chat_id",
          KuraJson::conversation,
          KuraJson::write,
          (c, f) -> StageRows.row(c, layoutOf(f)),
          (r, f) -> StageRows.conversation(r, layoutOf(f)),
          Conversation::chatId);

  public static final KuraStage<ConversationSummary> SUMMARIES =
      new KuraStage<>(
          StageFeatures.SUMMARIES,
          List.of("summaries.jsonl", "summaries"),
          "chat_id",
          KuraJson::summary,
          KuraJson::write,
          (s, f) -> StageRows.row(s),
          (r, f) -> StageRows.summary(r),
          ConversationSummary::chatId);

  public static final KuraStage<Cluster> CLUSTERS =
      new KuraStage<>(
          StageFeatures.CLUSTERS,
          List.of("clusters.jsonl", "clusters"),
          "id",
          KuraJson::cluster,
          KuraJson::write,
          (c, f) -> StageRows.row(c),
          (r, f) -> StageRows.cluster(r),
          Cluster::id);

  public static final KuraStage<Cluster> META_CLUSTERS =
      new KuraStage<>(
          StageFeatures.META_CLUSTERS,
          List.of("meta_clusters.jsonl", "meta_clusters"),
          "id",
          KuraJson::cluster,
          KuraJson::write,
          (c, f) -> StageRows.row(c),
          (r, f) -> StageRows.cluster(r),
          Cluster::id);

  public static final KuraStage<ProjectedCluster> DIMENSIONALITY =
      new KuraStage<>(
          StageFeatures.DIMENSIONALITY,
          List.of("dimensionality.jsonl", "dimensionality_checkpoints.json", "dimensionality"),
          "id",
          KuraJson::projectedCluster,
          KuraJson::write,
          (p, f) -> StageRows.row(p),
          (r, f) -> StageRows.projectedCluster(r),
          ProjectedCluster::id);

  /** Every stage Kura writes, in pipeline order. */
  public static final List<KuraStage<?>> ALL =
      List.of(CONVERSATIONS, SUMMARIES, CLUSTERS, META_CLUSTERS, DIMENSIONALITY);

  private final String name;
  private final List<String> fileNames;
  private final String keyField;
  private final CheckpointReader.RowParser<T> parser;
  private final java.util.function.Function<T, String> writer;
  private final RowMaker<T> rowMaker;
  private final RowReader<T> rowReader;
  private final java.util.function.Function<T, String> key;

  private KuraStage(
      String name,
      List<String> fileNames,
      String keyField,
      CheckpointReader.RowParser<T> parser,
      java.util.function.Function<T, String> writer,
      RowMaker<T> rowMaker,
      RowReader<T> rowReader,
      java.util.function.Function<T, String> key) {
    this.name = name;
    this.fileNames = fileNames;
    this.keyField = keyField;
    this.parser = parser;
    this.writer = writer;
    this.rowMaker = rowMaker;
    this.rowReader = rowReader;
    this.key = key;
  }

  public String name() {
    return name;
  }

  public List<String> fileNames() {
    return fileNames;
  }

  /** The field that must be unique within the stage ({@code chat_id} or {@code id}). */
  public String keyField() {
    return keyField;
  }

  public CheckpointReader.RowParser<T> parser() {
    return parser;
  }

  /** Kura's line for an object (pydantic's {@code model_dump_json()} bytes, no newline). */
  public String write(T item) {
    return writer.apply(item);
  }

  public JsonNode row(T item, Features features) {
    return rowMaker.row(item, features);
  }

  public T fromRow(JsonNode row, Features features) throws RecordException {
    return rowReader.read(row, features);
  }

  public String key(T item) {
    return key.apply(item);
  }

  /** Kura's file of this stage in {@code dir}: the first accepted name that is a regular file. */
  public Optional<Path> fileIn(Path dir) {
    for (String n : fileNames) {
      Path f = dir.resolve(n);
      if (Files.isRegularFile(f)) return Optional.of(f);
    }
    return Optional.empty();
  }

  /** The stage's features; conversations need their layout. */
  public Features features(ConversationLayout layout) {
    return name.equals(StageFeatures.CONVERSATIONS)
        ? StageFeatures.conversations(layout)
        : StageFeatures.of(name, -1);
  }

  public static Optional<KuraStage<?>> named(String stage) {
    return ALL.stream().filter(s -> s.name.equals(stage)).findFirst();
  }

  /**
   * The conversation layout a stage's features were written with (the inverse of {@link
   * StageFeatures#conversations}).
   */
  static ConversationLayout layoutOf(Features f) {
    Feature t = f.get("created_at");
    String dtype = t instanceof Feature.Value v ? v.dtype() : "string";
    ConversationLayout.Time time =
        switch (dtype) {
          case "timestamp[us]" -> ConversationLayout.Time.NAIVE;
          case "timestamp[us, tz=UTC]" -> ConversationLayout.Time.UTC;
          default -> ConversationLayout.Time.TEXT;
        };
    Feature md = f.get("metadata");
    LinkedHashMap<String, Feature> cols = md instanceof Feature.Struct s ? s.fields() : null;
    return new ConversationLayout(time, cols);
  }

  @Override
  public String toString() {
    return name;
  }
}
