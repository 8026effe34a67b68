package io.hfbeam.conversations;

import java.io.IOException;
import java.io.Writer;
import java.util.Iterator;
import java.util.Map;

/**
 * Kura's conversation dump, as {@code Conversation.generate_conversation_dump} writes it: one JSON
 * array of {@code model_dump(mode="json")} dicts through Python's {@code json.dump}, so with
 * Python's separators ({@code ", "} and {@code ": "}), non-ASCII escaped ({@code ensure_ascii}),
 * and floats as Python's repr (not pydantic's: json.dump formats the floats itself). Written one
 * conversation at a time.
 */
public final class KuraDump {
  private KuraDump() {}

  public static void write(Iterator<Conversation> conversations, Writer out) throws IOException {
    out.write('[');
    boolean first = true;
    StringBuilder b = new StringBuilder(1024);
    while (conversations.hasNext()) {
      Conversation c = conversations.next();
      b.setLength(0);
      if (!first) b.append(", ");
      first = false;
      b.append("{\"chat_id\": ");
      str(b, c.chatId());
      b.append(", \"created_at\": ");
      str(b, c.createdAt().toString());
      b.append(", \"messages\": [");
      for (int i = 0; i < c.messages().size(); i++) {
        Message m = c.messages().get(i);
        if (i > 0) b.append(", ");
        b.append("{\"created_at\": ");
        str(b, m.createdAt().toString());
        b.append(", \"role\": ");
        str(b, m.role().wire());
        b.append(", \"content\": ");
        str(b, m.content());
        b.append('}');
      }
      b.append("], \"metadata\": ");
      value(b, c.metadata());
      b.append('}');
      out.append(b);
    }
    out.write(']');
  }

  private static void value(StringBuilder b, JsonValue v) {
    if (v instanceof JsonValue.Str s) {
      str(b, s.value());
    } else if (v instanceof JsonValue.Int i) {
      b.append(i.value());
    } else if (v instanceof JsonValue.Real r) {
      b.append(io.hfbeam.hf.PyJson.floatRepr(r.value()));
    } else if (v instanceof JsonValue.Bool bo) {
      b.append(bo.value() ? "true" : "false");
    } else if (v instanceof JsonValue.Null) {
      b.append("null");
    } else if (v instanceof JsonValue.Arr a) {
      b.append('[');
      for (int i = 0; i < a.items().size(); i++) {
        if (i > 0) b.append(", ");
        value(b, a.items().get(i));
      }
      b.append(']');
    } else if (v instanceof JsonValue.Obj o) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonValue> e : o.fields().entrySet()) {
        if (!first) b.append(", ");
        first = false;
        str(b, e.getKey());
        b.append(": ");
        value(b, e.getValue());
      }
      b.append('}');
    }
  }

  /** Python's json string with ensure_ascii: every char outside ASCII as a lowercase escape. */
  private static void str(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        default -> {
          if (c < 0x20 || c > 0x7e) {
            b.append("\\u");
            String hex = Integer.toHexString(c);
            for (int k = hex.length(); k < 4; k++) b.append('0');
            b.append(hex);
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
