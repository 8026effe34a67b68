package io.hfbeam.llm;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An {@link Embedder} on an OpenAI-compatible {@code /v1/embeddings}: texts go in requests of at
 * most {@code batchSize} (Kura sends 50), one after the other through the client, which already
 * limits concurrency and paces on 429s.
 */
public final class OpenAiEmbedder implements Embedder {
  private final OpenAiClient client;
  private final String model;
  private final int batchSize;

  public OpenAiEmbedder(OpenAiClient client, String model, int batchSize) {
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
    this.client = client;
    this.model = model;
    this.batchSize = batchSize;
  }

  @Override
  public Embeddings embed(List<String> texts) throws IOException, InterruptedException {
    LocalEmbeddings.checkTexts(texts);
    List<float[]> vectors = new ArrayList<>(texts.size());
    long tokens = 0;
    String answered = model;
    for (int from = 0; from < texts.size(); from += batchSize) {
      Embeddings part =
          client.embeddings(model, texts.subList(from, Math.min(texts.size(), from + batchSize)));
      if (!vectors.isEmpty() && part.dimension() != vectors.get(0).length) {
        throw new IOException(
            "the server changed dimension between batches: "
                + vectors.get(0).length
                + " then "
                + part.dimension());
      }
      vectors.addAll(List.of(part.vectors()));
      tokens += part.promptTokens();
      answered = part.model();
    }
    return new Embeddings(vectors.toArray(new float[0][]), tokens, answered);
  }

  @Override
  public String model() {
    return model;
  }
}
