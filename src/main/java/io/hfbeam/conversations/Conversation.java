package io.hfbeam.conversations;

import java.util.List;
import java.util.Objects;

/**
 * Kura's {@code Conversation}. {@code metadata} holds only Kura's value types (str, int, float,
 * bool, list[str], list[int], list[float]), each kept as given: checked by {@link
 * KuraJson#checkConversationMetadata}.
 */
public record Conversation(
    String chatId, KuraTime createdAt, List<Message> messages, JsonValue.Obj metadata) {
  public Conversation {
    Objects.requireNonNull(chatId, "chat_id");
    Objects.requireNonNull(createdAt, "created_at");
    messages = List.copyOf(messages);
    Objects.requireNonNull(metadata, "metadata");
  }
}
