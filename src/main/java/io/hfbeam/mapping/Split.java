package io.hfbeam.mapping;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * Assigns each record a named split by a seeded hash of a chosen key, so records sharing the key
 * (all positions of one game, all turns of one conversation) land in the same split, and the result
 * does not depend on the runner, the parallelism or the input order. Without key fields every
 * record is its own key (its position).
 */
public final class Split {
  private Split() {}

  /** Split names with ratios (normalised to sum 1), key fields and seed. */
  public static final class Settings implements Serializable {
    private final LinkedHashMap<String, Double> ratios;
    private final List<String> keyFields;
    private final long seed;

    private Settings(LinkedHashMap<String, Double> ratios, List<String> keyFields, long seed) {
      this.ratios = ratios;
      this.keyFields = keyFields;
      this.seed = seed;
    }

    public static Builder builder() {
      return new Builder();
    }

    public LinkedHashMap<String, Double> ratios() {
      return ratios;
    }

    public List<String> keyFields() {
      return keyFields;
    }

    /**
     * The ratios as a person wrote them ({@code train=0.95, test=0.05}): 1 - 0.95 is
     * 0.050000000000000044 in binary, so each is rounded to 15 significant digits, more than any
     * ratio typed needs. Display only: the values (and what they are fingerprinted with) stay as
     * they are.
     */
    public String describeRatios() {
      StringBuilder sb = new StringBuilder();
      ratios.forEach(
          (name, r) ->
              sb.append(sb.length() == 0 ? "" : ", ")
                  .append(name)
                  .append('=')
                  .append(
                      new java.math.BigDecimal(r)
                          .round(new java.math.MathContext(15))
                          .stripTrailingZeros()
                          .toPlainString()));
      return sb.toString();
    }

    public long seed() {
      return seed;
    }

    public Assigner assigner(org.apache.beam.sdk.schemas.Schema schema) {
      for (String f : keyFields) {
        if (!schema.hasField(f))
          throw new IllegalArgumentException(
              "split key '" + f + "' is not a field: " + schema.getFieldNames());
      }
      return new Assigner(this, schema);
    }

    /** The split for a key string: deterministic for a given seed and ratios. */
    public String assign(String key) {
      double u = unitHash(seed, key);
      double total = ratios.values().stream().mapToDouble(Double::doubleValue).sum();
      double acc = 0;
      String last = null;
      for (Map.Entry<String, Double> e : ratios.entrySet()) {
        acc += e.getValue() / total;
        last = e.getKey();
        if (u < acc) return last;
      }
      return last;
    }

    public static final class Builder {
      private final LinkedHashMap<String, Double> ratios = new LinkedHashMap<>();
      private List<String> keyFields = List.of();
      private long seed = 42;

      /** Default train 0.95 / test 0.05 when no split is added. */
      public Builder split(String name, double ratio) {
        if (!(ratio > 0))
          throw new IllegalArgumentException(
              "split ratio for " + name + " must be > 0, got " + ratio);
        ratios.put(name, ratio);
        return this;
      }

      /** train = ratio, test = 1 - ratio. */
      public Builder trainRatio(double ratio) {
        if (!(ratio > 0 && ratio <= 1))
          throw new IllegalArgumentException("train ratio must be in (0, 1], got " + ratio);
        ratios.clear();
        ratios.put("train", ratio);
        if (ratio < 1) ratios.put("test", 1 - ratio);
        return this;
      }

      public Builder keyFields(List<String> fields) {
        this.keyFields = List.copyOf(fields);
        return this;
      }

      public Builder seed(long seed) {
        this.seed = seed;
        return this;
      }

      public Settings build() {
        LinkedHashMap<String, Double> r = new LinkedHashMap<>(ratios);
        if (r.isEmpty()) {
          r.put("train", 0.95);
          r.put("test", 0.05);
        }
        return new Settings(r, keyFields, seed);
      }
    }
  }

  /**
   * Uniform double in [0, 1) from a seeded 64-bit FNV-1a hash finished with the splitmix64 mixer.
   */
  static double unitHash(long seed, String key) {
    long h = 0xcbf29ce484222325L ^ mix(seed);
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return (mix(h) >>> 11) * 0x1.0p-53;
  }

  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** Assigns splits to Rows of one schema, counting each split for the run summary. */
  public static final class Assigner {
    private final Settings settings;
    private final int[] keyIndex;
    private final java.util.Map<String, org.apache.beam.sdk.metrics.Counter> counters =
        new java.util.HashMap<>();

    Assigner(Settings settings, org.apache.beam.sdk.schemas.Schema schema) {
      this.settings = settings;
      this.keyIndex = settings.keyFields().stream().mapToInt(schema::indexOf).toArray();
    }

    /** The split of a row; without key fields the record's own place ({@code where}) is its key. */
    public String assign(Row row, String where) {
      String key;
      if (keyIndex.length == 0) {
        key = where;
      } else {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < keyIndex.length; i++) {
          if (i > 0) sb.append('\u0000');
          sb.append((Object) row.getValue(keyIndex[i]));
        }
        key = sb.toString();
      }
      String split = settings.assign(key);
      counters.computeIfAbsent(split, x -> Metrics.counter("Split", "split_" + x)).inc();
      return split;
    }
  }
}
