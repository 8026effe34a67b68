package io.hfbeam.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.Timestamps;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Instant;

/**
 * Converts JSON values into the Java values a Beam Row holds for a Hugging Face feature. Strict by
 * default (a number where a string is declared is an error); with {@code cast} it parses text as
 * numbers and bools (CSV values are text), takes an integral float literal as an integer and 0/1 as
 * a bool. No value changes silently: an integer out of its type's range, a fraction where an
 * integer is declared, a float that overflows its type (or is NaN/Infinity, which JSON cannot
 * hold), a number or bool where text is declared, and a string holding a lone UTF-16 surrogate are
 * errors. The one rounding is to the nearest value of a float type.
 */
public final class JsonValues {
  /** The fraction of a second in an ISO-8601 time: group 1 its digits. */
  private static final java.util.regex.Pattern FRACTION =
      java.util.regex.Pattern.compile("(?<=[T ]\\d{2}:\\d{2}:\\d{2})[.,](\\d+)");

  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT =
      new com.fasterxml.jackson.databind.ObjectMapper()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private JsonValues() {}

  /** A value that does not fit its declared feature; the message names what was expected. */
  public static final class TypeMismatch extends RuntimeException {
    TypeMismatch(String message) {
      super(message);
    }
  }

  public static Object convert(JsonNode node, Feature feature, boolean cast) {
    return convert(node, feature, cast, false);
  }

  /**
   * @param asText numbers and bools where text is wanted are kept as their text (inferred features
   *     only)
   */
  public static Object convert(JsonNode node, Feature feature, boolean cast, boolean asText) {
    if (node == null || node.isNull() || node.isMissingNode()) return null;
    if (feature instanceof Feature.Value v) {
      if (asText
          && (node.isNumber() || node.isBoolean())
          && (v.dtype().equals("string") || v.dtype().equals("large_string"))) {
        return node.asText();
      }
      return scalar(node, v.dtype(), cast);
    }
    if (feature instanceof Feature.ClassLabel c) return classLabel(node, c, cast);
    if (feature instanceof Feature.Sequence s) {
      List<Object> items = list(node, s.feature(), cast, asText);
      if (s.length() >= 0 && items.size() != s.length()) {
        throw new TypeMismatch("expected a list of length " + s.length() + ", got " + items.size());
      }
      return items;
    }
    if (feature instanceof Feature.ArrayND a) return array(node, a.shape(), 0, a.dtype(), cast);
    if (feature instanceof Feature.Struct st) return struct(node, st.fields(), cast, asText);
    if (feature instanceof Feature.Image || feature instanceof Feature.Audio) {
      return bytesAndPath(node, (Feature.Struct) Feature.storageOf(feature));
    }
    if (feature instanceof Feature.Translation t) {
      Feature.Struct storage = (Feature.Struct) t.storage();
      if (node.isObject()) {
        node.fieldNames()
            .forEachRemaining(
                lang -> {
                  if (!storage.fields().containsKey(lang))
                    throw new TypeMismatch(
                        "language '" + lang + "' is not one of " + t.languages());
                });
      }
      return struct(node, storage.fields(), cast, asText);
    }
    if (feature instanceof Feature.TranslationVariableLanguages t) {
      return variableTranslation(node, t);
    }
    if (feature instanceof Feature.Json) return jsonText(node);
    throw new IllegalArgumentException("unsupported feature " + feature);
  }

  /**
   * An Image or Audio value as datasets encodes it: a path string, or an object with {@code bytes}
   * (base64 text here, as JSON has no bytes and hf-beam writes binary so) and/or {@code path}; one
   * of them must be set.
   */
  private static Row bytesAndPath(JsonNode node, Feature.Struct storage) {
    Schema schema = Features.of(storage.fields()).beamSchema();
    if (node.isTextual())
      return Row.withSchema(schema).addValues(null, text(node.asText())).build();
    if (!node.isObject())
      throw new TypeMismatch("expected a path or an object with bytes and path, got " + kind(node));
    node.fieldNames()
        .forEachRemaining(
            k -> {
              if (!k.equals("bytes") && !k.equals("path"))
                throw new TypeMismatch("unexpected key '" + k + "'; expected bytes and path");
            });
    byte[] bytes = (byte[]) scalar(node.get("bytes"), "binary", false);
    String path = (String) scalar(node.get("path"), "string", false);
    if (bytes == null && path == null)
      throw new TypeMismatch("needs one of bytes or path, both are missing or null");
    return Row.withSchema(schema).addValues(bytes, path).build();
  }

