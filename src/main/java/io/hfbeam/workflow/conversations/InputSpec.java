package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.ChatMapping;
import io.hfbeam.conversations.ConversationFormat;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/**
 * How the input's records become conversations, serializable for the workers: a named format, or
 * {@code mapped} with the fields of {@link ChatMapping} (OpenAI's names unless given).
 *
 * @param format auto (detected from the first record of each file), kura, claude, openai, sharegpt
 *     or mapped
 */
public record InputSpec(
    String format,
    String chatIdField,
    String createdAtField,
    String messagesField,
    String roleKey,
    String contentKey,
    List<String> metadataFields)
    implements Serializable {
  public static final List<String> FORMATS =
      List.of("auto", "kura", "claude", "openai", "sharegpt", "mapped");

  public InputSpec {
    format = format == null ? "auto" : format.toLowerCase(Locale.ROOT);
    if (!FORMATS.contains(format)) {
      throw new IllegalArgumentException(
          "--format must be one of " + String.join(", ", FORMATS) + ", got '" + format + "'");
    }
    metadataFields = metadataFields == null ? List.of() : List.copyOf(metadataFields);
    boolean fields =
        chatIdField != null
            || createdAtField != null
            || messagesField != null
            || roleKey != null
            || contentKey != null
            || !metadataFields.isEmpty();
    if (fields && !format.equals("mapped") && !format.equals("auto")) {
      throw new IllegalArgumentException(
          "--chat-id-field, --messages-field and the other field flags are for --format mapped");
    }
    if (fields) format = "mapped";
  }

  public static InputSpec auto() {
    return new InputSpec("auto", null, null, null, null, null, null);
  }

  /** The format; null for auto (each file's first record decides). */
  public ConversationFormat conversationFormat() {
    return switch (format) {
      case "kura" -> ConversationFormat.kura();
      case "claude" -> ConversationFormat.claude();
      case "openai" -> ConversationFormat.openAi();
      case "sharegpt" -> ConversationFormat.shareGpt();
      case "mapped" -> ConversationFormat.mapped(mapping());
      default -> null;
    };
  }

  private ChatMapping mapping() {
    ChatMapping o = ChatMapping.OPENAI;
    return new ChatMapping(
        or(chatIdField, o.chatIdField()),
        or(createdAtField, o.createdAtField()),
        or(messagesField, o.messagesField()),
        or(roleKey, o.roleKey()),
        or(contentKey, o.contentKey()),
        o.messageTimeKey(),
        metadataFields,
        o.roles(),
        o.missingTime());
  }

  private static String or(String a, String b) {
    return a != null ? a : b;
  }

  /** What went into reading, for the fingerprint and the card. */
  public String describe() {
    return format.equals("mapped")
        ? "mapped(chat_id="
            + chatIdField
            + ", created_at="
            + createdAtField
            + ", messages="
            + messagesField
            + ", role="
            + roleKey
            + ", content="
            + contentKey
            + ", metadata="
            + metadataFields
            + ")"
        : format;
  }
}
