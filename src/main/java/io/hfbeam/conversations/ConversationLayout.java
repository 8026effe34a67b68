package io.hfbeam.conversations;

import io.hfbeam.hf.Feature;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the {@code conversations} checkpoint stores the two things Arrow cannot take as they are:
 * datetimes (one Arrow timestamp column has one zone for all rows, Kura's may be naive or zoned row
 * by row) and metadata (a dict whose value types may differ row by row for the same key). Both
 * choices are lossless; {@link #SAFE} is right for any input, {@link Builder} picks the typed form
 * when the data allows it.
 *
 * <ul>
 *   <li>{@link Time#NAIVE}: every datetime naive: {@code timestamp[us]} holding the wall time.
 *       {@link Time#UTC}: every datetime zoned at offset 0: {@code timestamp[us, tz=UTC]}. {@link
 *       Time#TEXT}: anything else (other offsets, or naive and zoned mixed): a string with
 *       pydantic's ISO text, which keeps the offset.
 *   <li>Metadata {@code typed}: one column per key in a struct, when every key has one Kura type
 *       over all rows (int64 within range, float64, bool, string, or a list of one of these) and
 *       the rows' keys come in one order; an absent key is null (Kura's metadata has no None, so
 *       absent and null cannot be confused). Otherwise {@code Json}: the dict as its compact JSON
 *       text in a datasets {@code Json} column, which keeps 1 an int, 1.0 a float, true a bool and
 *       the key order.
 * </ul>
 */
public record ConversationLayout(Time time, LinkedHashMap<String, Feature> metadataColumns)
    implements java.io.Serializable {
  /** The timestamp column's form. */
  public enum Time {
    NAIVE("timestamp[us]"),
    UTC("timestamp[us, tz=UTC]"),
    TEXT("string");

    private final String dtype;

    Time(String dtype) {
      this.dtype = dtype;
    }

    public Feature feature() {
      return new Feature.Value(dtype);
    }
  }

  /** Text times and JSON metadata: lossless for any input. */
  public static final ConversationLayout SAFE = new ConversationLayout(Time.TEXT, null);

  public ConversationLayout {
    metadataColumns = metadataColumns == null ? null : new LinkedHashMap<>(metadataColumns);
  }

  /** True when metadata is one typed column per key; false for the JSON column. */
  public boolean typedMetadata() {
    return metadataColumns != null;
  }

  @Override
  public LinkedHashMap<String, Feature> metadataColumns() {
    return metadataColumns == null ? null : new LinkedHashMap<>(metadataColumns);
  }

  /** The metadata feature: a struct of the typed columns, or a Json column. */
  public Feature metadataFeature() {
    return typedMetadata() ? new Feature.Struct(metadataColumns) : new Feature.Json();
  }

  /** Sees conversations one at a time (a first pass, or a sample) and gives the layout. */
  public static final class Builder {
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private boolean anyNaive;
    private boolean anyUtc;
    private boolean anyOther;
    private boolean jsonMetadata;
    private final List<String> order = new ArrayList<>();
    private final Map<String, String> types = new HashMap<>();

    public Builder add(Conversation c) {
      time(c.createdAt());
      c.messages().forEach(m -> time(m.createdAt()));
      if (!jsonMetadata) metadata(c.metadata());
      return this;
    }

    private void time(KuraTime t) {
      if (t.offset() == null) anyNaive = true;
      else if (t.offset().getTotalSeconds() == 0) anyUtc = true;
      else anyOther = true;
    }

    private void metadata(JsonValue.Obj md) {
      int prev = -1;
      for (Map.Entry<String, JsonValue> e : md.fields().entrySet()) {
        String key = e.getKey();
        String type = typeOf(e.getValue());
        if (key.isEmpty() || type == null) {
          jsonMetadata = true;
          return;
        }
        int pos = order.indexOf(key);
        if (pos < 0) {
          // a new key goes right after this row's previous one: rows seen before lack it
          pos = prev + 1;
          order.add(pos, key);
          types.put(key, type);
        } else if (pos <= prev) {
          jsonMetadata = true; // this row orders its keys differently
          return;
        } else {
          String known = types.get(key);
          if (known.equals("list") && type.startsWith("list")) {
            types.put(key, type); // an empty list said nothing about the element type
          } else if (!(type.equals("list") && known.startsWith("list")) && !known.equals(type)) {
            jsonMetadata = true;
            return;
          }
        }
        prev = pos;
      }
    }

    /** Kura's type of a value, "list" for an empty list; null when no typed column holds it. */
    private static String typeOf(JsonValue v) {
      if (v instanceof JsonValue.Str) return "string";
      if (v instanceof JsonValue.Bool) return "bool";
      if (v instanceof JsonValue.Real) return "float64";
      if (v instanceof JsonValue.Int i) return fitsLong(i) ? "int64" : null;
      if (v instanceof JsonValue.Arr a) {
        if (a.items().isEmpty()) return "list";
        String t = typeOf(a.items().get(0));
        if (t == null || t.startsWith("list")) return null;
        for (JsonValue x : a.items()) {
          if (!t.equals(typeOf(x))) return null;
        }
        return "list<" + t + ">";
      }
      return null;
    }

    private static boolean fitsLong(JsonValue.Int i) {
      return i.value().compareTo(LONG_MIN) >= 0 && i.value().compareTo(LONG_MAX) <= 0;
    }

    public ConversationLayout build() {
      Time time;
      if (anyOther || (anyNaive && anyUtc)) time = Time.TEXT;
      else if (anyUtc) time = Time.UTC;
      else time = Time.NAIVE;
      // no key in any row: an empty struct has no Parquet form (an empty group), {} as Json has
      if (jsonMetadata || order.isEmpty()) return new ConversationLayout(time, null);
      LinkedHashMap<String, Feature> cols = new LinkedHashMap<>();
      for (String key : order) {
        String t = types.get(key);
        Feature f;
        if (t.equals("list")) f = new Feature.Sequence(new Feature.Value("string"));
        else if (t.startsWith("list<")) {
          f = new Feature.Sequence(new Feature.Value(t.substring(5, t.length() - 1)));
        } else f = new Feature.Value(t);
        cols.put(key, f);
      }
      return new ConversationLayout(time, cols);
    }
  }
}
