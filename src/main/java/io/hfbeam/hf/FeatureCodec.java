package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.Audio;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Encoded;
import io.hfbeam.hf.Feature.Image;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Translation;
import io.hfbeam.hf.Feature.TranslationVariableLanguages;
import io.hfbeam.hf.Feature.Value;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The textual forms of features: datasets JSON dict, README YAML list, and the human shorthand. */
final class FeatureCodec {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Pattern ARRAY_ND =
      Pattern.compile("array([2-5])d<\\s*([^>]+?)\\s*>\\s*\\(([^)]*)\\)");
  private static final Pattern CLASS_LABEL = Pattern.compile("class_label\\((.*)\\)");
  private static final Pattern YAML_ARRAY = Pattern.compile("array([2-5])_d");
  private static final Pattern JSON_ARRAY = Pattern.compile("Array([2-5])D");

  private FeatureCodec() {}

  // ---------------------------------------------------------------- datasets JSON (writing)

  static JsonNode toJson(Feature f) {
    if (f instanceof Value v)
      return NODES.objectNode().put("dtype", v.dtype()).put("_type", "Value");
    if (f instanceof ClassLabel c) {
      ObjectNode o = NODES.objectNode();
      ArrayNode names = o.putArray("names");
      c.names().forEach(names::add);
      return o.put("_type", "ClassLabel");
    }
    if (f instanceof Sequence s) return sequenceJson(s);
    if (f instanceof ArrayND a) {
      ObjectNode o = NODES.objectNode();
      o.set("shape", shapeJson(a));
      return o.put("dtype", a.dtype()).put("_type", a.typeName());
    }
    if (f instanceof Encoded e) return encodedJson(e).put("_type", encodedType(e));
    return structJson(((Struct) f).fields());
  }

  /** The datasets class name of an encoded feature. */
  static String encodedType(Encoded e) {
    if (e instanceof Image) return "Image";
    if (e instanceof Audio) return "Audio";
    if (e instanceof Translation) return "Translation";
    if (e instanceof Feature.Json) return "Json";
    return "TranslationVariableLanguages";
  }

  /**
   * The dataclass fields of an encoded feature, without {@code _type}, in declaration order and,
   * like datasets' {@code asdict}, without the ones at their default.
   */
  private static ObjectNode encodedJson(Encoded e) {
    ObjectNode o = NODES.objectNode();
    if (e instanceof Image i) {
      if (i.mode() != null) o.put("mode", i.mode());
      if (!i.decode()) o.put("decode", false);
    } else if (e instanceof Audio a) {
      if (a.samplingRate() != null) o.put("sampling_rate", a.samplingRate());
      if (!a.decode()) o.put("decode", false);
      if (a.numChannels() != null) o.put("num_channels", a.numChannels());
      if (a.streamIndex() != null) o.put("stream_index", a.streamIndex());
    } else if (e instanceof Translation t) {
      t.languages().forEach(o.putArray("languages")::add);
    } else if (e instanceof Feature.Json j) {
      if (!j.decode()) o.put("decode", false);
    } else if (e instanceof TranslationVariableLanguages t && !t.languages().isEmpty()) {
      t.languages().forEach(o.putArray("languages")::add);
      o.put("num_languages", t.languages().size());
    }
    return o;
  }

  private static Encoded parseEncoded(String type, JsonNode n, String path) {
    return switch (type) {
      case "Image" -> new Image(optText(n, "mode", path), optBool(n, "decode", path));
      case "Audio" ->
          new Audio(
              optInt(n, "sampling_rate", path),
              optBool(n, "decode", path),
              optInt(n, "num_channels", path),
              optInt(n, "stream_index", path));
      case "Translation" -> new Translation(texts(required(n, "languages", path), path));
      case "Json" -> new Feature.Json(optBool(n, "decode", path));
      case "TranslationVariableLanguages" ->
          new TranslationVariableLanguages(
              n.hasNonNull("languages") ? texts(n.get("languages"), path) : List.of());
      default -> null;
    };
  }

