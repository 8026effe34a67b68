package io.hfbeam.source;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/** A Beam row as plain Java maps and lists, for comparing with JSON. */
final class RowJson {
  private RowJson() {}

  static Map<String, Object> of(Row row) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < row.getFieldCount(); i++) {
      out.put(row.getSchema().getField(i).getName(), value(row.getValue(i)));
    }
    return out;
  }

  private static Object value(Object v) {
    if (v instanceof Row r) return of(r);
    if (v instanceof Iterable<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object x : l) out.add(value(x));
      return out;
    }
    if (v instanceof byte[] b) return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    if (v instanceof org.joda.time.Instant t) return t.toString();
    if (v instanceof java.time.Instant t) return t.toString();
    return v;
  }
}
