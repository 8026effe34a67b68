package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Infers features from sample records the way pyarrow's JSON reader would (integers int64, other
 * numbers float64, text string, arrays lists, objects structs), so an inferred dataset loads with
 * the types users expect. Conflicting kinds widen (int64 + float64 = float64; anything else with
 * string = string).
 */
public final class FeatureInference {
  /**
   * An empty list says nothing about its items: it stands for "a list of anything" until a list
   * with items comes (it is a list of strings only if none ever does). Told apart by identity, as
   * it equals list&lt;string&gt;.
   */
  private static final Feature EMPTY_LIST = new Feature.Sequence(new Feature.Value("string"), -1);

  private final LinkedHashMap<String, Feature> fields = new LinkedHashMap<>();

  /**
   * Per top-level column, the first record that made its type wider, and how many records did not
   * fit before.
   */
  private final LinkedHashMap<String, Widening> widenings = new LinkedHashMap<>();

  private final boolean textValues;

  private static final class Widening {
    final Feature from;
    final String first;
    Feature to;
    long records = 1;

    Widening(Feature from, Feature to, String first) {
      this.from = from;
      this.to = to;
      this.first = first;
    }
  }

  /**
   * @param textValues values are text to be parsed (CSV): numbers and bools are recognised inside
   *     strings
   */
  public FeatureInference(boolean textValues) {
    this.textValues = textValues;
  }

  /**
   * @param where the record's place for messages, e.g. {@code a.jsonl line 7}
   */
  public void add(JsonNode record, String where) {
    for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      Feature cur = fields.get(e.getKey());
      Feature own = of(e.getValue());
      Feature next = widen(cur, own);
      fields.put(e.getKey(), next);
      track(e.getKey(), cur, own, next, where);
    }
  }

  /**
   * Notes where {@code own} (one record's type at {@code path}) made {@code cur} into {@code next}.
   */
  private void track(String path, Feature cur, Feature own, Feature next, String where) {
    if (cur == null || own == null || cur == EMPTY_LIST || own == EMPTY_LIST) return;
    if (cur instanceof Feature.Struct cs && next instanceof Feature.Struct ns) {
      // a dict gaining keys is not a widening; its fields may be
      Feature.Struct os = own instanceof Feature.Struct o ? o : null;
      cs.fields()
          .forEach(
              (k, f) ->
                  track(
                      path + "." + k,
                      f,
                      os == null ? null : os.fields().get(k),
                      ns.fields().get(k),
                      where));
      return;
    }
    if (cur instanceof Feature.Sequence cq && next instanceof Feature.Sequence nq) {
      track(
          path + "[]",
          cq.feature(),
          own instanceof Feature.Sequence oq ? oq.feature() : null,
          nq.feature(),
          where);
      return;
    }
    Widening w = widenings.get(path);
    if (w == null) {
      if (!next.equals(cur)) widenings.put(path, new Widening(cur, next, where));
    } else {
      w.to = next;
      if (!widen(w.from, own).equals(w.from)) w.records++;
    }
  }

  /**
   * One line per column whose type a record made wider than the records before it had it, e.g.
   * {@code column `age`: int64 widened to string by 1 record: a.jsonl line 7}: often one bad
   * record.
   */
  public List<String> widenings() {
    List<String> out = new java.util.ArrayList<>();
    widenings.forEach(
        (name, w) ->
            out.add(
                "column `"
                    + name
                    + "`: "
                    + Features.typeText(w.from)
                    + " widened to "
                    + Features.typeText(w.to)
                    + " by "
                    + w.records
                    + (w.records == 1 ? " record" : " records")
                    + (w.first == null
                        ? ""
                        : (w.records == 1 ? ": " : ", the first: ") + w.first)));
    return out;
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
      return element == null ? EMPTY_LIST : new Feature.Sequence(element, -1);
    }
    LinkedHashMap<String, Feature> sub = new LinkedHashMap<>();
    merge(sub, v);
    sub.replaceAll((k, f) -> f == null ? new Feature.Value("string") : f);
    return new Feature.Struct(sub);
  }

  private static Feature ofText(String s) {
    String t = s.trim();
    if (t.matches("[-+]?\\d{1,18}")) return new Feature.Value("int64");
    if (t.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")
        || List.of("nan", "inf", "-inf").contains(t.toLowerCase())) {
      return new Feature.Value("float64");
    }
    if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return new Feature.Value("bool");
    return new Feature.Value("string");
  }

  static Feature widen(Feature a, Feature b) {
    if (a == null) return b;
    if (a == EMPTY_LIST && b instanceof Feature.Sequence) return b;
    if (b == EMPTY_LIST && a instanceof Feature.Sequence) return a;
    if (b == null || a.equals(b)) return a;
    if (a instanceof Feature.Value va && b instanceof Feature.Value vb) {
      List<String> numeric = List.of("int64", "float64");
      if (numeric.contains(va.dtype()) && numeric.contains(vb.dtype()))
        return new Feature.Value("float64");
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
