package io.hfbeam.conversations;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable JSON value with Python's distinctions kept: an integer ({@code 1}) is not a float
 * ({@code 1.0}), object keys keep their order (a Python dict does, and Kura's JSON keeps it), and
 * integers are unbounded (Python's are). Used for metadata, whose values Kura keeps as given.
 */
public sealed interface JsonValue {

  /** A JSON string. */
  record Str(String value) implements JsonValue {
    public Str {
      Objects.requireNonNull(value, "value");
    }
  }

  /** A JSON integer (Python int: no size limit). */
  record Int(BigInteger value) implements JsonValue {
    public Int {
      Objects.requireNonNull(value, "value");
    }

    public static Int of(long v) {
      return new Int(BigInteger.valueOf(v));
    }
  }

  /** A JSON number with a fraction or exponent (Python float); always finite. */
  record Real(double value) implements JsonValue {
    public Real {
      if (!Double.isFinite(value)) {
        // pydantic writes inf/nan as null: a checkpoint could not give it back
        throw new IllegalArgumentException("not a finite float: " + value);
      }
    }

    @Override
    public boolean equals(Object o) {
      // bitwise, so -0.0 and 0.0 (written differently) are different values
      return o instanceof Real r
          && Double.doubleToRawLongBits(r.value) == Double.doubleToRawLongBits(value);
    }

    @Override
    public int hashCode() {
      return Double.hashCode(value);
    }
  }

  /** true or false. */
  record Bool(boolean value) implements JsonValue {}

  /** JSON null. */
  record Null() implements JsonValue {
    public static final Null INSTANCE = new Null();
  }

  /** A JSON array. */
  record Arr(List<JsonValue> items) implements JsonValue {
    public Arr {
      items = List.copyOf(items);
    }
  }

  /** A JSON object; key order is part of the value. */
  record Obj(Map<String, JsonValue> fields) implements JsonValue {
    public static final Obj EMPTY = new Obj(Map.of());

    public Obj {
      LinkedHashMap<String, JsonValue> copy = new LinkedHashMap<>();
      fields.forEach(
          (k, v) -> copy.put(Objects.requireNonNull(k, "key"), Objects.requireNonNull(v, k)));
      fields = Collections.unmodifiableMap(copy);
    }

    public JsonValue get(String key) {
      return fields.get(key);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Obj other) || !fields.equals(other.fields)) return false;
      Iterator<String> a = fields.keySet().iterator();
      Iterator<String> b = other.fields.keySet().iterator();
      while (a.hasNext()) {
        if (!a.next().equals(b.next())) return false;
      }
      return true;
    }

    @Override
    public int hashCode() {
      return fields.hashCode();
    }
  }

  static Str of(String s) {
    return new Str(s);
  }

  static Int of(long v) {
    return Int.of(v);
  }

  static Real of(double v) {
    return new Real(v);
  }

  static Bool of(boolean v) {
    return new Bool(v);
  }

  static Arr ofStrings(List<String> items) {
    List<JsonValue> out = new ArrayList<>(items.size());
    items.forEach(s -> out.add(new Str(s)));
    return new Arr(out);
  }
}
