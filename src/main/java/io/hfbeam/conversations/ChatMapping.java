package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Any chat record, read through a mapping of its fields: the chat id, the created_at, the list of
 * messages with their role, content and (optional) time keys, the metadata fields, and what each
 * role name means. OpenAI chat JSONL and ShareGPT are two presets.
 *
 * <p>Decisions, since Kura allows only user and assistant messages and every record needs a time:
 *
 * <ul>
 *   <li>A {@link Target#SYSTEM} role ({@code system}, {@code developer}) is an instruction, not a
 *       turn: its text goes to metadata {@code system_prompt} (several joined by a blank line), so
 *       nothing is lost and the messages stay user|assistant. A record that already has that key is
 *       refused.
 *   <li>Any role not in the map ({@code tool}, {@code function}, ...) makes the record a located
 *       failure: a tool result is neither the user's nor the assistant's words.
 *   <li>Content is a string, or a list of parts whose {@code text} parts are joined by newlines; a
 *       part of another type (an image) or a null content is refused, never dropped.
 *   <li>No id field in the record: chat_id is {@code FILE:LINE} (or {@code FILE:LINE[INDEX]} in a
 *       JSON array). An integer id is written in decimal.
 *   <li>No time: the conversation's is {@link #missingTime} (default 1970-01-01T00:00:00, naive,
 *       meaning "unknown"), a message's is the conversation's.
 * </ul>
 */
public record ChatMapping(
    String chatIdField,
    String createdAtField,
    String messagesField,
    String roleKey,
    String contentKey,
    String messageTimeKey,
    List<String> metadataFields,
    Map<String, Target> roles,
    KuraTime missingTime)
    implements ConversationFormat {

  /** What a role name of the input means. */
  public enum Target {
    USER,
    ASSISTANT,
    SYSTEM
  }

  public static final KuraTime UNKNOWN_TIME = KuraTime.parse("1970-01-01T00:00:00");

  public static final ChatMapping OPENAI =
      new ChatMapping(
          "id",
          "created_at",
          "messages",
          "role",
          "content",
          "created_at",
          List.of(),
          Map.of(
              "user", Target.USER,
              "assistant", Target.ASSISTANT,
              "system", Target.SYSTEM,
              "developer", Target.SYSTEM),
          UNKNOWN_TIME);

  public static final ChatMapping SHAREGPT =
      new ChatMapping(
          "id",
          "created_at",
          "conversations",
          "from",
          "value",
          null,
          List.of(),
          Map.of(
              "human", Target.USER,
              "user", Target.USER,
              "gpt", Target.ASSISTANT,
              "chatgpt", Target.ASSISTANT,
              "assistant", Target.ASSISTANT,
              "system", Target.SYSTEM),
          UNKNOWN_TIME);

  public ChatMapping {
    Objects.requireNonNull(messagesField, "messagesField");
    Objects.requireNonNull(roleKey, "roleKey");
    Objects.requireNonNull(contentKey, "contentKey");
    metadataFields = List.copyOf(metadataFields);
    roles = Map.copyOf(roles);
    Objects.requireNonNull(missingTime, "missingTime");
  }

  /** This mapping with other metadata fields. */
  public ChatMapping withMetadataFields(List<String> fields) {
    return new ChatMapping(
        chatIdField,
        createdAtField,
        messagesField,
        roleKey,
        contentKey,
        messageTimeKey,
        fields,
        roles,
        missingTime);
  }

  @Override
  public Conversation map(JsonNode n, Location where) throws RecordException {
    if (n == null || !n.isObject()) {
      throw new RecordException("record: " + KuraJson.kind(n) + ", expected an object");
    }
    String chatId = chatId(n, where);
    KuraTime createdAt = missingTime;
    if (createdAtField != null && n.hasNonNull(createdAtField)) {
      createdAt = KuraJson.time(n, createdAtField);
    }
    JsonNode ms = n.get(messagesField);
    if (ms == null || !ms.isArray()) {
      throw new RecordException(messagesField + ": " + KuraJson.kind(ms) + ", expected a list");
    }
    List<Message> messages = new ArrayList<>(ms.size());
    List<String> system = new ArrayList<>();
    for (int i = 0; i < ms.size(); i++) {
      String at = messagesField + "[" + i + "].";
      JsonNode m = ms.get(i);
      if (!m.isObject()) throw new RecordException(at + ": expected an object");
      String role = KuraJson.requiredString(m, roleKey, at);
      Target target = roles.get(role);
      if (target == null) {
        throw new RecordException(
            at
                + roleKey
                + ": '"
                + KuraJson.clip(role)
                + "' is not a role this mapping knows "
                + roles.keySet().stream().sorted().toList()
                + " (Kura allows only user and assistant)");
      }
      String content = content(m.get(contentKey), at + contentKey);
      if (target == Target.SYSTEM) {
        system.add(content);
        continue;
      }
      KuraTime t = createdAt;
      if (messageTimeKey != null && m.hasNonNull(messageTimeKey)) {
        t = KuraJson.time(m, messageTimeKey, at);
      }
      messages.add(new Message(t, target == Target.USER ? Role.USER : Role.ASSISTANT, content));
    }
    LinkedHashMap<String, JsonValue> metadata = new LinkedHashMap<>();
    for (String f : metadataFields) {
      JsonNode v = n.get(f);
      if (v == null) continue; // absent stays absent: Kura has no null metadata
      metadata.put(f, KuraJson.toValue(v, "metadata." + f));
    }
    if (!system.isEmpty()) {
      if (metadata.containsKey("system_prompt")) {
        throw new RecordException("metadata.system_prompt: the record has one already");
      }
      metadata.put("system_prompt", new JsonValue.Str(String.join("\n\n", system)));
    }
    return new Conversation(
        chatId,
        createdAt,
        messages,
        KuraJson.checkConversationMetadata(new JsonValue.Obj(metadata)));
  }

  private String chatId(JsonNode n, Location where) throws RecordException {
    JsonNode id = chatIdField == null ? null : n.get(chatIdField);
    if (id == null || id.isNull()) {
      return where.index() < 0
          ? where.file() + ":" + where.line()
          : where.file() + ":" + where.line() + "[" + where.index() + "]";
    }
    if (id.isTextual()) return KuraJson.checked(id.textValue(), chatIdField);
    if (id.isIntegralNumber()) return id.bigIntegerValue().toString();
    throw new RecordException(
        chatIdField + ": " + KuraJson.kind(id) + ", expected a string or integer id");
  }

  private static String content(JsonNode c, String at) throws RecordException {
    if (c == null || c.isNull())
      throw new RecordException(at + ": " + KuraJson.kind(c) + ", expected text");
    if (c.isTextual()) return KuraJson.checked(c.textValue(), at);
    if (!c.isArray()) throw new RecordException(at + ": " + KuraJson.kind(c) + ", expected text");
    StringBuilder b = new StringBuilder();
    for (int j = 0; j < c.size(); j++) {
      JsonNode part = c.get(j);
      JsonNode type = part.get("type");
      JsonNode text = part.get("text");
      if (type == null || !"text".equals(type.asText()) || text == null || !text.isTextual()) {
        throw new RecordException(
            at
                + "["
                + j
                + "]: a "
                + (type == null ? "untyped" : "'" + KuraJson.clip(type.asText()) + "'")
                + " part; only text parts can be a Kura message");
      }
      if (j > 0) b.append('\n');
      b.append(KuraJson.checked(text.textValue(), at + "[" + j + "].text"));
    }
    return b.toString();
  }
}
