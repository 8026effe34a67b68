package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.joda.time.ReadableInstant;

/**
 * One JSON form for a row read by hf-beam and a row {@code datasets} returned (as
 * datasets_parity.py tags it), so the two compare with {@code equals}: every integer a long, every
 * float a double (NaN equals NaN, -0.0 is not 0.0), bytes {@code {"$bytes": base64}}, a timestamp
 * {@code {"$datetime": "<epoch nanoseconds>"}}, structs objects, lists arrays.
 */
final class ParityJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private ParityJson() {}

  /** A Beam row in the comparison form. */
  static JsonNode ofRow(Row row) {
    ObjectNode o = NODES.objectNode();
    List<String> names = row.getSchema().getFieldNames();
    for (int i = 0; i < names.size(); i++) o.set(names.get(i), ofBeam(row.getValue(i)));
    return o;
  }

  private static JsonNode ofBeam(Object v) {
    if (v == null) return NODES.nullNode();
    if (v instanceof Row r) return ofRow(r);
    if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
      return NODES.numberNode(((Number) v).longValue());
    }
    if (v instanceof Float f) return NODES.numberNode((double) f);
    if (v instanceof Double d) return NODES.numberNode(d);
    if (v instanceof Boolean b) return NODES.booleanNode(b);
    if (v instanceof String s) return NODES.textNode(s);
    if (v instanceof byte[] b) return bytes(Base64.getEncoder().encodeToString(b));
    if (v instanceof ReadableInstant t)
      return datetime(BigInteger.valueOf(t.getMillis()).multiply(BigInteger.valueOf(1_000_000)));
    if (v instanceof Instant t) return datetime(nanos(t));
    if (v instanceof Iterable<?> it) {
      ArrayNode a = NODES.arrayNode();
      for (Object x : it) a.add(ofBeam(x));
      return a;
    }
    throw new IllegalArgumentException("no comparison form for " + v.getClass() + ": " + v);
  }

  /** A row as datasets_parity.py wrote it, in the comparison form. */
  static JsonNode ofPython(JsonNode v) {
    if (v.isIntegralNumber()) {
      return v.canConvertToLong()
          ? NODES.numberNode(v.longValue())
          : NODES.numberNode(v.bigIntegerValue());
    }
    if (v.isArray()) {
      ArrayNode a = NODES.arrayNode();
      v.forEach(x -> a.add(ofPython(x)));
      return a;
    }
    if (!v.isObject()) return v;
    if (v.has("$float")) return NODES.numberNode(pyFloat(v.get("$float").asText()));
    if (v.has("$bytes")) return bytes(v.get("$bytes").asText());
    if (v.has("$datetime")) {
      return datetime(nanos(pyInstant(v.get("$datetime").asText())));
    }
    ObjectNode o = NODES.objectNode();
    v.fields().forEachRemaining(e -> o.set(e.getKey(), ofPython(e.getValue())));
    return o;
  }

  /** A node as text with object keys sorted at every level: equal rows give equal strings. */
  static String canonical(JsonNode n) {
    return sorted(n).toString();
  }

  private static JsonNode sorted(JsonNode n) {
    if (n.isArray()) {
      ArrayNode a = NODES.arrayNode();
      n.forEach(x -> a.add(sorted(x)));
      return a;
    }
    if (!n.isObject()) return n;
    List<String> keys = new ArrayList<>();
    n.fieldNames().forEachRemaining(keys::add);
    Collections.sort(keys);
    ObjectNode o = NODES.objectNode();
    for (String k : keys) o.set(k, sorted(n.get(k)));
    return o;
  }

  private static double pyFloat(String repr) {
    return switch (repr) {
      case "nan" -> Double.NaN;
      case "inf" -> Double.POSITIVE_INFINITY;
      case "-inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(repr);
    };
  }

  /** Python isoformat: naive (a UTC wall time, as Arrow stores it) or with an offset. */
  private static Instant pyInstant(String iso) {
    try {
      return OffsetDateTime.parse(iso).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
    }
  }

  private static BigInteger nanos(Instant t) {
    return BigInteger.valueOf(t.getEpochSecond())
        .multiply(BigInteger.valueOf(1_000_000_000))
        .add(BigInteger.valueOf(t.getNano()));
  }

  private static JsonNode bytes(String base64) {
    return NODES.objectNode().put("$bytes", base64);
  }

  private static JsonNode datetime(BigInteger epochNanos) {
    return NODES.objectNode().put("$datetime", epochNanos.toString());
  }
}
