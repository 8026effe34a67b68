package io.hfbeam.llm;

/**
 * Embedding vectors in the order of the input texts, with what they cost.
 *
 * @param vectors one vector per input text, all of one dimension
 * @param promptTokens input tokens from the answer's {@code usage} (0 when the server gives none)
 * @param model the model that answered
 */
public record Embeddings(float[][] vectors, long promptTokens, String model) {
  public int dimension() {
    return vectors.length == 0 ? 0 : vectors[0].length;
  }
}
