package io.hfbeam.conversations;

import java.util.Arrays;
import java.util.Objects;

/**
 * One row of the {@code embeddings} stage (Kura never persists these): the conversation's id, its
 * vector as float32 (what embedding models return) and the model that made it.
 */
public record Embedding(String chatId, float[] vector, String model) {
  public Embedding {
    Objects.requireNonNull(chatId, "chat_id");
    Objects.requireNonNull(model, "model");
    vector = vector.clone();
    for (float f : vector) {
      if (!Float.isFinite(f)) throw new IllegalArgumentException("non-finite value in embedding");
    }
  }

  @Override
  public float[] vector() {
    return vector.clone();
  }

  public int dimensions() {
    return vector.length;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Embedding e
        && chatId.equals(e.chatId)
        && model.equals(e.model)
        && Arrays.equals(vector, e.vector);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chatId, model, Arrays.hashCode(vector));
  }

  @Override
  public String toString() {
    return "Embedding[" + chatId + ", " + vector.length + " dims, " + model + "]";
  }
}
