package io.hfbeam.conversations;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.Feature;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each stage's rows as JSON trees shaped by its {@link StageFeatures} (what {@code
 * mapping.JsonValues} turns into Beam rows, and what {@code format.json.JsonlRowWriter} gives back
 * from them), and the way back to Kura's objects: the checkpoint's lossless bridge.
 *
 * <p>Timestamps go out as integer microseconds since the epoch (the wall time for naive values, so
 * no machine zone is ever involved) or, in the text layout, as pydantic's ISO text. Coming back, a
 * timestamp may be those integers or ISO text without an offset (the UTC wall time, as
 * JsonlRowWriter prints it).
 */
public final class StageRows {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper JSON = new ObjectMapper();

  private StageRows() {}

  // ------------------------------------------------------------------------------------- to rows

  public static ObjectNode row(Conversation c, ConversationLayout layout) {
    ObjectNode o = NODES.objectNode();
    o.put("chat_id", c.chatId());
    o.set("created_at", time(c.createdAt(), layout.time()));
    ArrayNode ms = o.putArray("messages");
    for (Message m : c.messages()) {
      ObjectNode mo = ms.addObject();
      mo.set("created_at", time(m.createdAt(), layout.time()));
      mo.put("role", m.role().wire());
      mo.put("content", m.content());
    }
    if (layout.typedMetadata()) {
      ObjectNode md = o.putObject("metadata");
      for (String key : layout.metadataColumns().keySet()) {
        JsonValue v = c.metadata().get(key);
        md.set(key, v == null ? NODES.nullNode() : node(v));
      }
    } else {
      o.put("metadata", KuraJson.toText(c.metadata()));
    }
    return o;
  }

  public static ObjectNode row(ConversationSummary s) {
    ObjectNode o = NODES.objectNode();
    o.put("summary", s.summary());
    o.put("request", s.request());
    o.put("topic", s.topic());
    o.set("languages", strings(s.languages()));
    o.put("task", s.task());
    o.put("concerning_score", s.concerningScore());
    o.put("user_frustration", s.userFrustration());
    o.set("assistant_errors", strings(s.assistantErrors()));
    o.put("chat_id", s.chatId());
    o.put("metadata", KuraJson.toText(s.metadata()));
    if (s.embedding() == null) {
      o.putNull("embedding");
    } else {
      ArrayNode e = o.putArray("embedding");
      s.embedding().forEach(e::add);
    }
    return o;
  }

  public static ObjectNode row(Embedding e) {
    ObjectNode o = NODES.objectNode();
    o.put("chat_id", e.chatId());
    ArrayNode v = o.putArray("embedding");
    for (float f : e.vector()) v.add(f);
    o.put("model", e.model());
    return o;
  }

  public static ObjectNode row(Cluster c) {
    ObjectNode o = clusterRow(c);
    o.put("count", c.count());
    return o;
  }

  public static ObjectNode row(ProjectedCluster p) {
    ObjectNode o = clusterRow(p.cluster());
    o.put("x_coord", p.xCoord());
    o.put("y_coord", p.yCoord());
    o.put("level", p.level());
    o.put("count", p.cluster().count());
    return o;
  }

  private static ObjectNode clusterRow(Cluster c) {
    ObjectNode o = NODES.objectNode();
    o.put("id", c.id());
    o.put("name", c.name());
    o.put("description", c.description());
    o.put("slug", c.slug());
    o.set("chat_ids", strings(c.chatIds()));
    o.put("parent_id", c.parentId());
    return o;
  }

  private static JsonNode time(KuraTime t, ConversationLayout.Time layout) {
    if (layout == ConversationLayout.Time.TEXT) return NODES.textNode(t.toString());
    boolean naive = t.offset() == null;
    if (layout == ConversationLayout.Time.NAIVE != naive
        || (!naive && t.offset().getTotalSeconds() != 0)) {
      throw new IllegalArgumentException(t + " does not fit the " + layout + " time layout");
    }
    Instant i = t.local().toInstant(ZoneOffset.UTC);
    return NODES.numberNode(
        Math.addExact(Math.multiplyExact(i.getEpochSecond(), 1_000_000L), i.getNano() / 1000));
  }

