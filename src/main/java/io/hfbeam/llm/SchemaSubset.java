package io.hfbeam.llm;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of JSON Schema that answer schemas need: type, properties, required,
 * additionalProperties (boolean or schema), items, enum, minLength/maxLength, minimum/maximum.
 * Written here rather than taken from a library: it is small, and an unsupported keyword is
 * rejected when the prompt file loads instead of being silently ignored by a fuller validator.
 */
public final class SchemaSubset {
  private static final Set<String> TYPES =
      Set.of("object", "array", "string", "number", "integer", "boolean", "null");
  private static final Set<String> KEYWORDS =
      Set.of(
          "type",
          "properties",
          "required",
          "additionalProperties",
          "items",
          "enum",
          "minLength",
          "maxLength",
          "minimum",
          "maximum",
          "description",
          "title",
          "$schema");

  private SchemaSubset() {}

  /**
   * Checks that a schema uses only the subset, well-formed.
   *
   * @return null when fine, else {pointer, reason} of the first fault
   */
  public static String[] checkSchema(JsonNode schema, String pointer) {
    if (!schema.isObject()) {
      return new String[] {pointer, "a schema must be an object"};
    }
    for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!KEYWORDS.contains(k)) {
        return new String[] {pointer + "/" + esc(k), "unsupported schema keyword '" + k + "'"};
      }
    }
    JsonNode type = schema.get("type");
    if (type != null) {
      List<JsonNode> names = new ArrayList<>();
      if (type.isArray()) {
        type.forEach(names::add);
      } else {
        names.add(type);
      }
      for (JsonNode t : names) {
        if (!t.isTextual() || !TYPES.contains(t.asText())) {
          return new String[] {
            pointer + "/type", "unknown type " + t + ", expected one of " + TYPES
          };
        }
      }
    }
    JsonNode props = schema.get("properties");
    if (props != null) {
      if (!props.isObject()) {
        return new String[] {pointer + "/properties", "must be an object"};
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = props.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String[] bad = checkSchema(e.getValue(), pointer + "/properties/" + esc(e.getKey()));
        if (bad != null) {
          return bad;
        }
      }
    }
    JsonNode req = schema.get("required");
    if (req != null) {
      if (!req.isArray()) {
        return new String[] {pointer + "/required", "must be an array of names"};
      }
      for (JsonNode r : req) {
        if (!r.isTextual()) {
          return new String[] {pointer + "/required", "must be an array of names"};
        }
      }
    }
    JsonNode add = schema.get("additionalProperties");
    if (add != null && !add.isBoolean()) {
      String[] bad = checkSchema(add, pointer + "/additionalProperties");
      if (bad != null) {
        return bad;
      }
    }
    JsonNode items = schema.get("items");
    if (items != null) {
      String[] bad = checkSchema(items, pointer + "/items");
      if (bad != null) {
        return bad;
      }
    }
    JsonNode en = schema.get("enum");
    if (en != null && (!en.isArray() || en.isEmpty())) {
      return new String[] {pointer + "/enum", "must be a non-empty array"};
    }
    for (String k : List.of("minLength", "maxLength")) {
      JsonNode n = schema.get(k);
      if (n != null && (!n.canConvertToInt() || !n.isIntegralNumber() || n.asInt() < 0)) {
        return new String[] {pointer + "/" + k, "must be a non-negative integer"};
      }
    }
    for (String k : List.of("minimum", "maximum")) {
      JsonNode n = schema.get(k);
      if (n != null && !n.isNumber()) {
        return new String[] {pointer + "/" + k, "must be a number"};
      }
    }
    return null;
  }

  /** Validates a value; each fault is one reason "pointer: what is wrong". Empty when valid. */
  public static List<String> validate(JsonNode schema, JsonNode value) {
    List<String> out = new ArrayList<>();
    validate(schema, value, "", out);
    return out;
  }

  private static void validate(JsonNode s, JsonNode v, String at, List<String> out) {
    String where = at.isEmpty() ? "/" : at;
    JsonNode type = s.get("type");
    if (type != null) {
      boolean any = false;
      if (type.isArray()) {
        for (JsonNode t : type) {
          any |= isType(v, t.asText());
        }
      } else {
        any = isType(v, type.asText());
      }
      if (!any) {
        out.add(where + ": expected " + type.asText(type.toString()) + ", got " + typeOf(v));
        return; // the other keywords would only repeat the mismatch
      }
    }
    JsonNode en = s.get("enum");
    if (en != null) {
      boolean found = false;
      for (JsonNode e : en) {
        found |= e.equals(v);
      }
      if (!found) {
        out.add(where + ": " + shorten(v.toString()) + " is not one of " + en);
      }
    }
    if (v.isTextual()) {
      int len = v.asText().codePointCount(0, v.asText().length());
      if (s.has("minLength") && len < s.get("minLength").asInt()) {
        out.add(where + ": " + len + " characters, fewer than " + s.get("minLength").asInt());
      }
      if (s.has("maxLength") && len > s.get("maxLength").asInt()) {
        out.add(where + ": " + len + " characters, more than " + s.get("maxLength").asInt());
      }
    }
    if (v.isNumber()) {
      if (s.has("minimum") && v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0) {
        out.add(where + ": " + v + " is less than " + s.get("minimum"));
      }
      if (s.has("maximum") && v.decimalValue().compareTo(s.get("maximum").decimalValue()) > 0) {
        out.add(where + ": " + v + " is more than " + s.get("maximum"));
      }
    }
    if (v.isObject()) {
      JsonNode props = s.get("properties");
      JsonNode req = s.get("required");
      if (req != null) {
        for (JsonNode r : req) {
          if (!v.has(r.asText())) {
            out.add(where + ": missing required property '" + r.asText() + "'");
          }
        }
      }
      JsonNode add = s.get("additionalProperties");
      for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = at + "/" + esc(e.getKey());
        if (props != null && props.has(e.getKey())) {
          validate(props.get(e.getKey()), e.getValue(), child, out);
        } else if (add != null && add.isBoolean() && !add.asBoolean()) {
          out.add(where + ": unexpected property '" + shorten(e.getKey()) + "'");
        } else if (add != null && add.isObject()) {
          validate(add, e.getValue(), child, out);
        }
      }
    }
    if (v.isArray() && s.has("items")) {
      for (int i = 0; i < v.size(); i++) {
        validate(s.get("items"), v.get(i), at + "/" + i, out);
      }
    }
  }

  private static boolean isType(JsonNode v, String t) {
    return switch (t) {
      case "object" -> v.isObject();
      case "array" -> v.isArray();
      case "string" -> v.isTextual();
      case "number" -> v.isNumber();
      case "integer" ->
          v.isIntegralNumber()
              || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
      case "boolean" -> v.isBoolean();
      case "null" -> v.isNull();
      default -> false;
    };
  }

  private static String typeOf(JsonNode v) {
    if (v.isObject()) return "object";
    if (v.isArray()) return "array";
    if (v.isTextual()) return "string";
    if (v.isIntegralNumber()) return "integer";
    if (v.isNumber()) return "number";
    if (v.isBoolean()) return "boolean";
    return "null";
  }

  static String esc(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static String shorten(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
