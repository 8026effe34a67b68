package io.hfbeam.conversations;

import java.util.List;
import java.util.Objects;

/**
 * Kura's {@code ConversationSummary}, fields in Kura's order. Every field but {@code summary},
 * {@code chat_id} and {@code metadata} may be null; a null list and an empty list are different
 * values. Scores are 1..5 when present. {@code metadata} is an untyped dict in Kura (any JSON).
 */
public record ConversationSummary(
    String summary,
    String request,
    String topic,
    List<String> languages,
    String task,
    Integer concerningScore,
    Integer userFrustration,
    List<String> assistantErrors,
    String chatId,
    JsonValue.Obj metadata,
    List<Double> embedding) {
  public ConversationSummary {
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(chatId, "chat_id");
    Objects.requireNonNull(metadata, "metadata");
    languages = languages == null ? null : List.copyOf(languages);
    assistantErrors = assistantErrors == null ? null : List.copyOf(assistantErrors);
    embedding = embedding == null ? null : List.copyOf(embedding);
    checkScore("concerning_score", concerningScore);
    checkScore("user_frustration", userFrustration);
  }

  private static void checkScore(String name, Integer v) {
    if (v != null && (v < 1 || v > 5)) {
      throw new IllegalArgumentException(name + " must be 1..5, got " + v);
    }
  }
}
