package io.hfbeam.io;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.PyJson;
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
import org.joda.time.ReadableInstant;

/**
 * JSON Lines exactly as Python writes {@code json.dumps(obj, ensure_ascii=False)} per line, so a Java export and
 * the Python tooling it replaces produce the same bytes (and the same sha256 on the Hub).
 *
 * <p>Value formats: fields in declared order; float64 as Python {@code repr(float)}; float32/float16 with the
 * shortest digits of the float32 value (0.1f prints {@code 0.1}; Python would print the widened double); uint64
 * unsigned; binary as a base64 string; timestamps as Python's naive {@code datetime.isoformat()} in UTC
 * ({@code 2024-01-02T03:04:05}, with {@code .ffffff} when there are sub-seconds).
 */
public final class JsonlRowWriter implements Closeable {
  private static final DateTimeFormatter ISO_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

  private final OutputStream out;
  private final Map<String, Feature> fields;
  private final StringBuilder line = new StringBuilder(256);

  public JsonlRowWriter(OutputStream out, Features features) {
    // String.getBytes has a fast path for non-ASCII text that an OutputStreamWriter's encoder loop lacks
    this.out = new BufferedOutputStream(out, 64 * 1024);
    this.fields = features.asMap(); // a copy: taken once, not per row
  }

  /** Writes one row and a {@code \n}. */
  public void write(Row row) throws IOException {
    line.setLength(0);
    appendStruct(line, row, fields);
    line.append('\n');
    out.write(line.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() throws IOException {
    out.close();
  }

  /** One row as a JSON object, without the line end. */
  public static String toJsonLine(Row row, Features f) {
    StringBuilder sb = new StringBuilder(256);
    appendStruct(sb, row, f.asMap());
    return sb.toString();
  }

  private static void appendStruct(StringBuilder sb, Row row, Map<String, Feature> fields) {
    sb.append('{');
    boolean first = true;
    for (Map.Entry<String, Feature> e : fields.entrySet()) {
      if (!first) sb.append(", ");
      first = false;
      PyJson.appendString(sb, e.getKey());
      sb.append(": ");
      appendValue(sb, row.getValue(e.getKey()), e.getValue());
    }
    sb.append('}');
  }

  private static void appendValue(StringBuilder sb, Object v, Feature f) {
    if (v == null) {
      sb.append("null");
    } else if (f instanceof Value val) {
      appendScalar(sb, v, val);
    } else if (f instanceof ClassLabel) {
      sb.append(((Number) v).longValue());
    } else if (f instanceof Sequence || f instanceof ArrayND) {
      Feature element = f instanceof Sequence s ? s.feature() : ((ArrayND) f).element();
      sb.append('[');
      boolean first = true;
      for (Object item : (Collection<?>) v) {
        if (!first) sb.append(", ");
        first = false;
        appendValue(sb, item, element);
      }
      sb.append(']');
    } else {
      appendStruct(sb, (Row) v, ((Struct) f).fields());
    }
  }

  private static void appendScalar(StringBuilder sb, Object v, Value f) {
    if (f.isTimestamp()) {
      PyJson.appendString(sb, isoformat(((ReadableInstant) v).getMillis()));
      return;
    }
    switch (f.dtype()) {
      case "bool" -> sb.append((Boolean) v ? "true" : "false");
      case "uint64" -> sb.append(Long.toUnsignedString(((Number) v).longValue()));
      case "float16", "float32" -> sb.append(PyJson.floatRepr(((Number) v).floatValue()));
      case "float64" -> sb.append(PyJson.floatRepr(((Number) v).doubleValue()));
      case "string", "large_string" -> PyJson.appendString(sb, (String) v);
      case "binary" -> PyJson.appendString(sb, Base64.getEncoder().encodeToString((byte[]) v));
      default -> sb.append(((Number) v).longValue()); // signed and small unsigned integers
    }
  }

  private static String isoformat(long millis) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(millis, 1000L),
        (int) Math.floorMod(millis, 1000L) * 1_000_000, ZoneOffset.UTC);
    String s = t.format(ISO_SECONDS);
    int micros = t.getNano() / 1000;
    return micros == 0 ? s : s + String.format(".%06d", micros);
  }
}
