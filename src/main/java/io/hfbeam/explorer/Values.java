package io.hfbeam.explorer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/** Beam row values (as the Parquet reader gives them) to JSON for the API. */
final class Values {
  static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  static final ObjectMapper JSON = new ObjectMapper();
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

  private Values() {}

  static JsonNode json(Object v) {
    if (v == null) return NODES.nullNode();
    if (v instanceof String s) return NODES.textNode(s);
    if (v instanceof Boolean b) return NODES.booleanNode(b);
    if (v instanceof Integer i) return NODES.numberNode(i);
    if (v instanceof Long l) return NODES.numberNode(l);
    if (v instanceof Short s) return NODES.numberNode(s);
    if (v instanceof Byte b) return NODES.numberNode(b);
    if (v instanceof Double d) return NODES.numberNode(d);
    if (v instanceof Float f) return NODES.numberNode(f);
    if (v instanceof BigDecimal d) return NODES.numberNode(d);
    if (v instanceof byte[] b) return NODES.textNode(Base64.getEncoder().encodeToString(b));
    // naive timestamps are stored as UTC wall times: shown without an offset, as Kura prints them
    if (v instanceof Instant i) return NODES.textNode(iso(i));
    if (v instanceof org.joda.time.ReadableInstant i) {
      return NODES.textNode(iso(Instant.ofEpochMilli(i.getMillis())));
    }
    if (v instanceof Row r) {
      ObjectNode o = NODES.objectNode();
      Schema s = r.getSchema();
      for (int i = 0; i < s.getFieldCount(); i++)
        o.set(s.getField(i).getName(), json(r.getValue(i)));
      return o;
    }
    if (v instanceof Map<?, ?> m) {
      ObjectNode o = NODES.objectNode();
      m.forEach((k, x) -> o.set(String.valueOf(k), json(x)));
      return o;
    }
    if (v instanceof Iterable<?> it) {
      ArrayNode a = NODES.arrayNode();
      for (Object x : it) a.add(json(x));
      return a;
    }
    return NODES.textNode(v.toString());
  }

  /** As Python's isoformat() prints a naive datetime: microseconds only when there are some. */
  static String iso(Instant i) {
    String s = ISO.format(i);
    int micros = i.getNano() / 1000;
    return micros == 0 ? s : s + String.format(java.util.Locale.ROOT, ".%06d", micros);
  }

  /**
   * A metadata value: a datasets Json column holds JSON text, a typed column a struct. Text that
   * does not parse stays text.
   */
  static JsonNode metadata(Object v) {
    if (v instanceof String s) {
      try {
        return JSON.readTree(s);
      } catch (JsonProcessingException e) {
        return NODES.textNode(s);
      }
    }
    return json(v);
  }

  static String text(Row r, String field) {
    if (r == null || !r.getSchema().hasField(field)) return null;
    Object v = r.getValue(field);
    return v == null ? null : v.toString();
  }

  static Integer integer(Row r, String field) {
    if (r == null || !r.getSchema().hasField(field)) return null;
    Object v = r.getValue(field);
    return v instanceof Number n ? n.intValue() : null;
  }
}