  private static JsonNode strings(List<String> list) {
    if (list == null) return NODES.nullNode();
    ArrayNode a = NODES.arrayNode();
    list.forEach(a::add);
    return a;
  }

  private static JsonNode node(JsonValue v) {
    if (v instanceof JsonValue.Str s) return NODES.textNode(s.value());
    if (v instanceof JsonValue.Int i) return NODES.numberNode(i.value());
    if (v instanceof JsonValue.Real r) return NODES.numberNode(r.value());
    if (v instanceof JsonValue.Bool b) return NODES.booleanNode(b.value());
    if (v instanceof JsonValue.Arr a) {
      ArrayNode out = NODES.arrayNode();
      a.items().forEach(x -> out.add(node(x)));
      return out;
    }
    if (v instanceof JsonValue.Obj o) {
      ObjectNode out = NODES.objectNode();
      o.fields().forEach((k, x) -> out.set(k, node(x)));
      return out;
    }
    return NODES.nullNode();
  }

  // ----------------------------------------------------------------------------------- from rows

  public static Conversation conversation(JsonNode o, ConversationLayout layout)
      throws RecordException {
    List<Message> messages = new ArrayList<>();
    JsonNode ms = o.get("messages");
    if (ms == null || !ms.isArray()) throw new RecordException("messages: expected a list");
    for (int i = 0; i < ms.size(); i++) {
      JsonNode m = ms.get(i);
      String at = "messages[" + i + "].";
      Role role = Role.ofWire(text(m, "role", at));
      if (role == null) throw new RecordException(at + "role: not user or assistant");
      messages.add(
          new Message(
              time(m.get("created_at"), layout.time(), at + "created_at"),
              role,
              text(m, "content", at)));
    }
    JsonNode md = o.get("metadata");
    JsonValue.Obj metadata;
    if (layout.typedMetadata()) {
      if (md == null || !md.isObject()) throw new RecordException("metadata: expected a struct");
      LinkedHashMap<String, JsonValue> fields = new LinkedHashMap<>();
      for (Map.Entry<String, Feature> col : layout.metadataColumns().entrySet()) {
        JsonNode v = md.get(col.getKey());
        if (v == null || v.isNull()) continue; // absent: Kura's metadata holds no None
        fields.put(col.getKey(), typed(v, col.getValue(), "metadata." + col.getKey()));
      }
      metadata = new JsonValue.Obj(fields);
    } else {
      metadata = jsonObject(md, "metadata");
    }
    return new Conversation(
        text(o, "chat_id", ""),
        time(o.get("created_at"), layout.time(), "created_at"),
        messages,
        KuraJson.checkConversationMetadata(metadata));
  }

  public static ConversationSummary summary(JsonNode o) throws RecordException {
    List<Double> embedding = null;
    JsonNode e = o.get("embedding");
    if (e != null && !e.isNull()) {
      embedding = new ArrayList<>(e.size());
      for (JsonNode x : e) embedding.add(x.doubleValue());
    }
    try {
      return new ConversationSummary(
          text(o, "summary", ""),
          optText(o, "request"),
          optText(o, "topic"),
          optStrings(o, "languages"),
          optText(o, "task"),
          optInt(o, "concerning_score"),
          optInt(o, "user_frustration"),
          optStrings(o, "assistant_errors"),
          text(o, "chat_id", ""),
          jsonObject(o.get("metadata"), "metadata"),
          embedding);
    } catch (IllegalArgumentException ex) {
      throw new RecordException(ex.getMessage());
    }
  }

  public static Embedding embedding(JsonNode o) throws RecordException {
    JsonNode e = o.get("embedding");
    if (e == null || !e.isArray()) throw new RecordException("embedding: expected a list");
    float[] v = new float[e.size()];
    for (int i = 0; i < v.length; i++) v[i] = e.get(i).floatValue();
    return new Embedding(text(o, "chat_id", ""), v, text(o, "model", ""));
  }

