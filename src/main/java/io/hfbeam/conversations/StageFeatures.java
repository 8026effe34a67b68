package io.hfbeam.conversations;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.util.LinkedHashMap;

/**
 * The Hugging Face features of each checkpoint stage, Kura's field names in Kura's order, types
 * exact: Python str -> string, int -> int64 (scores, 1..5, -> int8), float -> float64, optional
 * fields nullable (every datasets column is), lists as variable-length sequences (a null list and
 * an empty list stay apart in Parquet). Kura's untyped summary metadata is a datasets {@code Json}
 * column; conversations follow their {@link ConversationLayout}.
 */
public final class StageFeatures {
  public static final String CONVERSATIONS = "conversations";
  public static final String SUMMARIES = "summaries";
  public static final String EMBEDDINGS = "embeddings";
  public static final String CLUSTERS = "clusters";
  public static final String META_CLUSTERS = "meta_clusters";
  public static final String DIMENSIONALITY = "dimensionality";

  private StageFeatures() {}

  private static Feature string() {
    return new Feature.Value("string");
  }

  private static Feature strings() {
    return new Feature.Sequence(string());
  }

  public static Features conversations(ConversationLayout layout) {
    LinkedHashMap<String, Feature> message = new LinkedHashMap<>();
    message.put("created_at", layout.time().feature());
    message.put("role", string()); // Literal["user", "assistant"]: the reader refuses others
    message.put("content", string());
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("chat_id", string());
    f.put("created_at", layout.time().feature());
    f.put("messages", new Feature.Sequence(new Feature.Struct(message)));
    f.put("metadata", layout.metadataFeature());
    return Features.of(f);
  }

  public static Features summaries() {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("summary", string());
    f.put("request", string());
    f.put("topic", string());
    f.put("languages", strings());
    f.put("task", string());
    f.put("concerning_score", new Feature.Value("int8"));
    f.put("user_frustration", new Feature.Value("int8"));
    f.put("assistant_errors", strings());
    f.put("chat_id", string());
    f.put("metadata", new Feature.Json());
    f.put("embedding", new Feature.Sequence(new Feature.Value("float64")));
    return Features.of(f);
  }

  /**
   * Embeddings (persisted, unlike Kura): float32 as the models give them; {@code dimensions} fixes
   * the list length (-1: variable).
   */
  public static Features embeddings(int dimensions) {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("chat_id", string());
    f.put("embedding", new Feature.Sequence(new Feature.Value("float32"), dimensions));
    f.put("model", string());
    return Features.of(f);
  }

  /** Base clusters and meta clusters alike (Kura's {@code Cluster}, {@code count} included). */
  public static Features clusters() {
    return Features.of(clusterFields(false));
  }

  /** Kura's {@code ProjectedCluster}. */
  public static Features dimensionality() {
    return Features.of(clusterFields(true));
  }

  private static LinkedHashMap<String, Feature> clusterFields(boolean projected) {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("id", string());
    f.put("name", string());
    f.put("description", string());
    f.put("slug", string());
    f.put("chat_ids", strings());
    f.put("parent_id", string());
    if (projected) {
      f.put("x_coord", new Feature.Value("float64"));
      f.put("y_coord", new Feature.Value("float64"));
      f.put("level", new Feature.Value("int64"));
    }
    f.put("count", new Feature.Value("int64"));
    return f;
  }

  /** The features of a stage by its name (conversations with the safe layout). */
  public static Features of(String stage, int embeddingDimensions) {
    return switch (stage) {
      case CONVERSATIONS -> conversations(ConversationLayout.SAFE);
      case SUMMARIES -> summaries();
      case EMBEDDINGS -> embeddings(embeddingDimensions);
      case CLUSTERS, META_CLUSTERS -> clusters();
      case DIMENSIONALITY -> dimensionality();
      default -> throw new IllegalArgumentException("no stage " + stage);
    };
  }
}
