package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A conversation of a Claude.ai export, mapped as Kura's {@code from_claude_conversation_dump}
 * does: {@code uuid} -> chat_id, the conversation's {@code created_at}, {@code chat_messages}
 * sorted by (created_at, human first), sender {@code human} -> user, content = the {@code text}
 * items of {@code content} joined by newlines (other items, such as tool use, are left out as Kura
 * leaves them out), metadata {} (Kura's default).
 *
 * <p>Differences, each so that nothing changes silently: a sender other than {@code human} or
 * {@code assistant} is refused (Kura would call it assistant); a message without {@code content}
 * uses its {@code text} field (older exports have only that; Kura would fail); a conversation
 * mixing naive and zoned message times is refused (Python cannot sort them either).
 */
final class ClaudeExport {
  private ClaudeExport() {}

  private record Raw(KuraTime at, int senderRank, Role role, String content) {}

  static Conversation conversation(JsonNode n, Location where) throws RecordException {
    if (n == null || !n.isObject()) throw new RecordException("record: expected an object");
    String chatId = KuraJson.requiredString(n, "uuid", "");
    KuraTime createdAt = KuraJson.time(n, "created_at");
    JsonNode ms = n.get("chat_messages");
    if (ms == null || !ms.isArray()) {
      throw new RecordException("chat_messages: " + KuraJson.kind(ms) + ", expected a list");
    }
    List<Raw> raw = new ArrayList<>(ms.size());
    Boolean aware = null;
    for (int i = 0; i < ms.size(); i++) {
      String at = "chat_messages[" + i + "].";
      JsonNode m = ms.get(i);
      if (!m.isObject()) throw new RecordException(at + ": expected an object");
      KuraTime t = KuraJson.time(m, "created_at", at);
      if (aware != null && aware != t.isAware()) {
        throw new RecordException(
            at + "created_at: naive and zoned times mixed in one conversation");
      }
      aware = t.isAware();
      String sender = KuraJson.requiredString(m, "sender", at);
      Role role;
      if (sender.equals("human")) role = Role.USER;
      else if (sender.equals("assistant")) role = Role.ASSISTANT;
      else {
        throw new RecordException(
            at + "sender: '" + KuraJson.clip(sender) + "' (expected 'human' or 'assistant')");
      }
      raw.add(new Raw(t, role == Role.USER ? 0 : 1, role, content(m, at)));
    }
    // stable sort: Python's sorted() keeps equal keys in input order too
    raw.sort(Comparator.comparing(Raw::at).thenComparingInt(Raw::senderRank));
    List<Message> messages = new ArrayList<>(raw.size());
    for (Raw r : raw) messages.add(new Message(r.at(), r.role(), r.content()));
    return new Conversation(chatId, createdAt, messages, JsonValue.Obj.EMPTY);
  }

  private static String content(JsonNode m, String at) throws RecordException {
    JsonNode items = m.get("content");
    if (items == null || items.isNull()) {
      JsonNode text = m.get("text");
      if (text == null || !text.isTextual()) {
        throw new RecordException(at + "content: missing, and no text field");
      }
      return KuraJson.checked(text.textValue(), at + "text");
    }
    if (!items.isArray()) {
      throw new RecordException(at + "content: " + KuraJson.kind(items) + ", expected a list");
    }
    StringBuilder b = new StringBuilder();
    boolean first = true;
    for (int j = 0; j < items.size(); j++) {
      JsonNode item = items.get(j);
      JsonNode type = item.get("type");
      if (type == null || !type.isTextual() || !type.textValue().equals("text")) continue;
      JsonNode text = item.get("text");
      if (text == null || !text.isTextual()) {
        throw new RecordException(
            at + "content[" + j + "].text: " + KuraJson.kind(text) + ", expected a string");
      }
      if (!first) b.append('\n');
      first = false;
      b.append(KuraJson.checked(text.textValue(), at + "content[" + j + "].text"));
    }
    return b.toString();
  }
}