  /**
   * datasets' Json.encode_example: a value is kept as its compact JSON text; a string that is JSON
   * text already is kept as it is, any other string becomes a JSON string.
   */
  private static String jsonText(JsonNode node) {
    if (node.isTextual()) {
      String s = text(node.textValue());
      try {
        JsonNode parsed = STRICT.readTree(s);
        return parsed == null || parsed.isMissingNode() ? node.toString() : s;
      } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
        return node.toString();
      }
    }
    return node.toString();
  }

  /**
   * datasets' TranslationVariableLanguages.encode_example: {lang: text or [texts]} becomes the
   * (language, translation) pairs sorted; an already encoded {language, translation} is kept.
   */
  private static Row variableTranslation(JsonNode node, Feature.TranslationVariableLanguages t) {
    Feature.Struct storage = (Feature.Struct) t.storage();
    Schema schema = Features.of(storage.fields()).beamSchema();
    if (!node.isObject()) throw new TypeMismatch("expected an object, got " + kind(node));
    if (node.size() == 2 && node.has("language") && node.has("translation")) {
      return struct(node, storage.fields(), false, false);
    }
    List<String[]> pairs = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = node.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String lang = e.getKey();
      if (!t.languages().isEmpty() && !t.languages().contains(lang))
        throw new TypeMismatch("language '" + lang + "' is not one of " + t.languages());
      JsonNode v = e.getValue();
      if (v.isTextual()) {
        pairs.add(new String[] {lang, text(v.textValue())});
      } else if (v.isArray()) {
        for (JsonNode x : v) {
          if (!x.isTextual()) throw new TypeMismatch(lang + ": expected texts, got " + kind(x));
          pairs.add(new String[] {lang, text(x.textValue())});
        }
      } else {
        throw new TypeMismatch(lang + ": expected a text or a list of texts, got " + kind(v));
      }
    }
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    List<Object> langs = new ArrayList<>();
    List<Object> texts = new ArrayList<>();
    pairs.forEach(
        p -> {
          langs.add(p[0]);
          texts.add(p[1]);
        });
    return Row.withSchema(schema).addValues(langs, texts).build();
  }

  private static List<Object> list(JsonNode node, Feature element, boolean cast, boolean asText) {
    if (!node.isArray()) throw new TypeMismatch("expected a list, got " + kind(node));
    List<Object> out = new ArrayList<>(node.size());
    for (JsonNode item : node) out.add(convert(item, element, cast, asText));
    return out;
  }

  private static List<Object> array(
      JsonNode node, List<Integer> shape, int dim, String dtype, boolean cast) {
    if (!node.isArray())
      throw new TypeMismatch("expected a nested list of shape " + shape + ", got " + kind(node));
    Integer want = shape.get(dim);
    if (want != null && want >= 0 && node.size() != want) {
      throw new TypeMismatch(
          "expected "
              + want
              + " items in dimension "
              + dim
              + " of shape "
              + shape
              + ", got "
              + node.size());
    }
    List<Object> out = new ArrayList<>(node.size());
    for (JsonNode item : node) {
      out.add(
          dim == shape.size() - 1
              ? scalar(item, dtype, cast)
              : array(item, shape, dim + 1, dtype, cast));
    }
    return out;
  }

  private static Row struct(
      JsonNode node, LinkedHashMap<String, Feature> fields, boolean cast, boolean asText) {
    if (!node.isObject()) throw new TypeMismatch("expected an object, got " + kind(node));
    Schema schema = Features.of(fields).beamSchema();
    Object[] values = new Object[fields.size()];
    int i = 0;
    for (Map.Entry<String, Feature> f : fields.entrySet()) {
      try {
        values[i++] = convert(node.get(f.getKey()), f.getValue(), cast, asText);
      } catch (TypeMismatch e) {
        throw new TypeMismatch(f.getKey() + ": " + e.getMessage());
      }
    }
    return Row.withSchema(schema).addValues(values).build();
  }

  private static Long classLabel(JsonNode node, Feature.ClassLabel c, boolean cast) {
    if (node.isTextual()) {
      int idx = c.names().indexOf(text(node.asText()));
      if (idx < 0)
        throw new TypeMismatch(
            "'" + node.asText() + "' is not one of the class names " + c.names());
      return (long) idx;
    }
    if (node.isIntegralNumber()) {
      long v = node.canConvertToLong() ? node.longValue() : -1;
      if (v < 0 || v >= c.names().size())
        throw new TypeMismatch("class index " + v + " out of range 0.." + (c.names().size() - 1));
      return v;
    }
    throw new TypeMismatch("expected a class name or index, got " + kind(node));
  }

  static Object scalar(JsonNode node, String dtype, boolean cast) {
    if (node == null || node.isNull() || node.isMissingNode()) return null;
    switch (dtype) {
      case "string":
      case "large_string":
        // no cast from numbers: their text would be Java's (1e5 -> "100000.0"), not what the input
        // said
        if (node.isTextual()) return text(node.textValue());
        throw new TypeMismatch("expected a string, got " + kind(node));
      case "bool":
        if (node.isBoolean()) return node.asBoolean();
        if (cast
            && node.isTextual()
            && (node.asText().equalsIgnoreCase("true")
                || node.asText().equalsIgnoreCase("false"))) {
          return Boolean.parseBoolean(node.asText());
        }
        if (cast
            && node.isIntegralNumber()
            && node.canConvertToLong()
            && (node.asLong() == 0 || node.asLong() == 1)) {
          return node.asLong() == 1;
        }
        throw new TypeMismatch("expected a bool, got " + kind(node));
      case "float16":
      case "float32":
        {
          double d = number(node, dtype, cast);
          float f = (float) d;
          if (Float.isInfinite(f) || dtype.equals("float16") && Math.abs(d) > 65504) {
            throw new TypeMismatch(node.asText() + " is out of range for " + dtype);
          }
          return f;
        }
      case "float64":
        return number(node, dtype, cast);
      case "int8":
        return (byte) integer(node, dtype, Byte.MIN_VALUE, Byte.MAX_VALUE, cast);
      case "int16":
        return (short) integer(node, dtype, Short.MIN_VALUE, Short.MAX_VALUE, cast);
      case "int32":
        return (int) integer(node, dtype, Integer.MIN_VALUE, Integer.MAX_VALUE, cast);
      case "int64":
        return integer(node, dtype, Long.MIN_VALUE, Long.MAX_VALUE, cast);
      case "uint64":
        return unsigned64(node, cast);
      case "uint8":
        return (short) integer(node, dtype, 0, 255, cast);
      case "uint16":
        return (int) integer(node, dtype, 0, 65535, cast);
      case "uint32":
        return integer(node, dtype, 0, 4294967295L, cast);
      case "binary":
        if (node.isTextual()) {
          try {
            return Base64.getDecoder().decode(node.asText());
          } catch (IllegalArgumentException e) {
            throw new TypeMismatch("expected base64 text for binary");
          }
        }
        throw new TypeMismatch("expected base64 text for binary, got " + kind(node));
      default:
        if (dtype.startsWith("timestamp")) return timestamp(node, dtype);
        throw new IllegalArgumentException("unsupported dtype " + dtype);
    }
  }

  /**
   * An ISO-8601 string (as Joda reads it) or an integer count of the dtype's unit after the epoch
   * (as pyarrow takes one), exact: digits finer than the unit that are not zero are an error.
   */
  private static Object timestamp(JsonNode node, String dtype) {
    String unit = Feature.Value.timestampUnit(dtype);
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong())
        throw new TypeMismatch(node.asText() + " " + unit + " is out of the int64 range");
      try {
        return Timestamps.value(node.longValue(), unit, dtype);
      } catch (java.time.DateTimeException | ArithmeticException e) {
        throw new TypeMismatch(node.asText() + " " + unit + " is out of range for " + dtype);
      }
    }
    if (!node.isTextual())
      throw new TypeMismatch("expected an ISO-8601 timestamp or an integer, got " + kind(node));
    String text = node.asText();
    // Joda parses the text without its fraction (its instants hold milliseconds); the fraction,
    // up to nanoseconds, is added exactly
    java.util.regex.Matcher frac = FRACTION.matcher(text);
    String digits = frac.find() ? frac.group(1) : "";
    int held =
        switch (unit) {
          case "us" -> 6;
          case "ns" -> 9;
          default -> 3; // s and ms: Beam DATETIME holds milliseconds
        };
    if (digits.length() > held && !digits.substring(held).matches("0*")) {
      throw new TypeMismatch(
          "'"
              + text
              + "' has digits finer than "
              + dtype
              + " holds ("
              + (held == 3 ? "milliseconds" : held == 6 ? "microseconds" : "nanoseconds")
              + ")");
    }
    Instant whole;
    try {
      whole = Instant.parse(digits.isEmpty() ? text : frac.replaceFirst(""));
    } catch (IllegalArgumentException e) {
      throw new TypeMismatch("'" + text + "' is not an ISO-8601 timestamp");
    }
    String nine = (digits + "000000000").substring(0, 9);
    java.time.Instant t =
        java.time.Instant.ofEpochMilli(whole.getMillis()).plusNanos(Long.parseLong(nine));
    return Timestamps.value(t, dtype);
  }

  /**
   * Text as it is, unless it holds a lone surrogate (an escaped {@code \\ud800}): that is no
   * Unicode text.
   */
  private static String text(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          throw new TypeMismatch(
              String.format(
                  "a lone surrogate \\u%04x at character %d is not valid Unicode", (int) c, i));
        }
      }
    }
    return s;
  }

  private static double number(JsonNode node, String dtype, boolean cast) {
    double d;
    if (node.isNumber()) {
      d = node.doubleValue();
    } else if (cast && node.isTextual()) {
      String t = node.asText().trim();
      if (!DECIMAL.matcher(t).matches())
        throw new TypeMismatch("'" + node.asText() + "' is not a number (" + dtype + ")");
      d = Double.parseDouble(t);
    } else {
      throw new TypeMismatch("expected a number (" + dtype + "), got " + kind(node));
    }
    if (!Double.isFinite(d)) {
      throw new TypeMismatch(
          node.isNumber()
              ? "a number beyond the range of " + dtype + " (it reads as " + d + ")"
              : "'" + node.asText() + "' is out of range for " + dtype);
    }
    return d;
  }

  /**
   * A JSON-style decimal: no NaN, Infinity, hex or Java suffixes that Double.parseDouble would also
   * take.
   */
  private static final java.util.regex.Pattern DECIMAL =
      java.util.regex.Pattern.compile("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?");

  /**
   * Below 2^53 every integer is a double: an integral float literal there stands for exactly that
   * integer.
   */
  private static final double EXACT_DOUBLE_INTEGERS = 0x1p53;

  private static long integer(JsonNode node, String dtype, long min, long max, boolean cast) {
    long v;
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong())
        throw new TypeMismatch(node.asText() + " is out of range for " + dtype);
      v = node.longValue();
    } else if (node.isNumber() && cast) {
      v = integral(node.doubleValue(), node.asText(), dtype);
    } else if (cast && node.isTextual()) {
      String t = node.asText().trim();
      try {
        v = Long.parseLong(t);
      } catch (NumberFormatException e) {
        if (t.matches("[-+]?\\d+")) throw new TypeMismatch(t + " is out of range for " + dtype);
        if (!DECIMAL.matcher(t).matches())
          throw new TypeMismatch("'" + node.asText() + "' is not an integer (" + dtype + ")");
        v =
            integral(
                Double.parseDouble(t),
                t,
                dtype); // as a float literal in JSON: "2.0" is 2, "1.5" fails
      }
    } else {
      throw new TypeMismatch("expected an integer (" + dtype + "), got " + kind(node));
    }
    if (v < min || v > max) throw new TypeMismatch(v + " is out of range for " + dtype);
    return v;
  }

  private static long integral(double d, String text, String dtype) {
    if (d != Math.rint(d) || Double.isInfinite(d))
      throw new TypeMismatch(text + " is not an integer (" + dtype + ")");
    if (Math.abs(d) >= EXACT_DOUBLE_INTEGERS) {
      throw new TypeMismatch(
          text
              + " is out of range for "
              + dtype
              + " written as a float (write integers past 2^53 without a fraction or exponent)");
    }
    return (long) d;
  }

  /** uint64 as the signed long with the same bits (as Parquet stores it): 0 .. 2^64-1. */
  private static long unsigned64(JsonNode node, boolean cast) {
    java.math.BigInteger v;
    if (node.isIntegralNumber()) {
      v = node.bigIntegerValue();
    } else if (node.isNumber() && cast) {
      v = java.math.BigInteger.valueOf(integral(node.doubleValue(), node.asText(), "uint64"));
    } else if (cast && node.isTextual()) {
      try {
        v = new java.math.BigInteger(node.asText().trim());
      } catch (NumberFormatException e) {
        throw new TypeMismatch("'" + node.asText() + "' is not an integer (uint64)");
      }
    } else {
      throw new TypeMismatch("expected an integer (uint64), got " + kind(node));
    }
    if (v.signum() < 0 || v.bitLength() > 64)
      throw new TypeMismatch(v + " is out of range for uint64");
    return v.longValue();
  }

  static String kind(JsonNode node) {
    if (node.isTextual()) return "a string";
    if (node.isIntegralNumber()) return "an integer";
    if (node.isNumber()) return "a number";
    if (node.isBoolean()) return "a bool";
    if (node.isArray()) return "a list";
    if (node.isObject()) return "an object";
    return node.getNodeType().toString().toLowerCase();
  }
}
