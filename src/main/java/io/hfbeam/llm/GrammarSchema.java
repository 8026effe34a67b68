package io.hfbeam.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The JSON schemas a local model can be held to. llama.cpp turns a schema into a grammar in native
 * code that ends the whole process (C++ {@code terminate}) on anything it does not understand, so a
 * schema is checked here first against the subset it handles, and refused with one line otherwise.
 */
public final class GrammarSchema {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TYPES =
      Set.of("string", "number", "integer", "boolean", "null", "object", "array");
  // annotations: llama.cpp ignores them
  private static final Set<String> IGNORED =
      Set.of(
          "title",
          "description",
          "$schema",
          "$id",
          "$comment",
          "default",
          "examples",
          "deprecated",
          "readOnly",
          "writeOnly");
  private static final Set<String> COUNTS =
      Set.of("minItems", "maxItems", "minLength", "maxLength");
  private static final Set<String> BOUNDS =
      Set.of("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum");
  private static final Set<String> SHAPES =
      Set.of(
          "type", "$ref", "anyOf", "oneOf", "const", "enum", "properties", "items", "prefixItems");
  private static final int MAX_DEPTH = 32;

  private GrammarSchema() {}

  /**
   * Parses and checks {@code schema}; returns it compact.
   *
   * @throws IllegalArgumentException one line naming what is not supported and where
   */
  public static String check(String schema) {
    JsonNode root;
    try {
      root = JSON.readTree(schema);
    } catch (IOException e) {
      throw new IllegalArgumentException("the JSON schema is not valid JSON");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("the JSON schema must be a JSON object");
    }
    check(root, root, "#", 0);
    return root.toString();
  }

  private static void check(JsonNode node, JsonNode root, String at, int depth) {
    if (depth > MAX_DEPTH) throw bad(at, "nested deeper than " + MAX_DEPTH);
    if (!node.isObject()) throw bad(at, "a schema must be an object");
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      String here = at + "/" + key;
      if (IGNORED.contains(key)) continue;
      switch (key) {
        case "type" -> {
          if (v.isTextual()) {
            if (!TYPES.contains(v.asText())) throw bad(here, "unknown type " + v.asText());
          } else if (v.isArray() && !v.isEmpty()) {
            for (JsonNode t : v) {
              if (!t.isTextual() || !TYPES.contains(t.asText())) throw bad(here, "unknown type");
            }
          } else {
            throw bad(here, "must be a type name or a list of them");
          }
        }
        case "properties", "$defs", "definitions" -> {
          if (!v.isObject()) throw bad(here, "must be an object");
          if (!key.equals("properties") && depth > 0) throw bad(here, "only at the top level");
          for (Iterator<Map.Entry<String, JsonNode>> p = v.fields(); p.hasNext(); ) {
            Map.Entry<String, JsonNode> e = p.next();
            check(e.getValue(), root, here + "/" + e.getKey(), depth + 1);
          }
        }
        case "required" -> {
          if (!v.isArray()) throw bad(here, "must be a list of property names");
          for (JsonNode r : v) if (!r.isTextual()) throw bad(here, "must hold strings");
        }
        case "additionalProperties" -> {
          if (!v.isBoolean()) check(v, root, here, depth + 1);
        }
        case "items" -> check(v, root, here, depth + 1);
        case "prefixItems", "anyOf", "oneOf" -> {
          if (!v.isArray() || v.isEmpty()) throw bad(here, "must be a non-empty list of schemas");
          for (int i = 0; i < v.size(); i++) check(v.get(i), root, here + "/" + i, depth + 1);
        }
        case "enum" -> {
          if (!v.isArray() || v.isEmpty()) throw bad(here, "must be a non-empty list");
        }
        case "const" -> {}
        case "format" -> {
          if (!v.isTextual()) throw bad(here, "must be a string");
        }
        case "$ref" -> checkRef(v, root, here);
        default -> {
          if (COUNTS.contains(key)) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 0) {
              throw bad(here, "must be a non-negative integer");
            }
          } else if (BOUNDS.contains(key)) {
            // llama.cpp reads integer bounds as 64-bit integers and aborts on any other number
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
              throw bad(here, "must be a 64-bit integer");
            }
          } else {
            throw bad(here, "'" + key + "' is not supported with a local model");
          }
        }
      }
    }
    // llama.cpp recognizes a schema by these keys (or an empty one: any value); one with only
    // annotations or bare bounds aborts it
    if (!node.isEmpty() && SHAPES.stream().noneMatch(node::has)) {
      throw bad(
          at, "says nothing about the value's type (need type, enum, const, $ref, anyOf, ...)");
    }
    checkRange(node, "minItems", "maxItems", at);
    checkRange(node, "minLength", "maxLength", at);
  }

  private static void checkRange(JsonNode node, String min, String max, String at) {
    if (node.has(min) && node.has(max) && node.get(min).asInt() > node.get(max).asInt()) {
      throw bad(at, min + " is larger than " + max);
    }
  }

  private static void checkRef(JsonNode v, JsonNode root, String here) {
    if (!v.isTextual()) throw bad(here, "must be a string");
    String ref = v.asText();
    for (String prefix : new String[] {"#/$defs/", "#/definitions/"}) {
      if (ref.startsWith(prefix)) {
        String name = ref.substring(prefix.length());
        JsonNode defs = root.get(prefix.substring(2, prefix.length() - 1));
        if (!name.isEmpty() && !name.contains("/") && defs != null && defs.has(name)) return;
        throw bad(here, "no definition " + ref);
      }
    }
    throw bad(here, "only local references (#/$defs/NAME) are supported");
  }

  private static IllegalArgumentException bad(String at, String why) {
    return new IllegalArgumentException("JSON schema at " + at + ": " + why);
  }
}
