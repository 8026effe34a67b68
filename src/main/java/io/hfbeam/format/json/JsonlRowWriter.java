package io.hfbeam.format.json;

import io.hfbeam.format.Bytes;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.PyJson;
import io.hfbeam.hf.Timestamps;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * JSON Lines exactly as Python writes {@code json.dumps(obj, ensure_ascii=False)} per line, so a
 * Java export and the Python tooling it replaces produce the same bytes (and the same sha256 on the
 * Hub).
 *
 * <p>Value formats: fields in declared order; float64 as Python {@code repr(float)};
 * float32/float16 with the shortest digits of the float32 value (0.1f prints {@code 0.1}; Python
 * would print the widened double); uint64 unsigned; binary as a base64 string; timestamps as
 * Python's naive {@code datetime.isoformat()} in UTC ({@code 2024-01-02T03:04:05}, with {@code
 * .ffffff} when there are sub-seconds; {@code .fffffffff} for nanoseconds, as pandas prints them).
 */
public final class JsonlRowWriter implements Closeable {
  private static final DateTimeFormatter ISO_SECONDS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");
  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final OutputStream out;
  private final Map<String, Feature> fields;
  private final Bytes line = new Bytes(512);

  public JsonlRowWriter(OutputStream out, Features features) {
    this.out = new BufferedOutputStream(out, 64 * 1024);
    this.fields = features.asMap(); // a copy: taken once, not per row
  }

  /** Writes one row and a {@code \n}. */
  public void write(Row row) throws IOException {
    line.reset();
    appendStruct(line, row, fields);
    line.write('\n');
    out.write(line.buf, 0, line.size);
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** One row as a JSON object, without the line end. */
  public static String toJsonLine(Row row, Features f) {
    Bytes b = new Bytes(256);
    appendStruct(b, row, f.asMap());
    return new String(b.buf, 0, b.size, StandardCharsets.UTF_8);
  }

  // The line is built as UTF-8 bytes, each string encoded and escaped in one pass.

  private static void appendStruct(Bytes b, Row row, Map<String, Feature> fields) {
    b.write('{');
    boolean first = true;
    for (Map.Entry<String, Feature> e : fields.entrySet()) {
      if (!first) ascii(b, ", ");
      first = false;
      appendString(b, e.getKey());
      ascii(b, ": ");
      appendValue(b, row.getValue(e.getKey()), e.getValue());
    }
    b.write('}');
  }

  private static void appendValue(Bytes b, Object v, Feature f) {
    f = Feature.storageOf(f);
    if (v == null) {
      ascii(b, "null");
    } else if (f instanceof Value val) {
      appendScalar(b, v, val);
    } else if (f instanceof ClassLabel) {
      ascii(b, Long.toString(((Number) v).longValue()));
    } else if (f instanceof Sequence || f instanceof ArrayND) {
      Feature element = f instanceof Sequence s ? s.feature() : ((ArrayND) f).element();
      b.write('[');
      boolean first = true;
      for (Object item : (Collection<?>) v) {
        if (!first) ascii(b, ", ");
        first = false;
        appendValue(b, item, element);
      }
      b.write(']');
    } else {
      appendStruct(b, (Row) v, ((Struct) f).fields());
    }
  }

  private static void appendScalar(Bytes b, Object v, Value f) {
    if (f.isTimestamp()) {
      appendString(b, isoformat(v));
      return;
    }
    switch (f.dtype()) {
      case "bool" -> ascii(b, (Boolean) v ? "true" : "false");
      case "uint64" -> ascii(b, Long.toUnsignedString(((Number) v).longValue()));
      case "float16", "float32", "float64" -> {
        // readers turn NaN/Infinity into failures first: JSON has no such tokens, a line holding
        // one is not JSON
        double d = ((Number) v).doubleValue();
        if (!Double.isFinite(d))
          throw new IllegalArgumentException(d + " cannot be written as JSON");
        ascii(
            b,
            f.dtype().equals("float64")
                ? PyJson.floatRepr(d)
                : PyJson.floatRepr(((Number) v).floatValue()));
      }
      case "string", "large_string" -> appendString(b, (String) v);
      case "binary" -> appendString(b, Base64.getEncoder().encodeToString((byte[]) v));
      default ->
          ascii(b, Long.toString(((Number) v).longValue())); // signed and small unsigned integers
    }
  }

  /**
   * A quoted string with Python's escapes; non-ASCII is kept as is (ensure_ascii=False), as {@link
   * PyJson}.
   */
  private static void appendString(Bytes b, String s) {
    // encoded char by char straight into the line: no intermediate byte[] per value
    int n = s.length();
    if (n > (Integer.MAX_VALUE - 64) / 6)
      throw new IllegalStateException("a string of " + n + " characters does not fit a JSON line");
    b.ensure(6 * n + 2); // at most 6 bytes per char (an escaped control character)
    byte[] buf = b.buf;
    int p = b.size;
    buf[p++] = '"';
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c != '"' && c != '\\') {
          buf[p++] = (byte) c;
          continue;
        }
        buf[p++] = '\\';
        switch (c) {
          case '"' -> buf[p++] = '"';
          case '\\' -> buf[p++] = '\\';
          case '\n' -> buf[p++] = 'n';
          case '\r' -> buf[p++] = 'r';
          case '\t' -> buf[p++] = 't';
          case '\b' -> buf[p++] = 'b';
          case '\f' -> buf[p++] = 'f';
          default -> {
            buf[p++] = 'u';
            buf[p++] = '0';
            buf[p++] = '0';
            buf[p++] = HEX[c >> 4];
            buf[p++] = HEX[c & 0xF];
          }
        }
      } else if (c < 0x800) {
        buf[p++] = (byte) (0xC0 | (c >> 6));
        buf[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        buf[p++] = (byte) (0xE0 | (c >> 12));
        buf[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
        buf[p++] = (byte) (0x80 | (c & 0x3F));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        buf[p++] = (byte) (0xF0 | (cp >> 18));
        buf[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        buf[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        buf[p++] = (byte) (0x80 | (cp & 0x3F));
      } else {
        buf[p++] = '?'; // a lone surrogate, replaced as String.getBytes(UTF_8) does
      }
    }
    buf[p++] = '"';
    b.size = p;
  }

  private static void ascii(Bytes b, String s) {
    int n = s.length();
    b.ensure(n);
    for (int i = 0; i < n; i++) b.buf[b.size + i] = (byte) s.charAt(i);
    b.size += n;
  }

  /**
   * Python's {@code isoformat()} of the value datasets gives ({@code ds[i]}): a datetime (six
   * fraction digits when there are sub-seconds) for s/ms/us, a pandas Timestamp for ns (nine digits
   * when there are sub-microseconds). datasets' own {@code to_json} is no model here: pandas writes
   * epoch milliseconds, cutting finer digits.
   */
  private static String isoformat(Object v) {
    java.time.Instant i = Timestamps.instant(v);
    LocalDateTime t = LocalDateTime.ofEpochSecond(i.getEpochSecond(), i.getNano(), ZoneOffset.UTC);
    String s = t.format(ISO_SECONDS);
    int nanos = t.getNano();
    if (nanos == 0) return s;
    return nanos % 1000 == 0
        ? s + String.format(".%06d", nanos / 1000)
        : s + String.format(".%09d", nanos);
  }
}
