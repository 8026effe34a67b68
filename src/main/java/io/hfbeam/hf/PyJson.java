package io.hfbeam.hf;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;
import com.fasterxml.jackson.core.io.schubfach.FloatToDecimal;
import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Iterator;
import java.util.Map;

/**
 * Text exactly as Python's {@code json.dumps(obj, ensure_ascii=False)} writes it. Byte-identical
 * output matters because files are content-addressed on the Hub (same rows must give the same
 * sha256 as the Python tooling).
 */
public final class PyJson {
  /*
   * Java's Double.toString spec (which Schubfach implements) never emits a single digit when two digits are closer
   * to the value (Double.MIN_VALUE is "4.9E-324"); Python emits the shortest string ("5e-324"). So a two-digit
   * result is retried with one digit, the nearest first.
   */
  private static final RoundingMode[] ONE_DIGIT_ORDER = {
    RoundingMode.HALF_EVEN, RoundingMode.DOWN, RoundingMode.UP
  };

  private PyJson() {}

  /**
   * Appends a quoted string with Python's escapes; non-ASCII is kept as is (ensure_ascii=False).
   */
  public static void appendString(StringBuilder out, String s) {
    out.append('"');
    int run = 0; // start of the pending run of characters that need no escape, appended in one call
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out.append(s, run, i);
      run = i + 1;
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> out.append(String.format("\\u%04x", (int) c));
      }
    }
    out.append(s, run, s.length());
    out.append('"');
  }

  /**
   * Python {@code repr(float)}: the shortest digits that round-trip (Schubfach, as Python's dtoa
   * mode 0), fixed notation when 1e-4 <= |x| < 1e16, otherwise {@code 1e-05} style, and {@code
   * NaN}/{@code Infinity} as json.dumps.
   */
  public static String floatRepr(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (Double.isInfinite(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) return (1 / d < 0) ? "-0.0" : "0.0";
    String java = DoubleToDecimal.toString(d);
    // Java writes 1e-3 <= |d| < 1e7 in plain notation with the same shortest digits as Python: no
    // rewrite needed (its one-or-two-digit rule below only bites where doubles are too sparse for
    // that, far outside this range)
    if (java.indexOf('E') < 0) return java;
    BigDecimal shortest = new BigDecimal(java);
    if (shortest.stripTrailingZeros().precision() == 2) {
      BigDecimal exact = new BigDecimal(d);
      for (RoundingMode mode : ONE_DIGIT_ORDER) {
        BigDecimal one = exact.round(new MathContext(1, mode));
        if (Double.parseDouble(one.toString()) == d) return pythonStyle(one);
      }
    }
    return pythonStyle(shortest);
  }

  /**
   * A float32 printed with the shortest digits that round-trip <em>as a float32</em> (0.1f prints
   * as 0.1, not as Python's repr of the widened double 0.10000000149011612). This is what numpy's
   * float32 repr and pyarrow show.
   */
  public static String floatRepr(float f) {
    if (Float.isNaN(f)) return "NaN";
    if (Float.isInfinite(f)) return f > 0 ? "Infinity" : "-Infinity";
    if (f == 0) return (1 / f < 0) ? "-0.0" : "0.0";
    String java = FloatToDecimal.toString(f);
    if (java.indexOf('E') < 0) return java; // as for doubles above
    BigDecimal shortest = new BigDecimal(java);
    if (shortest.stripTrailingZeros().precision() == 2) {
      BigDecimal exact = new BigDecimal(f);
      for (RoundingMode mode : ONE_DIGIT_ORDER) {
        BigDecimal one = exact.round(new MathContext(1, mode));
        if (Float.parseFloat(one.toString()) == f) return pythonStyle(one);
      }
    }
    return pythonStyle(shortest);
  }

  private static String pythonStyle(BigDecimal value) {
    BigDecimal v = value.stripTrailingZeros();
    String digits = v.unscaledValue().abs().toString();
    String sign = v.signum() < 0 ? "-" : "";
    int exp = digits.length() - 1 - v.scale(); // decimal exponent of the first digit
    StringBuilder out = new StringBuilder(sign);
    if (exp < -4 || exp >= 16) {
      out.append(digits.charAt(0));
      if (digits.length() > 1) out.append('.').append(digits, 1, digits.length());
      out.append('e').append(exp < 0 ? '-' : '+');
      int abs = Math.abs(exp);
      if (abs < 10) out.append('0');
      out.append(abs);
    } else if (exp >= 0) {
      if (digits.length() <= exp + 1) {
        out.append(digits).append("0".repeat(exp + 1 - digits.length())).append(".0");
      } else {
        out.append(digits, 0, exp + 1).append('.').append(digits, exp + 1, digits.length());
      }
    } else {
      out.append("0.").append("0".repeat(-exp - 1)).append(digits);
    }
    return out.toString();
  }

  /** Writes a Jackson tree with Python's default separators {@code ", "} and {@code ": "}. */
  public static void write(StringBuilder out, JsonNode node) {
    if (node.isObject()) {
      out.append('{');
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      boolean first = true;
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!first) out.append(", ");
        first = false;
        appendString(out, e.getKey());
        out.append(": ");
        write(out, e.getValue());
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) out.append(", ");
        write(out, node.get(i));
      }
      out.append(']');
    } else if (node.isTextual()) {
      appendString(out, node.textValue());
    } else if (node.isFloatingPointNumber()) {
      out.append(floatRepr(node.doubleValue()));
    } else {
      out.append(node.toString()); // integers, booleans, null
    }
  }

  public static String toString(JsonNode node) {
    StringBuilder sb = new StringBuilder();
    write(sb, node);
    return sb.toString();
  }
}
