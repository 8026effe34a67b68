package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The features {@code datasets}' JSON builder infers from its first block: pyarrow's JSON inference
 * (int64, float64 when ints and floats meet, bool, string, lists, structs whose keys are the union
 * of the records'; a null says nothing about a type), and {@code datasets}' {@code Json} type
 * wherever pyarrow cannot hold the values (a column whose kinds conflict, dicts with different
 * keys, an empty dict, dicts or lists mixed with scalars).
 *
 * <p>Decisions where hf-beam's feature model has no counterpart: a {@code Json} column is {@code
 * Value("string")} holding each value's JSON text (a string value stays as it is), which is what
 * {@code datasets} stores for it; a column seen only as null ({@code datasets}: {@code
 * Value("null")}) is {@code Value("string")}, all null; a list seen only empty is a list of
 * strings.
 */
final class JsonInference {
  /**
   * Stands for pyarrow's null type while inferring (a value only ever seen null, the items of lists
   * only ever seen empty); told apart by identity, it becomes a string at the end.
   */
  private static final Feature NULL = new Feature.Value("string");

  private final LinkedHashMap<String, Feature> inferred = new LinkedHashMap<>();
  private final List<JsonNode> records = new ArrayList<>();

  void add(JsonNode record, String where) {
    for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      inferred.put(e.getKey(), widen(inferred.get(e.getKey()), of(e.getValue())));
    }
    records.add(record);
  }

  /** pyarrow's type of one JSON value. */
  private static Feature of(JsonNode v) {
    if (v == null || v.isNull()) return NULL;
    if (v.isBoolean()) return new Feature.Value("bool");
    if (v.isIntegralNumber()) return new Feature.Value("int64");
    if (v.isNumber()) return new Feature.Value("float64");
    if (v.isTextual()) {
      // pyarrow's JSON reader reads whole-second ISO 8601 strings as timestamps
      return Casts.isoMillis(v.textValue(), false) != null
          ? new Feature.Value("timestamp[s]")
          : new Feature.Value("string");
    }
    if (v.isArray()) {
      Feature item = NULL;
      for (JsonNode x : v) item = widen(item, of(x));
      return new Feature.Sequence(item, -1);
    }
    LinkedHashMap<String, Feature> m = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), widen(m.get(e.getKey()), of(e.getValue())));
    }
    return new Feature.Struct(m);
  }

  /**
   * Two types of one place: null gives way, int64 and float64 make float64, structs merge their
   * keys, lists their items; any other pair is a conflict, which {@code datasets} makes a {@code
   * Json} column and hf-beam a string.
   */
  private static Feature widen(Feature a, Feature b) {
    if (a == null || a == NULL) return b;
    if (b == NULL) return a;
    if (a instanceof Feature.Value && a.equals(b)) return a;
    if (a instanceof Feature.Value va && b instanceof Feature.Value vb) {
      Set<String> numeric = Set.of("int64", "float64");
      if (numeric.contains(va.dtype()) && numeric.contains(vb.dtype())) {
        return new Feature.Value("float64");
      }
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

  /** The null placeholders as strings (the identity check must see the original instances). */
  private static Feature settle(Feature f) {
    if (f == NULL) return new Feature.Value("string");
    if (f instanceof Feature.Sequence s) return new Feature.Sequence(settle(s.feature()), -1);
    if (f instanceof Feature.Struct st) {
      LinkedHashMap<String, Feature> m = new LinkedHashMap<>();
      st.fields().forEach((k, v) -> m.put(k, settle(v)));
      return new Feature.Struct(m);
    }
    return f;
  }

  Features features() {
    LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();
    inferred.forEach((k, v) -> fields.put(k, settle(v)));
    for (List<Object> path : mixedPaths(records)) {
      String top = (String) path.get(0);
      Feature f = fields.get(top);
      if (f != null) fields.put(top, toString(f, path.subList(1, path.size())));
    }
    return Features.of(fields);
  }

  /** Replaces the feature at {@code path} (keys; 0 for a list's items) with a string. */
  private static Feature toString(Feature f, List<Object> path) {
    if (path.isEmpty()) return new Feature.Value("string");
    Object step = path.get(0);
    List<Object> rest = path.subList(1, path.size());
    if (step instanceof Integer && f instanceof Feature.Sequence s) {
      return new Feature.Sequence(toString(s.feature(), rest), s.length());
    }
    if (step instanceof String k && f instanceof Feature.Struct st && st.fields().containsKey(k)) {
      LinkedHashMap<String, Feature> m = new LinkedHashMap<>(st.fields());
      m.put(k, toString(m.get(k), rest));
      return new Feature.Struct(m);
    }
    return new Feature.Value("string");
  }

  /** {@code datasets.utils.json.find_mixed_struct_types_field_paths}, over the block's records. */
  static List<List<Object>> mixedPaths(List<JsonNode> examples) {
    List<List<Object>> out = new ArrayList<>();
    List<Object[]> queue = new ArrayList<>();
    queue.add(new Object[] {List.of(), nonNull(examples)});
    while (!queue.isEmpty()) {
      Object[] item = queue.remove(0);
      @SuppressWarnings("unchecked")
      List<Object> path = (List<Object>) item[0];
      @SuppressWarnings("unchecked")
      List<JsonNode> content = (List<JsonNode>) item[1];
      if (content.isEmpty()) continue;
      if (content.stream().allMatch(JsonNode::isObject)) {
        Set<String> first = keys(content.get(0));
        boolean mixed = content.stream().anyMatch(x -> !keys(x).equals(first)) || first.isEmpty();
        if (!path.isEmpty() && mixed) {
          out.add(path);
        } else {
          Set<String> all = new java.util.LinkedHashSet<>();
          for (JsonNode x : content) all.addAll(keys(x));
          for (String k : all) {
            List<JsonNode> sub = new ArrayList<>();
            for (JsonNode x : content) {
              JsonNode v = x.get(k);
              if (v != null && !v.isNull()) sub.add(v);
            }
            if (sub.isEmpty()) continue;
            List<Object> p = new ArrayList<>(path);
            p.add(k);
            queue.add(new Object[] {p, sub});
          }
        }
      } else if (content.stream().allMatch(JsonNode::isArray)) {
        List<JsonNode> sub = new ArrayList<>();
        for (JsonNode x : content) for (JsonNode y : x) if (!y.isNull()) sub.add(y);
        if (sub.isEmpty()) continue;
        List<Object> p = new ArrayList<>(path);
        p.add(0);
        queue.add(new Object[] {p, sub});
      } else if (content.stream().anyMatch(x -> x.isObject() || x.isArray())) {
        out.add(path);
      }
    }
    return out;
  }

  private static List<JsonNode> nonNull(List<JsonNode> l) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : l) if (n != null && !n.isNull()) out.add(n);
    return out;
  }

  private static Set<String> keys(JsonNode obj) {
    Set<String> s = new HashSet<>();
    for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) s.add(it.next());
    return s;
  }
}
