package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import io.hfbeam.hf.Timestamps;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;

/**
 * Casts parsed values into a feature's Beam value (the Java types of {@code Features}' table, as
 * {@code HfParquetReader} builds them), following pyarrow's safe casts that {@code datasets}'
 * {@code table_cast} applies: an integral float into an int is fine, 2.5 is not; a numeric string
 * parses into a number, "abc" does not; a number into a string is its text; a struct into a string
 * is its JSON; a ClassLabel takes a name or an index below the number of names. A value that does
 * not fit throws {@link CastException} with a one-line reason naming the column.
 */
final class Casts {
  private Casts() {}

  /** A value that does not fit its feature. */
  static final class CastException extends Exception {
    CastException(String message) {
      super(message, null, false, false);
    }
  }

  /** A JSON record (an object) as a row of {@code schema}; keys not in the features fail. */
  static Row record(JsonNode obj, Map<String, Feature> fields, Schema schema) throws CastException {
    return struct(obj, fields, schema, "");
  }

  private static Row struct(JsonNode obj, Map<String, Feature> fields, Schema schema, String path)
      throws CastException {
    if (!obj.isObject()) {
      throw new CastException(
          (path.isEmpty() ? "a record" : "column `" + path + "`")
              + " must be a JSON object, got "
              + kind(obj));
    }
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
      String k = it.next();
      if (!fields.containsKey(k)) {
        throw new CastException(
            (path.isEmpty()
                    ? "column `" + k + "` is not in the features "
                    : "column `" + path + "`: key `" + k + "` is not in the struct ")
                + fields.keySet());
      }
    }
    List<Object> values = new ArrayList<>(schema.getFieldCount());
    for (Schema.Field f : schema.getFields()) {
      String name = f.getName();
      String sub = path.isEmpty() ? name : path + "." + name;
      values.add(json(obj.get(name), fields.get(name), f.getType(), sub));
    }
    return Row.withSchema(schema).addValues(values).build();
  }

  /** One JSON value into the feature {@code f} at {@code path} (for messages). */
  static Object json(JsonNode v, Feature f, FieldType t, String path) throws CastException {
    if (v == null || v.isNull() || v.isMissingNode()) return null;
    if (f instanceof ClassLabel c) {
      if (v.isTextual()) return label(v.textValue(), c, path);
      if (v.isIntegralNumber() || (v.isNumber() && isIntegral(v.decimalValue()))) {
        return labelIndex(v.bigIntegerValue(), c, path);
      }
      throw mismatch(v, "a class label", path);
    }
    if (f instanceof Value val) return scalar(v, val.dtype(), path);
    if (f instanceof Sequence s) {
      List<Object> out = list(v, s.feature(), t.getCollectionElementType(), path);
      if (s.length() >= 0 && out.size() != s.length()) {
        throw new CastException(
            "column `"
                + path
                + "`: a list of "
                + out.size()
                + " items, the feature has fixed length "
                + s.length());
      }
      return out;
    }
    if (f instanceof ArrayND a) {
      List<Object> out = list(v, a.element(), t.getCollectionElementType(), path);
      Integer first = a.shape().get(0);
      if (first != null && out.size() != first) {
        throw new CastException(
            "column `"
                + path
                + "`: "
                + out.size()
                + " items in the first dimension, the feature's shape is "
                + a.shape());
      }
      return out;
    }
    Struct st = (Struct) f;
    if (!v.isObject()) throw mismatch(v, "a struct", path);
    return struct(v, st.fields(), t.getRowSchema(), path);
  }

  private static List<Object> list(JsonNode v, Feature element, FieldType t, String path)
      throws CastException {
    if (!v.isArray()) throw mismatch(v, "a list", path);
    List<Object> out = new ArrayList<>(v.size());
    for (JsonNode item : v) out.add(json(item, element, t, path + "[]"));
    return out;
  }

  private static Object scalar(JsonNode v, String dtype, String path) throws CastException {
    if (dtype.startsWith("timestamp[")) return timestamp(v, dtype, path);
    switch (dtype) {
      case "string":
      case "large_string":
        if (v.isTextual()) return v.textValue();
        if (v.isBoolean()) return v.booleanValue() ? "true" : "false";
        if (v.isIntegralNumber()) return v.bigIntegerValue().toString();
        if (v.isNumber()) return doubleText(v.doubleValue());
        // a struct into a string feature is its JSON text (datasets' JSON builder does this, and a
        // Json column, which hf-beam reads as a string, stores that text)
        if (v.isObject() || v.isArray()) return v.toString();
        throw mismatch(v, "a string", path);
      case "binary":
        if (v.isTextual()) return v.textValue().getBytes(StandardCharsets.UTF_8);
        throw mismatch(v, "binary", path);
      case "bool":
        if (v.isBoolean()) return v.booleanValue();
        if (v.isNumber()) return v.doubleValue() != 0;
        if (v.isTextual()) return boolText(v.textValue(), path);
        throw mismatch(v, "a bool", path);
      case "float16":
      case "float32":
      case "float64":
        {
          double d;
          if (v.isNumber()) d = v.doubleValue();
          else if (v.isBoolean()) d = v.booleanValue() ? 1 : 0;
          else if (v.isTextual()) d = parseDouble(v.textValue(), dtype, path);
          else throw mismatch(v, dtype, path);
          return dtype.equals("float64") ? (Object) d : (Object) (float) d;
        }
      default:
        {
          BigInteger i;
          if (v.isIntegralNumber()) i = v.bigIntegerValue();
          else if (v.isNumber()) {
            BigDecimal d = v.decimalValue();
            if (!isIntegral(d)) {
              throw new CastException(
                  "column `" + path + "`: " + v + " is not an integer (" + dtype + ")");
            }
            i = d.toBigInteger();
          } else if (v.isBoolean()) i = v.booleanValue() ? BigInteger.ONE : BigInteger.ZERO;
          else if (v.isTextual()) i = parseInt(v.textValue(), dtype, path);
          else throw mismatch(v, dtype, path);
          return integer(i, dtype, path);
        }
    }
  }

  /** A CSV cell (already known not to be missing) into a feature. */
  static Object text(String s, Feature f, String path) throws CastException {
    if (f instanceof ClassLabel c) return label(s, c, path);
    if (!(f instanceof Value v)) {
      throw new CastException(
          "column `" + path + "`: a CSV cell cannot hold " + io.hfbeam.hf.Features.typeText(f));
    }
    String dtype = v.dtype();
    if (dtype.startsWith("timestamp[")) return timestamp(s, dtype, path);
    return switch (dtype) {
      case "string", "large_string" -> s;
      case "binary" -> s.getBytes(StandardCharsets.UTF_8);
      case "bool" -> pandasBool(s, path);
      case "float64" -> parseDouble(s, dtype, path);
      case "float16", "float32" -> (float) parseDouble(s, dtype, path);
      default -> integer(csvInt(s, dtype, path), dtype, path);
    };
  }

  /**
   * An int cell; an integral float ("2.0") is one too, as pyarrow's cast of a float chunk into an
   * int column takes it.
   */
  private static BigInteger csvInt(String s, String dtype, String path) throws CastException {
    String t = s.strip();
    if (CsvTypes.isInt(t)) return parseInt(t, dtype, path);
    Double d = CsvTypes.number(t);
    if (d != null && !d.isInfinite() && d == Math.rint(d)) {
      return new BigDecimal(d).toBigInteger();
    }
    throw new CastException("column `" + path + "`: '" + s + "' is not an integer (" + dtype + ")");
  }

  private static Object pandasBool(String s, String path) throws CastException {
    Boolean b = CsvTypes.bool(s);
    if (b == null) throw new CastException("column `" + path + "`: '" + s + "' is not a bool");
    return b;
  }

  private static Object label(String s, ClassLabel c, String path) throws CastException {
    int i = c.names().indexOf(s);
    if (i < 0) i = c.names().indexOf(s.strip());
    if (i >= 0) return (long) i;
    try {
      return labelIndex(new BigInteger(s.strip()), c, path);
    } catch (NumberFormatException e) {
      throw new CastException(
          "column `" + path + "`: '" + s + "' is not one of the class names " + c.names());
    }
  }

  private static Object labelIndex(BigInteger i, ClassLabel c, String path) throws CastException {
    // datasets accepts -1 (no label) and rejects an index at or past the number of names
    if (i.compareTo(BigInteger.valueOf(-1)) < 0
        || i.compareTo(BigInteger.valueOf(c.names().size())) >= 0) {
      throw new CastException(
          "column `"
              + path
              + "`: class label "
              + i
              + " is not below the "
              + c.names().size()
              + " class names");
    }
    return i.longValue();
  }

  private static Object integer(BigInteger i, String dtype, String path) throws CastException {
    long min;
    BigInteger max;
    switch (dtype) {
      case "int8" -> {
        min = Byte.MIN_VALUE;
        max = BigInteger.valueOf(Byte.MAX_VALUE);
      }
      case "int16" -> {
        min = Short.MIN_VALUE;
        max = BigInteger.valueOf(Short.MAX_VALUE);
      }
      case "int32" -> {
        min = Integer.MIN_VALUE;
        max = BigInteger.valueOf(Integer.MAX_VALUE);
      }
      case "uint8" -> {
        min = 0;
        max = BigInteger.valueOf(255);
      }
      case "uint16" -> {
        min = 0;
        max = BigInteger.valueOf(65535);
      }
      case "uint32" -> {
        min = 0;
        max = BigInteger.valueOf(4294967295L);
      }
      case "uint64" -> {
        min = 0;
        max = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
      }
      default -> {
        min = Long.MIN_VALUE;
        max = BigInteger.valueOf(Long.MAX_VALUE);
      }
    }
    if (i.compareTo(BigInteger.valueOf(min)) < 0 || i.compareTo(max) > 0) {
      throw new CastException("column `" + path + "`: " + i + " is out of range for " + dtype);
    }
    return switch (dtype) {
      case "int8" -> i.byteValue();
      case "int16", "uint8" -> i.shortValue();
      case "int32", "uint16" -> i.intValue();
      default -> i.longValue(); // uint64 above 2^63-1 wraps, as Features documents
    };
  }

  private static BigInteger parseInt(String s, String dtype, String path) throws CastException {
    try {
      return new BigInteger(s.startsWith("+") ? s.substring(1) : s);
    } catch (NumberFormatException e) {
      throw new CastException(
          "column `" + path + "`: '" + s + "' is not an integer (" + dtype + ")");
    }
  }

  private static double parseDouble(String s, String dtype, String path) throws CastException {
    Double d = CsvTypes.number(s);
    if (d == null) {
      throw new CastException("column `" + path + "`: '" + s + "' is not a number (" + dtype + ")");
    }
    return d;
  }

  private static boolean boolText(String s, String path) throws CastException {
    // pyarrow's string -> bool cast
    return switch (s) {
      case "true", "True", "TRUE", "1" -> true;
      case "false", "False", "FALSE", "0" -> false;
      default -> throw new CastException("column `" + path + "`: '" + s + "' is not a bool");
    };
  }

  /** An integer is a count of the dtype's unit after the epoch, as pyarrow casts it; exact. */
  private static Object timestamp(JsonNode v, String dtype, String path) throws CastException {
    if (v.isTextual()) return timestamp(v.textValue(), dtype, path);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw mismatch(v, dtype, path);
    String unit = Feature.Value.timestampUnit(dtype);
    try {
      return Timestamps.value(v.longValue(), unit, dtype);
    } catch (DateTimeException | ArithmeticException e) {
      throw new CastException(
          "column `"
              + path
              + "`: "
              + v.longValue()
              + " "
              + unit
              + " is out of range ("
              + dtype
              + ")");
    }
  }

  /**
   * pyarrow's string -> timestamp cast: at most as many fraction digits as the unit holds (none for
   * s, 3 for ms, 6 for us, 9 for ns), even zeros.
   */
  private static Object timestamp(String s, String dtype, String path) throws CastException {
    int digits =
        switch (Feature.Value.timestampUnit(dtype)) {
          case "s" -> 0;
          case "ms" -> 3;
          case "us" -> 6;
          default -> 9;
        };
    java.time.Instant t = isoInstant(s, digits);
    if (t == null && isoInstant(s, 9) != null) {
      throw new CastException(
          "column `"
              + path
              + "`: '"
              + s
              + "' has more fraction digits than "
              + dtype
              + " holds ("
              + digits
              + ")");
    }
    if (t == null) {
      throw new CastException(
          "column `" + path + "`: '" + s + "' is not an ISO 8601 timestamp (" + dtype + ")");
    }
    try {
      return Timestamps.value(t, dtype);
    } catch (ArithmeticException e) {
      throw new CastException("column `" + path + "`: '" + s + "' is out of range (" + dtype + ")");
    }
  }

  private static final Pattern ISO =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})"
              + "(?:[ T](\\d{2})(?::(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?"
              + "(Z|[+-]\\d{2}(?::?\\d{2})?)?)?");

  /**
   * The instant an ISO 8601 string spells as Arrow's parser reads it ({@code YYYY-MM-DD}, then
   * optionally {@code [ T]hh[:mm[:ss[.fff]]]} and a zone {@code Z} or {@code +hh[:mm]}; no zone is
   * UTC), in epoch milliseconds; null when it is not one, or when it has a fraction and {@code
   * fractions} is false (pyarrow infers {@code timestamp[s]} only from whole seconds).
   */
  static Long isoMillis(String s, boolean fractions) {
    java.time.Instant t = isoInstant(s, fractions ? 9 : 0);
    return t == null ? null : t.toEpochMilli();
  }

  /**
   * The instant of an ISO 8601 string as {@link #isoMillis} reads it, exact to the nanosecond; null
   * when it is not one or has more than {@code maxDigits} fraction digits.
   */
  static java.time.Instant isoInstant(String s, int maxDigits) {
    Matcher m = ISO.matcher(s);
    if (!m.matches() || (m.group(7) != null && m.group(7).length() > maxDigits)) return null;
    try {
      LocalDateTime t =
          LocalDateTime.of(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
              m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
              m.group(6) == null ? 0 : Integer.parseInt(m.group(6)));
      java.time.Instant i = t.toInstant(ZoneOffset.UTC);
      if (m.group(7) != null)
        i = i.plusNanos(Long.parseLong((m.group(7) + "00000000").substring(0, 9)));
      String zone = m.group(8);
      if (zone != null && !zone.equals("Z")) {
        String digits = zone.substring(1).replace(":", "");
        int minutes =
            Integer.parseInt(digits.substring(0, 2)) * 60
                + (digits.length() > 2 ? Integer.parseInt(digits.substring(2)) : 0);
        i = i.minusSeconds((zone.charAt(0) == '-' ? -1L : 1L) * minutes * 60L);
      }
      return i;
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static boolean isIntegral(BigDecimal d) {
    return d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
  }

  /** A double as pyarrow's cast to string writes it: no ".0" on integral values. */
  static String doubleText(double d) {
    if (Double.isNaN(d)) return "nan";
    if (Double.isInfinite(d)) return d > 0 ? "inf" : "-inf";
    if (d == Math.rint(d) && Math.abs(d) < 1e16) return Long.toString((long) d);
    return Double.toString(d);
  }

  private static CastException mismatch(JsonNode v, String wanted, String path) {
    return new CastException(
        "column `" + path + "`: cannot cast " + kind(v) + " " + excerpt(v) + " to " + wanted);
  }

  private static String kind(JsonNode v) {
    if (v.isObject()) return "an object";
    if (v.isArray()) return "a list";
    if (v.isTextual()) return "a string";
    if (v.isBoolean()) return "a bool";
    if (v.isNumber()) return "a number";
    return v.getNodeType().toString().toLowerCase();
  }

  private static String excerpt(JsonNode v) {
    String s = v.toString();
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