  private static String optText(JsonNode n, String key, String path) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw bad(path, key + " must be a string, got " + v);
    return v.textValue();
  }

  private static boolean optBool(JsonNode n, String key, String path) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return true;
    if (!v.isBoolean()) throw bad(path, key + " must be true or false, got " + v);
    return v.booleanValue();
  }

  private static Integer optInt(JsonNode n, String key, String path) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) return null;
    if (!v.canConvertToInt() || !v.isIntegralNumber())
      throw bad(path, key + " must be an integer, got " + v);
    return v.intValue();
  }

  private static List<String> texts(JsonNode list, String path) {
    if (!list.isArray()) throw bad(path, "languages must be a list of strings, got " + list);
    List<String> out = new ArrayList<>();
    for (JsonNode x : list) {
      if (!x.isTextual()) throw bad(path, "languages must be a list of strings, got " + list);
      out.add(x.textValue());
    }
    return out;
  }

  /** datasets' camelcase_to_snakecase of the class name: the YAML dtype key. */
  private static String snake(String type) {
    return type.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  private static ArrayNode shapeJson(ArrayND a) {
    ArrayNode shape = NODES.arrayNode();
    a.shape()
        .forEach(
            d -> {
              if (d == null) shape.addNull();
              else shape.add(d);
            });
    return shape;
  }

  static ObjectNode structJson(Map<String, Feature> fields) {
    ObjectNode o = NODES.objectNode();
    fields.forEach((name, f) -> o.set(name, toJson(f)));
    return o;
  }

  /*
   * "Sequence" is read by datasets 2.x..5.x, "List" only by >= 4. But a Sequence over a dict means "dict of lists"
   * to every version, so a list of structs uses the one-element array form, which all versions read as a list.
   * The array form cannot carry a length; the rare fixed-length list of structs falls back to "List" (datasets >= 4).
   */
  private static JsonNode sequenceJson(Sequence s) {
    if (s.feature() instanceof Struct && s.length() < 0) {
      return NODES.arrayNode().add(toJson(s.feature()));
    }
    ObjectNode o = NODES.objectNode();
    o.set("feature", toJson(s.feature()));
    if (s.length() >= 0) o.put("length", s.length());
    return o.put("_type", s.feature() instanceof Struct ? "List" : "Sequence");
  }

  // ---------------------------------------------------------------- README YAML list (writing)

  static ArrayNode toYamlList(Map<String, Feature> fields) {
    ArrayNode list = NODES.arrayNode();
    fields.forEach(
        (name, f) -> {
          ObjectNode entry = NODES.objectNode().put("name", name);
          entry.setAll(yamlType(f));
          list.add(entry);
        });
    return list;
  }

  /** The keys describing one feature, as datasets 5 {@code _to_yaml_list} writes them. */
  private static ObjectNode yamlType(Feature f) {
    ObjectNode o = NODES.objectNode();
    if (f instanceof Value v) {
      o.put("dtype", v.dtype());
    } else if (f instanceof ClassLabel c) {
      ObjectNode names = o.putObject("dtype").putObject("class_label").putObject("names");
      for (int i = 0; i < c.names().size(); i++) names.put(Integer.toString(i), c.names().get(i));
    } else if (f instanceof Sequence s) {
      o.set("list", yamlListItem(s.feature()));
      if (s.length() >= 0) o.put("length", s.length());
    } else if (f instanceof ArrayND a) {
      ObjectNode arr = o.putObject("dtype").putObject("array" + a.rank() + "_d");
      arr.set("shape", shapeJson(a));
      arr.put("dtype", a.dtype());
    } else if (f instanceof Encoded e) {
      // datasets: no fields beyond the defaults -> "dtype: image", else "dtype: {image: {...}}"
      ObjectNode body = encodedJson(e);
      String key = snake(encodedType(e));
      if (body.isEmpty()) o.put("dtype", key);
      else o.putObject("dtype").set(key, body);
    } else {
      o.set("struct", toYamlList(((Struct) f).fields()));
    }
    return o;
  }

  /**
   * datasets simplifies {@code list: {dtype: x}} to {@code list: x} and {@code list: {struct:
   * [..]}} to the list.
   */
  private static JsonNode yamlListItem(Feature item) {
    ObjectNode inner = yamlType(item);
    if (inner.size() == 1 && inner.has("dtype") && inner.get("dtype").isTextual())
      return inner.get("dtype");
    if (inner.size() == 1 && inner.has("struct")) return inner.get("struct");
    return inner;
  }

  // ---------------------------------------------------------------- shorthand and words (writing)

  /**
   * The form a features file takes ({@link #parseFeature} reads it back to the same feature):
   * shorthand text where it can say it exactly, a one-element list for a list of dicts, a nested
   * map for a dict, and the datasets JSON object where the shorthand would lose something (label
   * names with commas or edge spaces).
   */
  static JsonNode toShorthand(Feature f) {
    if (f instanceof Value v) return NODES.textNode(v.dtype());
    if (f instanceof ClassLabel c) {
      boolean plain =
          c.names().stream().allMatch(n -> !n.isBlank() && n.equals(n.trim()) && !n.contains(","));
      return plain ? NODES.textNode("class_label(" + String.join(",", c.names()) + ")") : toJson(c);
    }
    if (f instanceof Sequence s) {
      JsonNode inner = toShorthand(s.feature());
      if (inner.isTextual()) {
        return NODES.textNode(
            "list<" + inner.textValue() + ">" + (s.length() >= 0 ? "[" + s.length() + "]" : ""));
      }
      if (s.length() < 0) return NODES.arrayNode().add(inner);
      return toJson(s);
    }
    if (f instanceof ArrayND a) {
      List<String> dims = new ArrayList<>();
      a.shape().forEach(d -> dims.add(d == null ? "None" : d.toString()));
      return NODES.textNode(
          "array" + a.rank() + "d<" + a.dtype() + ">(" + String.join(",", dims) + ")");
    }
    if (f instanceof Encoded e) {
      // the bare word where datasets' YAML would say it; the JSON object for anything else
      return encodedJson(e).isEmpty()
              && (e instanceof Image || e instanceof Audio || e instanceof Feature.Json)
          ? NODES.textNode(snake(encodedType(e)))
          : toJson(e);
    }
    ObjectNode o = NODES.objectNode();
    ((Struct) f).fields().forEach((name, sub) -> o.set(name, toShorthand(sub)));
    return o;
  }

  /** A few words on what a feature holds, for the card's table. */
  static String describe(Feature f) {
    if (f instanceof Value v) return describeDtype(v.dtype(), false);
    if (f instanceof ClassLabel c) {
      List<String> labels = new ArrayList<>();
      for (int i = 0; i < c.names().size(); i++) labels.add(i + " = " + c.names().get(i));
      return "label: " + String.join(", ", labels);
    }
    if (f instanceof Sequence s) {
      String item =
          s.feature() instanceof Value v
              ? describeDtype(v.dtype(), s.length() != 1)
              : "(" + describe(s.feature()) + ")";
      return "list of " + (s.length() >= 0 ? s.length() + " " : "") + item;
    }
    if (f instanceof ArrayND a) {
      List<String> dims = new ArrayList<>();
      a.shape().forEach(d -> dims.add(d == null ? "any" : d.toString()));
      return "array of shape (" + String.join(", ", dims) + "), " + a.dtype();
    }
    if (f instanceof Image i)
      return "image (bytes and path)" + (i.mode() != null ? ", decoded as " + i.mode() : "");
    if (f instanceof Audio a)
      return "audio (bytes and path)"
          + (a.samplingRate() != null ? ", " + a.samplingRate() + " Hz" : "");
    if (f instanceof Translation t) return "translation: " + String.join(", ", t.languages());
    if (f instanceof Feature.Json) return "JSON value";
    if (f instanceof TranslationVariableLanguages t)
      return "translations"
          + (t.languages().isEmpty() ? "" : " in " + String.join(", ", t.languages()));
    return "dict of " + String.join(", ", ((Struct) f).fields().keySet());
  }

  private static String describeDtype(String dtype, boolean plural) {
    String s = plural ? "s" : "";
    if (dtype.matches("u?int\\d+")) {
      return dtype.replaceAll("\\D", "")
          + "-bit "
          + (dtype.startsWith("u") ? "unsigned " : "")
          + "integer"
          + s;
    }
    if (dtype.startsWith("float")) return dtype.substring(5) + "-bit float" + s;
    if (dtype.startsWith("timestamp["))
      return "timestamp" + s + " (" + dtype.substring(10, dtype.length() - 1) + ")";
    return switch (dtype) {
      case "bool" -> "boolean" + s;
      case "string", "large_string" -> plural ? "texts" : "text";
      case "binary" -> "bytes";
      default -> dtype;
    };
  }

  // ---------------------------------------------------------------- parsing (all forms)

  /**
   * Top level: a YAML list of named entries, or a dict of name -> feature (datasets JSON or
   * shorthand).
   */
  static LinkedHashMap<String, Feature> parseTop(JsonNode node) {
    if (node == null || node.isNull()) throw new IllegalArgumentException("features: missing");
    if (node.isArray()) return parseYamlList(node, "");
    if (node.isObject()) return parseDict(node, "");
    throw new IllegalArgumentException(
        "features: expected a mapping or a list, got " + node.getNodeType());
  }

  private static LinkedHashMap<String, Feature> parseDict(JsonNode node, String prefix) {
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String path = prefix + e.getKey();
      out.put(e.getKey(), parseFeature(e.getValue(), path));
    }
    return out;
  }

  /**
   * One feature in dict form: datasets JSON object, one-element array, nested dict, or a shorthand
   * string.
   */
  static Feature parseFeature(JsonNode n, String path) {
    if (n == null || n.isNull()) throw bad(path, "missing type");
    if (n.isTextual()) return parseShorthand(n.textValue(), path);
    if (n.isArray()) {
      if (n.size() != 1)
        throw bad(
            path, "a list feature in array form must hold exactly one element, got " + n.size());
      return new Sequence(parseFeature(n.get(0), path + "[]"));
    }
    if (!n.isObject())
      throw bad(path, "expected a type name, a mapping or a one-element list, got " + n);
    if (!n.has("_type")) return new Struct(parseDict(n, path + "."));
    String type = n.get("_type").asText();
    try {
      switch (type) {
        case "Value":
          return new Value(required(n, "dtype", path).asText());
        case "ClassLabel":
          return classLabel(n, path);
        case "Sequence":
          return legacySequence(
              parseFeature(required(n, "feature", path), path + "[]"), length(n, path));
        case "List":
        case "LargeList":
          return new Sequence(
              parseFeature(required(n, "feature", path), path + "[]"), length(n, path));
        default:
          Matcher m = JSON_ARRAY.matcher(type);
          if (m.matches()) return arrayNd(n, Integer.parseInt(m.group(1)), path);
          Encoded e = parseEncoded(type, n, path);
          if (e != null) return e;
          throw bad(path, "unsupported feature _type '" + type + "'");
      }
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("feature '")) throw e;
      throw bad(path, e.getMessage());
    }
  }

  /**
   * datasets: a Sequence over a dict means a dict of lists (legacy TFDS semantics), kept for
   * compatibility.
   */
  private static Feature legacySequence(Feature inner, int length) {
    if (inner instanceof Struct st) {
      LinkedHashMap<String, Feature> lists = new LinkedHashMap<>();
      st.fields().forEach((k, v) -> lists.put(k, new Sequence(v, length)));
      return new Struct(lists);
    }
    return new Sequence(inner, length);
  }

  private static ClassLabel classLabel(JsonNode n, String path) {
    JsonNode names = n.get("names");
    List<String> out = new ArrayList<>();
    if (names != null && names.isArray()) {
      names.forEach(x -> out.add(x.asText()));
    } else if (names != null && names.isObject()) {
      // README form: {'0': neg, '1': pos}; every id 0..max must be present, as datasets requires.
      for (int i = 0; i < names.size(); i++) {
        JsonNode name = names.get(Integer.toString(i));
        if (name == null)
          throw bad(
              path,
              "class_label names must have ids 0.." + (names.size() - 1) + ", missing '" + i + "'");
        out.add(name.asText());
      }
    } else if (n.has("num_classes")) {
      for (int i = 0; i < n.get("num_classes").asInt(); i++) out.add(Integer.toString(i));
    } else {
      throw bad(path, "ClassLabel needs 'names'");
    }
    return new ClassLabel(out);
  }

  private static ArrayND arrayNd(JsonNode n, int rank, String path) {
    JsonNode shape = required(n, "shape", path);
    if (!shape.isArray() || shape.size() != rank) {
      throw bad(path, "Array" + rank + "D needs a shape of " + rank + " dimensions, got " + shape);
    }
    List<Integer> dims = new ArrayList<>();
    shape.forEach(d -> dims.add(d.isNull() ? null : d.asInt()));
    return new ArrayND(dims, required(n, "dtype", path).asText());
  }

  private static int length(JsonNode n, String path) {
    JsonNode l = n.get("length");
    if (l == null || l.isNull()) return -1;
    if (!l.canConvertToInt()) throw bad(path, "length must be an integer, got " + l);
    return l.asInt();
  }

  private static JsonNode required(JsonNode n, String key, String path) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) throw bad(path, "missing '" + key + "' in " + n);
    return v;
  }

  // ---------------------------------------------------------------- README YAML list (reading)

  private static LinkedHashMap<String, Feature> parseYamlList(JsonNode list, String prefix) {
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (JsonNode entry : list) {
      if (!entry.isObject() || !entry.hasNonNull("name")) {
        throw new IllegalArgumentException(
            "features"
                + (prefix.isEmpty() ? "" : " of '" + prefix + "'")
                + ": every list entry needs a 'name', got "
                + entry);
      }
      String name = entry.get("name").asText();
      out.put(name, parseYamlEntry(entry, prefix + name));
    }
    return out;
  }

  /**
   * The type keys of one YAML entry (name already taken): dtype | list | large_list | sequence |
   * struct.
   */
  private static Feature parseYamlEntry(JsonNode e, String path) {
    try {
      if (e.has("dtype")) return parseYamlDtype(e.get("dtype"), path);
      if (e.has("struct")) return new Struct(yamlStruct(e.get("struct"), path));
      for (String key : List.of("list", "large_list")) {
        if (e.has(key))
          return new Sequence(parseYamlItem(e.get(key), path + "[]"), length(e, path));
      }
      if (e.has("sequence")) {
        JsonNode inner = e.get("sequence");
        int len = inner.isObject() && inner.has("length") ? length(inner, path) : length(e, path);
        return legacySequence(parseYamlItem(inner, path + "[]"), len);
      }
    } catch (IllegalArgumentException ex) {
      if (ex.getMessage() != null && ex.getMessage().startsWith("feature '")) throw ex;
      throw bad(path, ex.getMessage());
    }
    throw bad(path, "expected one of dtype, list, large_list, sequence, struct in " + e);
  }

  private static LinkedHashMap<String, Feature> yamlStruct(JsonNode n, String path) {
    if (!n.isArray()) throw bad(path, "struct must be a list of named entries, got " + n);
    return parseYamlList(n, path + ".");
  }

  /**
   * The value under {@code list:}: a dtype string, a list of entries (struct), or a nested type
   * mapping.
   */
  private static Feature parseYamlItem(JsonNode n, String path) {
    if (n.isTextual()) return parseYamlDtype(n, path);
    if (n.isArray()) return new Struct(parseYamlList(n, path + "."));
    // datasets 5 writes a list of labels as `list: {class_label: {names: ..}}`: the dtype mapping
    // without its `dtype` key (likewise `array2_d`)
    if (n.isObject() && n.size() == 1) {
      String key = n.fieldNames().next();
      if (key.equals("class_label") || YAML_ARRAY.matcher(key).matches()) {
        return parseYamlDtype(n, path);
      }
    }
    if (n.isObject()) return parseYamlEntry(n, path);
    throw bad(path, "unsupported list item " + n);
  }

  private static Feature parseYamlDtype(JsonNode d, String path) {
    if (d.isTextual()) {
      // datasets: a word that is no Value dtype names a feature class ("image" -> Image)
      Encoded e = parseEncoded(camel(d.textValue()), NODES.objectNode(), path);
      return e != null ? e : new Value(d.textValue());
    }
    if (d.isObject() && d.size() == 1) {
      String key = d.fieldNames().next();
      JsonNode body = d.get(key);
      if (key.equals("class_label")) return classLabel(body, path);
      Matcher m = YAML_ARRAY.matcher(key);
      if (m.matches()) return arrayNd(body, Integer.parseInt(m.group(1)), path);
      if (body.isObject()) {
        Encoded e = parseEncoded(camel(key), body, path);
        if (e != null) return e;
      }
      throw bad(path, "unsupported dtype '" + key + "'");
    }
    throw bad(path, "unsupported dtype " + d);
  }

  // ---------------------------------------------------------------- shorthand

  /**
   * {@code int8}, {@code list<string>}, {@code list<float32>[3]}, {@code array2d<int8>(10,69)},
   * {@code class_label(neg,pos)}; nested: {@code list<list<int8>>}.
   */
  static Feature parseShorthand(String text, String path) {
    String s = text.trim();
    try {
      if (s.startsWith("list<") || s.startsWith("sequence<")) {
        int open = s.indexOf('<');
        int close = matchingAngle(s, open);
        if (close < 0) throw new IllegalArgumentException("unbalanced '<' in '" + text + "'");
        Feature inner = parseShorthand(s.substring(open + 1, close), path + "[]");
        String rest = s.substring(close + 1).trim();
        if (rest.isEmpty()) return new Sequence(inner);
        if (rest.startsWith("[") && rest.endsWith("]")) {
          return new Sequence(inner, Integer.parseInt(rest.substring(1, rest.length() - 1).trim()));
        }
        throw new IllegalArgumentException("unexpected '" + rest + "' after list<...>");
      }
      Matcher a = ARRAY_ND.matcher(s);
      if (a.matches()) {
        List<Integer> shape = new ArrayList<>();
        for (String dim : a.group(3).split(",")) {
          String t = dim.trim();
          shape.add(
              t.equals("None") || t.equals("null") || t.equals("-1") ? null : Integer.parseInt(t));
        }
        int rank = Integer.parseInt(a.group(1));
        if (shape.size() != rank) {
          throw new IllegalArgumentException(
              "array" + rank + "d needs " + rank + " dimensions, got " + shape.size());
        }
        return new ArrayND(shape, a.group(2));
      }
      Matcher c = CLASS_LABEL.matcher(s);
      if (c.matches()) {
        List<String> names = new ArrayList<>();
        for (String name : c.group(1).split(",")) {
          if (!name.isBlank()) names.add(name.trim());
        }
        if (names.isEmpty())
          throw new IllegalArgumentException(s + ": no names; write class_label(neg,pos)");
        return new ClassLabel(names);
      }
      if (s.equals("image")) return new Image();
      if (s.equals("audio")) return new Audio();
      if (s.equals("json")) return new Feature.Json();
      if (s.startsWith("class_label")) {
        // say what is missing rather than calling it an unknown dtype
        String rest = s.substring("class_label".length()).trim();
        String what =
            !rest.startsWith("(")
                ? "missing '('"
                : !rest.endsWith(")") ? "missing ')'" : "unexpected text";
        throw new IllegalArgumentException(s + ": " + what + "; write class_label(neg,pos)");
      }
      return new Value(s);
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("feature '")) throw e;
      throw bad(path, e.getMessage());
    }
  }

  /** datasets' snakecase_to_camelcase: "image" -> "Image". */
  private static String camel(String snake) {
    StringBuilder b = new StringBuilder();
    for (String part : snake.split("_")) {
      if (!part.isEmpty())
        b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }

  private static int matchingAngle(String s, int open) {
    int depth = 0;
    for (int i = open; i < s.length(); i++) {
      if (s.charAt(i) == '<') depth++;
      if (s.charAt(i) == '>' && --depth == 0) return i;
    }
    return -1;
  }

  private static IllegalArgumentException bad(String path, String why) {
    return new IllegalArgumentException("feature '" + path + "': " + why);
  }
}
