package io.hfbeam.llm;

import java.io.IOException;
import java.util.List;

/**
 * Text -> vector, whatever computes it: the offline model in the jar ({@link LocalEmbeddings}) or
 * an OpenAI-compatible {@code /v1/embeddings} endpoint ({@link OpenAiEmbedder}). Implementations
 * are thread-safe and split large inputs into batches themselves.
 */
public interface Embedder {
  /**
   * One vector per text, in the order of {@code texts}, all of one dimension.
   *
   * @throws IllegalArgumentException when a text is null or blank (names its index)
   */
  Embeddings embed(List<String> texts) throws IOException, InterruptedException;

  /** The model's id, as a checkpoint's card and fingerprint record it. */
  String model();
}
