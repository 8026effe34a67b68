package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers features from sample records the way pyarrow's JSON reader would (integers int64, other numbers
 * float64, text string, arrays lists, objects structs), so an inferred dataset loads with the types users expect.
 * Conflicting kinds widen (int64 + float64 = float64; anything else with string = string).
 */
public final class FeatureInference {
  private final LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
  private final boolean textValues;

  /** @param textValues values are text to be parsed (CSV): numbers and bools are recognised inside strings */
  public FeatureInference(boolean textValues) {
    this.textValues = textValues;
  }

  public void add(JsonNode record) {
    merge(fields, record);
  }

  public Features features() {
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    fields.forEach((k, v) -> out.put(k, v == null ? new Feature.Value("string") : v));
    return Features.of(out);
  }

  private void merge(LinkedHashMap<String, Feature> into, JsonNode obj) {
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      into.put(e.getKey(), widen(into.get(e.getKey()), of(e.getValue())));
    }
  }

  private Feature of(JsonNode v) {
    if (v == null || v.isNull()) return null;
    if (v.isBoolean()) return new Feature.Value("bool");
    if (v.isIntegralNumber()) return new Feature.Value("int64");
    if (v.isNumber()) return new Feature.Value("float64");
    if (v.isTextual()) return textValues ? ofText(v.asText()) : new Feature.Value("string");
    if (v.isArray()) {
      Feature element = null;
      for (JsonNode item : v) element = widen(element, of(item));
      return new Feature.Sequence(element == null ? new Feature.Value("string") : element, -1);
    }
    LinkedHashMap<String, Feature> sub = new LinkedHashMap<>();
    merge(sub, v);
    sub.replaceAll((k, f) -> f == null ? new Feature.Value("string") : f);
    return new Feature.Struct(sub);
  }

  private static Feature ofText(String s) {
    String t = s.trim();
    if (t.matches("[-+]?\\d{1,18}")) return new Feature.Value("int64");
    if (t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?") || List.of("nan", "inf", "-inf").contains(t.toLowerCase())) {
      return new Feature.Value("float64");
    }
    if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return new Feature.Value("bool");
    return new Feature.Value("string");
  }

  static Feature widen(Feature a, Feature b) {
    if (a == null) return b;
    if (b == null || a.equals(b)) return a;
    if (a instanceof Feature.Value va && b instanceof Feature.Value vb) {
      List<String> numeric = List.of("int64", "float64");
      if (numeric.contains(va.dtype()) && numeric.contains(vb.dtype())) return new Feature.Value("float64");
      return new Feature.Value("string");
    }
    if (a instanceof Feature.Sequence sa && b instanceof Feature.Sequence sb) {
      return new Feature.Sequence(widen(sa.feature(), sb.feature()), -1);
    }
    if (a instanceof Feature.Struct sa && b instanceof Feature.Struct sb) {
      LinkedHashMap<String, Feature> m = new LinkedHashMap<>(sa.fields());
      sb.fields().forEach((k, v) -> m.put(k, widen(m.get(k), v)));
      return new Feature.Struct(m);
    }
    return new Feature.Value("string");
  }
}
