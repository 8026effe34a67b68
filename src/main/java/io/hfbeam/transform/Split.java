package io.hfbeam.transform;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * Assigns each record a named split by a seeded hash of a chosen key, so records sharing the key (all positions
 * of one game, all turns of one conversation) land in the same split, and the result does not depend on the
 * runner, the parallelism or the input order. Without key fields every record is its own key (its position).
 */
public final class Split extends PTransform<PCollection<KV<RecordKey, Row>>, PCollection<KV<RecordKey, Row>>> {
  private final Settings settings;

  private Split(Settings settings) {
    this.settings = settings;
  }

  public static Split with(Settings settings) {
    return new Split(settings);
  }

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

    public long seed() {
      return seed;
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
        if (!(ratio > 0)) throw new IllegalArgumentException("split ratio for " + name + " must be > 0, got " + ratio);
        ratios.put(name, ratio);
        return this;
      }

      /** train = ratio, test = 1 - ratio. */
      public Builder trainRatio(double ratio) {
        if (!(ratio > 0 && ratio <= 1)) throw new IllegalArgumentException("train ratio must be in (0, 1], got " + ratio);
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

  /** Uniform double in [0, 1) from a seeded 64-bit FNV-1a hash finished with the splitmix64 mixer. */
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

  @Override
  public PCollection<KV<RecordKey, Row>> expand(PCollection<KV<RecordKey, Row>> input) {
    return input.apply("AssignSplit", ParDo.of(new AssignFn(settings))).setCoder(input.getCoder());
  }

  static final class AssignFn extends DoFn<KV<RecordKey, Row>, KV<RecordKey, Row>> {
    private final Settings settings;

    AssignFn(Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element KV<RecordKey, Row> e, OutputReceiver<KV<RecordKey, Row>> out) {
      String split = settings.assign(key(e));
      Metrics.counter("Split", "split_" + split).inc();
      out.output(KV.of(e.getKey().withSplit(split), e.getValue()));
    }

    private String key(KV<RecordKey, Row> e) {
      if (settings.keyFields().isEmpty()) return e.getKey().chunk() + ":" + e.getKey().ordinal();
      List<String> parts = new ArrayList<>(settings.keyFields().size());
      for (String f : settings.keyFields()) parts.add(String.valueOf((Object) e.getValue().getValue(f)));
      return String.join("\u0000", parts);
    }
  }
}
