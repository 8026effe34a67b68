package io.hfbeam.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kura's JSON forms of its types: writing exactly the bytes pydantic v2's {@code model_dump_json()}
 * writes (compact separators, declared field order, {@code count} emitted, non-ASCII as raw UTF-8,
 * datetimes as {@link KuraTime}, floats as pydantic formats them) and reading them back with every
 * refusal located by field.
 *
 * <p>Reading is stricter than pydantic where pydantic would change a value silently: unknown fields
 * (pydantic drops them), strings for numbers, {@code count} that is not {@code len(chat_ids)},
 * lists of booleans in conversation metadata (pydantic turns {@code true} into {@code 1}), unpaired
 * surrogates (not valid Unicode; pydantic refuses them too).
 */
public final class KuraJson {
  /** Largest integer a float holds exactly: a wider int in a list[float] would change. */
  private static final BigInteger EXACT_IN_DOUBLE = BigInteger.ONE.shiftLeft(53);

  private static final Set<String> MESSAGE_FIELDS = Set.of("created_at", "role", "content");
  private static final Set<String> CONVERSATION_FIELDS =
      Set.of("chat_id", "created_at", "messages", "metadata");
  private static final Set<String> SUMMARY_FIELDS =
      Set.of(
          "summary",
          "request",
          "topic",
          "languages",
          "task",
          "concerning_score",
          "user_frustration",
          "assistant_errors",
          "chat_id",
          "metadata",
          "embedding");
  private static final Set<String> CLUSTER_FIELDS =
      Set.of("id", "name", "description", "slug", "chat_ids", "parent_id", "count");
  private static final Set<String> PROJECTED_FIELDS =
      Set.of(
          "id",
          "name",
          "description",
          "slug",
          "chat_ids",
          "parent_id",
          "x_coord",
          "y_coord",
          "level",
          "count");

  private KuraJson() {}

  // ------------------------------------------------------------------------------------ writing