  public static Cluster cluster(JsonNode o) throws RecordException {
    if (o.path("chat_ids").isNull() || o.path("chat_ids").isMissingNode()) {
      throw new RecordException("chat_ids: missing");
    }
    Cluster c =
        new Cluster(
            text(o, "id", ""),
            text(o, "name", ""),
            text(o, "description", ""),
            text(o, "slug", ""),
            optStrings(o, "chat_ids"),
            optText(o, "parent_id"));
    JsonNode count = o.get("count");
    if (count != null && !count.isNull() && count.asLong() != c.count()) {
      throw new RecordException("count: " + count + " but chat_ids holds " + c.count());
    }
    return c;
  }

  public static ProjectedCluster projectedCluster(JsonNode o) throws RecordException {
    return new ProjectedCluster(
        cluster(o),
        o.path("x_coord").doubleValue(),
        o.path("y_coord").doubleValue(),
        o.path("level").longValue());
  }

  private static KuraTime time(JsonNode v, ConversationLayout.Time layout, String at)
      throws RecordException {
    if (v == null || v.isNull()) throw new RecordException(at + ": missing");
    ZoneOffset offset = layout == ConversationLayout.Time.UTC ? ZoneOffset.UTC : null;
    if (v.isIntegralNumber()) {
      long micros = v.longValue();
      LocalDateTime local =
          LocalDateTime.ofEpochSecond(
              Math.floorDiv(micros, 1_000_000L),
              (int) Math.floorMod(micros, 1_000_000L) * 1000,
              ZoneOffset.UTC);
      return new KuraTime(local, offset);
    }
    if (!v.isTextual()) throw new RecordException(at + ": expected a timestamp");
    KuraTime t = KuraJson.timeOf(v.textValue(), at);
    if (layout == ConversationLayout.Time.TEXT) return t;
    if (t.offset() != null && t.offset().getTotalSeconds() != 0) {
      throw new RecordException(at + ": an offset in a " + layout + " column");
    }
    return new KuraTime(t.local(), offset);
  }

  private static JsonValue typed(JsonNode v, Feature f, String at) throws RecordException {
    if (f instanceof Feature.Sequence s) {
      if (!v.isArray()) throw new RecordException(at + ": expected a list");
      List<JsonValue> items = new ArrayList<>(v.size());
      for (JsonNode x : v) items.add(typed(x, s.feature(), at));
      return new JsonValue.Arr(items);
    }
    String dtype = ((Feature.Value) f).dtype();
    return switch (dtype) {
      case "string" -> new JsonValue.Str(v.textValue());
      case "int64" -> new JsonValue.Int(BigInteger.valueOf(v.longValue()));
      case "float64" -> new JsonValue.Real(v.doubleValue());
      case "bool" -> new JsonValue.Bool(v.booleanValue());
      default -> throw new RecordException(at + ": no metadata column of type " + dtype);
    };
  }

  /** A Json column: its text (as written) or an already decoded tree. */
  private static JsonValue.Obj jsonObject(JsonNode v, String at) throws RecordException {
    if (v == null || v.isNull()) throw new RecordException(at + ": missing");
    JsonNode tree = v;
    if (v.isTextual()) {
      try {
        tree = JSON.readTree(v.textValue());
      } catch (JsonProcessingException e) {
        throw new RecordException(at + ": not JSON text: " + e.getOriginalMessage());
      }
    }
    if (!tree.isObject()) throw new RecordException(at + ": expected a dict");
    return (JsonValue.Obj) KuraJson.toValue(tree, at);
  }

  private static String text(JsonNode o, String field, String at) throws RecordException {
    JsonNode v = o.get(field);
    if (v == null || !v.isTextual()) throw new RecordException(at + field + ": expected a string");
    return v.textValue();
  }

  private static String optText(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.textValue();
  }

  private static Integer optInt(JsonNode o, String field) {
    JsonNode v = o.get(field);
    return v == null || v.isNull() ? null : v.intValue();
  }

  private static List<String> optStrings(JsonNode o, String field) {
    JsonNode v = o.get(field);
    if (v == null || v.isNull()) return null;
    List<String> out = new ArrayList<>(v.size());
    Iterator<JsonNode> it = v.elements();
    while (it.hasNext()) out.add(it.next().textValue());
    return out;
  }
}