  public static String write(Conversation c) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"chat_id\":");
    str(b, c.chatId());
    b.append(",\"created_at\":");
    str(b, c.createdAt().toString());
    b.append(",\"messages\":[");
    for (int i = 0; i < c.messages().size(); i++) {
      Message m = c.messages().get(i);
      if (i > 0) b.append(',');
      b.append("{\"created_at\":");
      str(b, m.createdAt().toString());
      b.append(",\"role\":");
      str(b, m.role().wire());
      b.append(",\"content\":");
      str(b, m.content());
      b.append('}');
    }
    b.append("],\"metadata\":");
    value(b, c.metadata());
    return b.append('}').toString();
  }

  public static String write(ConversationSummary s) {
    StringBuilder b = new StringBuilder(256);
    b.append("{\"summary\":");
    str(b, s.summary());
    b.append(",\"request\":");
    str(b, s.request());
    b.append(",\"topic\":");
    str(b, s.topic());
    b.append(",\"languages\":");
    strings(b, s.languages());
    b.append(",\"task\":");
    str(b, s.task());
    b.append(",\"concerning_score\":").append(s.concerningScore());
    b.append(",\"user_frustration\":").append(s.userFrustration());
    b.append(",\"assistant_errors\":");
    strings(b, s.assistantErrors());
    b.append(",\"chat_id\":");
    str(b, s.chatId());
    b.append(",\"metadata\":");
    value(b, s.metadata());
    b.append(",\"embedding\":");
    if (s.embedding() == null) {
      b.append("null");
    } else {
      b.append('[');
      for (int i = 0; i < s.embedding().size(); i++) {
        if (i > 0) b.append(',');
        b.append(floatText(s.embedding().get(i)));
      }
      b.append(']');
    }
    return b.append('}').toString();
  }

  public static String write(Cluster c) {
    StringBuilder b = new StringBuilder(256);
    clusterFields(b, c);
    b.append(",\"count\":").append(c.count());
    return b.append('}').toString();
  }

  public static String write(ProjectedCluster p) {
    StringBuilder b = new StringBuilder(256);
    clusterFields(b, p.cluster());
    b.append(",\"x_coord\":").append(floatText(p.xCoord()));
    b.append(",\"y_coord\":").append(floatText(p.yCoord()));
    b.append(",\"level\":").append(p.level());
    b.append(",\"count\":").append(p.cluster().count());
    return b.append('}').toString();
  }

  private static void clusterFields(StringBuilder b, Cluster c) {
    b.append("{\"id\":");
    str(b, c.id());
    b.append(",\"name\":");
    str(b, c.name());
    b.append(",\"description\":");
    str(b, c.description());
    b.append(",\"slug\":");
    str(b, c.slug());
    b.append(",\"chat_ids\":");
    strings(b, c.chatIds());
    b.append(",\"parent_id\":");
    str(b, c.parentId());
  }

  /** A JSON value in pydantic's compact form. */
  public static void value(StringBuilder b, JsonValue v) {
    if (v instanceof JsonValue.Str s) {
      str(b, s.value());
    } else if (v instanceof JsonValue.Int i) {
      b.append(i.value());
    } else if (v instanceof JsonValue.Real r) {
      b.append(floatText(r.value()));
    } else if (v instanceof JsonValue.Bool bo) {
      b.append(bo.value());
    } else if (v instanceof JsonValue.Null) {
      b.append("null");
    } else if (v instanceof JsonValue.Arr a) {
      b.append('[');
      for (int i = 0; i < a.items().size(); i++) {
        if (i > 0) b.append(',');
        value(b, a.items().get(i));
      }
      b.append(']');
    } else if (v instanceof JsonValue.Obj o) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, JsonValue> e : o.fields().entrySet()) {
        if (!first) b.append(',');
        first = false;
        str(b, e.getKey());
        b.append(':');
        value(b, e.getValue());
      }
      b.append('}');
    }
  }

  public static String toText(JsonValue v) {
    StringBuilder b = new StringBuilder();
    value(b, v);
    return b.toString();
  }

  private static void strings(StringBuilder b, List<String> list) {
    if (list == null) {
      b.append("null");
      return;
    }
    b.append('[');
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) b.append(',');
      str(b, list.get(i));
    }
    b.append(']');
  }

  /** A string as serde_json (pydantic's writer) escapes it; null as {@code null}. */
  private static void str(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    // same escapes as Python's json with ensure_ascii=False: quote, backslash, \n \r \t \b \f,
    // other controls as lowercase backslash-u escapes; DEL and non-ASCII raw
    io.hfbeam.hf.PyJson.appendString(b, s);
  }

  /**
   * A float as pydantic 2.13 writes it: Python's repr, except that a negative exponent is written
   * without zero padding ({@code 1e-7}, Python {@code 1e-07}) and exponent -5 in plain digits
   * ({@code 0.000025}, Python {@code 2.5e-05}). Checked against pydantic on 300,000 floats.
   */
  public static String floatText(double d) {
    if (!Double.isFinite(d)) throw new IllegalArgumentException("not a finite float: " + d);
    String repr = io.hfbeam.hf.PyJson.floatRepr(d);
    int e = repr.indexOf("e-");
    if (e < 0) return repr;
    int exp = Integer.parseInt(repr.substring(e + 2));
    if (exp == 5) return new BigDecimal(repr).toPlainString();
    return repr.substring(0, e + 2) + exp;
  }

  // ------------------------------------------------------------------------------------ reading

  public static Conversation conversation(JsonNode n) throws RecordException {
    object(n, "", CONVERSATION_FIELDS);
    String chatId = requiredString(n, "chat_id");
    KuraTime createdAt = time(n, "created_at");
    JsonNode ms = required(n, "messages");
    if (!ms.isArray()) throw new RecordException("messages: " + kind(ms) + ", expected a list");
    List<Message> messages = new ArrayList<>(ms.size());
    for (int i = 0; i < ms.size(); i++) {
      String at = "messages[" + i + "]";
      JsonNode m = ms.get(i);
      object(m, at + ".", MESSAGE_FIELDS);
      KuraTime t = time(m, "created_at", at + ".");
      String roleText = requiredString(m, "role", at + ".");
      Role role = Role.ofWire(roleText);
      if (role == null) {
        throw new RecordException(
            at + ".role: '" + clip(roleText) + "' (Kura allows only 'user' and 'assistant')");
      }
      messages.add(new Message(t, role, requiredString(m, "content", at + ".")));
    }
    JsonNode md = required(n, "metadata");
    if (!md.isObject()) throw new RecordException("metadata: " + kind(md) + ", expected a dict");
    return new Conversation(
        chatId, createdAt, messages, checkConversationMetadata(toValue(md, "metadata")));
  }

  public static ConversationSummary summary(JsonNode n) throws RecordException {
    object(n, "", SUMMARY_FIELDS);
    JsonNode md = required(n, "metadata");
    if (!md.isObject()) throw new RecordException("metadata: " + kind(md) + ", expected a dict");
    List<Double> embedding = null;
    JsonNode e = n.get("embedding");
    if (e != null && !e.isNull()) {
      if (!e.isArray()) throw new RecordException("embedding: " + kind(e) + ", expected a list");
      embedding = new ArrayList<>(e.size());
      for (int i = 0; i < e.size(); i++)
        embedding.add(floatValue(e.get(i), "embedding[" + i + "]"));
    }
    return new ConversationSummary(
        requiredString(n, "summary"),
        optionalString(n, "request"),
        optionalString(n, "topic"),
        optionalStrings(n, "languages"),
        optionalString(n, "task"),
        score(n, "concerning_score"),
        score(n, "user_frustration"),
        optionalStrings(n, "assistant_errors"),
        requiredString(n, "chat_id"),
        (JsonValue.Obj) toValue(md, "metadata"),
        embedding);
  }

  public static Cluster cluster(JsonNode n) throws RecordException {
    object(n, "", CLUSTER_FIELDS);
    return clusterOf(n);
  }

  public static ProjectedCluster projectedCluster(JsonNode n) throws RecordException {
    object(n, "", PROJECTED_FIELDS);
    Cluster c = clusterOf(n);
    JsonNode level = required(n, "level");
    if (!level.isIntegralNumber() || !level.canConvertToLong()) {
      throw new RecordException("level: " + kind(level) + ", expected an integer");
    }
    return new ProjectedCluster(
        c,
        floatValue(required(n, "x_coord"), "x_coord"),
        floatValue(required(n, "y_coord"), "y_coord"),
        level.longValue());
  }

  private static Cluster clusterOf(JsonNode n) throws RecordException {
    JsonNode ids = required(n, "chat_ids");
    List<String> chatIds = strings(ids, "chat_ids");
    if (!n.has("parent_id")) throw new RecordException("parent_id: missing (null for a root)");
    Cluster c =
        new Cluster(
            requiredString(n, "id"),
            requiredString(n, "name"),
            requiredString(n, "description"),
            requiredString(n, "slug"),
            chatIds,
            optionalString(n, "parent_id"));
    JsonNode count = n.get("count");
    if (count != null && !(count.isIntegralNumber() && count.asLong() == c.count())) {
      // Kura recomputes count; a different one in the file would vanish on the next write
      throw new RecordException(
          "count: " + count + " but chat_ids holds " + c.count() + " (Kura recomputes it)");
    }
    return c;
  }

  /**
   * Checks Kura's metadata types ({@code str | int | float | bool | list[str] | list[int] |
   * list[float]}): refuses null, dicts, nested lists, lists with booleans or mixing strings and
   * numbers. A list mixing ints and floats is {@code list[float]} to Kura: its ints become floats
   * (as pydantic does), refused when a float cannot hold the int exactly.
   */
  public static JsonValue.Obj checkConversationMetadata(JsonValue v) throws RecordException {
    if (!(v instanceof JsonValue.Obj o)) throw new RecordException("metadata: expected a dict");
    LinkedHashMap<String, JsonValue> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonValue> e : o.fields().entrySet()) {
      String at = "metadata." + clip(e.getKey());
      JsonValue x = e.getValue();
      if (x instanceof JsonValue.Null) {
        throw new RecordException(at + ": null (Kura's metadata values cannot be None)");
      } else if (x instanceof JsonValue.Obj) {
        throw new RecordException(at + ": a dict (Kura's metadata values are flat)");
      } else if (x instanceof JsonValue.Arr a) {
        out.put(e.getKey(), checkList(a, at));
      } else {
        out.put(e.getKey(), x);
      }
    }
    return new JsonValue.Obj(out);
  }

  private static JsonValue checkList(JsonValue.Arr a, String at) throws RecordException {
    boolean str = false;
    boolean integer = false;
    boolean real = false;
    for (JsonValue x : a.items()) {
      if (x instanceof JsonValue.Str) str = true;
      else if (x instanceof JsonValue.Int) integer = true;
      else if (x instanceof JsonValue.Real) real = true;
      else {
        throw new RecordException(
            at
                + ": a list holding "
                + kindOf(x)
                + " (Kura allows list[str], list[int], list[float])");
      }
    }
    if (str && (integer || real)) {
      throw new RecordException(at + ": a list mixing strings and numbers");
    }
    if (!(integer && real)) return a;
    List<JsonValue> floats = new ArrayList<>(a.items().size());
    for (JsonValue x : a.items()) {
      if (x instanceof JsonValue.Int i) {
        if (i.value().abs().compareTo(EXACT_IN_DOUBLE) > 0) {
          throw new RecordException(
              at + ": " + i.value() + " in a list[float] cannot be held exactly by a float");
        }
        floats.add(new JsonValue.Real(i.value().doubleValue()));
      } else {
        floats.add(x);
      }
    }
    return new JsonValue.Arr(floats);
  }

  /** A Jackson tree as a {@link JsonValue}; refuses non-finite floats and unpaired surrogates. */
  public static JsonValue toValue(JsonNode n, String at) throws RecordException {
    if (n.isTextual()) return new JsonValue.Str(checked(n.textValue(), at));
    if (n.isIntegralNumber()) return new JsonValue.Int(n.bigIntegerValue());
    if (n.isNumber()) {
      double d = n.doubleValue();
      if (!Double.isFinite(d))
        throw new RecordException(at + ": a number beyond the range of a float");
      return new JsonValue.Real(d);
    }
    if (n.isBoolean()) return new JsonValue.Bool(n.booleanValue());
    if (n.isNull()) return JsonValue.Null.INSTANCE;
    if (n.isArray()) {
      List<JsonValue> items = new ArrayList<>(n.size());
      for (int i = 0; i < n.size(); i++) items.add(toValue(n.get(i), at + "[" + i + "]"));
      return new JsonValue.Arr(items);
    }
    if (n.isObject()) {
      LinkedHashMap<String, JsonValue> fields = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = n.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = checked(e.getKey(), at + " key");
        fields.put(key, toValue(e.getValue(), at + "." + clip(key)));
      }
      return new JsonValue.Obj(fields);
    }
    throw new RecordException(at + ": " + kind(n) + " is not a JSON value Kura can hold");
  }

  // ------------------------------------------------------------------------------------ helpers

  static void object(JsonNode n, String at, Set<String> known) throws RecordException {
    if (n == null || !n.isObject()) {
      throw new RecordException(
          (at.isEmpty() ? "record" : at.substring(0, at.length() - 1))
              + ": "
              + kind(n)
              + ", expected an object");
    }
    Iterator<String> names = n.fieldNames();
    while (names.hasNext()) {
      String f = names.next();
      if (!known.contains(f)) {
        throw new RecordException(
            at + clip(f) + ": unknown field (Kura would drop it; map it with the mapped format)");
      }
    }
  }

  private static JsonNode required(JsonNode n, String field) throws RecordException {
    return required(n, field, "");
  }

  private static JsonNode required(JsonNode n, String field, String at) throws RecordException {
    JsonNode v = n.get(field);
    if (v == null) throw new RecordException(at + field + ": missing");
    return v;
  }

  private static String requiredString(JsonNode n, String field) throws RecordException {
    return requiredString(n, field, "");
  }

  static String requiredString(JsonNode n, String field, String at) throws RecordException {
    JsonNode v = required(n, field, at);
    if (!v.isTextual())
      throw new RecordException(at + field + ": " + kind(v) + ", expected a string");
    return checked(v.textValue(), at + field);
  }

  private static String optionalString(JsonNode n, String field) throws RecordException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual())
      throw new RecordException(field + ": " + kind(v) + ", expected a string or null");
    return checked(v.textValue(), field);
  }

  private static List<String> optionalStrings(JsonNode n, String field) throws RecordException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) return null;
    return strings(v, field);
  }

  private static List<String> strings(JsonNode v, String field) throws RecordException {
    if (!v.isArray())
      throw new RecordException(field + ": " + kind(v) + ", expected a list of strings");
    List<String> out = new ArrayList<>(v.size());
    for (int i = 0; i < v.size(); i++) {
      JsonNode x = v.get(i);
      String at = field + "[" + i + "]";
      if (!x.isTextual()) throw new RecordException(at + ": " + kind(x) + ", expected a string");
      out.add(checked(x.textValue(), at));
    }
    return out;
  }

  private static Integer score(JsonNode n, String field) throws RecordException {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1 || v.intValue() > 5) {
      throw new RecordException(
          field + ": " + clip(v.toString()) + ", expected an integer 1..5 or null");
    }
    return v.intValue();
  }

  private static double floatValue(JsonNode v, String at) throws RecordException {
    if (v.isIntegralNumber()) {
      // an int in a float field is Kura's float of it; only exact ones
      if (v.bigIntegerValue().abs().compareTo(EXACT_IN_DOUBLE) > 0) {
        throw new RecordException(at + ": " + v + " cannot be held exactly by a float");
      }
      return v.doubleValue();
    }
    if (!v.isNumber()) throw new RecordException(at + ": " + kind(v) + ", expected a number");
    double d = v.doubleValue();
    if (!Double.isFinite(d))
      throw new RecordException(at + ": a number beyond the range of a float");
    return d;
  }

  static KuraTime time(JsonNode n, String field) throws RecordException {
    return time(n, field, "");
  }

  static KuraTime time(JsonNode n, String field, String at) throws RecordException {
    JsonNode v = required(n, field, at);
    if (!v.isTextual()) {
      throw new RecordException(at + field + ": " + kind(v) + ", expected an ISO 8601 string");
    }
    return timeOf(v.textValue(), at + field);
  }

  static KuraTime timeOf(String text, String at) throws RecordException {
    try {
      return KuraTime.parse(text);
    } catch (IllegalArgumentException e) {
      throw new RecordException(at + ": " + e.getMessage());
    }
  }

  /** Refuses an unpaired surrogate: it is no Unicode text and would be written as '?'. */
  static String checked(String s, String at) throws RecordException {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        throw new RecordException(at + ": unpaired surrogate at character " + i);
      }
      if (Character.isLowSurrogate(c)) {
        throw new RecordException(at + ": unpaired surrogate at character " + i);
      }
    }
    return s;
  }

  static String kind(JsonNode n) {
    if (n == null || n.isMissingNode()) return "missing";
    if (n.isNull()) return "null";
    if (n.isTextual()) return "a string";
    if (n.isBoolean()) return "a boolean";
    if (n.isIntegralNumber()) return "an integer";
    if (n.isNumber()) return "a float";
    if (n.isArray()) return "a list";
    if (n.isObject()) return "an object";
    return n.getNodeType().toString();
  }

  private static String kindOf(JsonValue v) {
    if (v instanceof JsonValue.Bool) return "a boolean";
    if (v instanceof JsonValue.Null) return "null";
    if (v instanceof JsonValue.Arr) return "a list";
    if (v instanceof JsonValue.Obj) return "a dict";
    return "a value";
  }

  public static String clip(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
