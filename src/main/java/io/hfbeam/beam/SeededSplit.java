package io.hfbeam.beam;

import io.hfbeam.mapping.Split;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The seeded splitter: tags each element with its split, chosen by a seeded hash of a key ({@link
 * Split}), so that elements sharing a key (the positions of one game) land in the same split,
 * whatever the runner, parallelism or order. Output: {@code KV<split, element>}, the form {@link
 * HuggingFaceIO#write()} takes.
 *
 * <ul>
 *   <li>{@link #byKey()}: the element's key is the split key ({@code KV<key, T>} in, the key
 *       replaced by the split).
 *   <li>{@link #byFields}: Rows, keyed by the values of the named fields (as convert's {@code
 *       --split-by}).
 * </ul>
 *
 * Ratios default to train 0.95 / test 0.05, the seed to 42.
 */
public final class SeededSplit implements Serializable {
  private final LinkedHashMap<String, Double> ratios;
  private final long seed;

  private SeededSplit(LinkedHashMap<String, Double> ratios, long seed) {
    this.ratios = ratios;
    this.seed = seed;
  }

  /** Elements {@code KV<key, T>}, split by key. */
  public static <T> ByKey<T> byKey() {
    return new ByKey<>(new SeededSplit(new LinkedHashMap<>(), 42));
  }

  /** Rows split by the values of these fields. */
  public static ByFields byFields(String... fields) {
    if (fields.length == 0) throw new IllegalArgumentException("byFields needs at least one field");
    return new ByFields(new SeededSplit(new LinkedHashMap<>(), 42), List.of(fields));
  }

  SeededSplit withRatio(String split, double ratio) {
    LinkedHashMap<String, Double> r = new LinkedHashMap<>(ratios);
    r.put(split, ratio);
    return new SeededSplit(r, seed);
  }

  SeededSplit withTrainRatio(double ratio) {
    Split.Settings s = Split.Settings.builder().trainRatio(ratio).build();
    return new SeededSplit(s.ratios(), seed);
  }

  SeededSplit withSeed(long s) {
    return new SeededSplit(ratios, s);
  }

  /** The split logic these settings describe. */
  Split.Settings settings(List<String> keyFields) {
    Split.Settings.Builder b = Split.Settings.builder().seed(seed).keyFields(keyFields);
    for (Map.Entry<String, Double> e : ratios.entrySet()) b.split(e.getKey(), e.getValue());
    return b.build();
  }

  /** {@link SeededSplit#byKey()}. */
  public static final class ByKey<T>
      extends PTransform<PCollection<KV<String, T>>, PCollection<KV<String, T>>> {
    private final SeededSplit split;

    private ByKey(SeededSplit split) {
      this.split = split;
    }

    /**
     * Adds a split with this ratio (ratios are normalised to sum 1); without any, train 0.95 / test
     * 0.05.
     */
    public ByKey<T> withRatio(String name, double ratio) {
      return new ByKey<>(split.withRatio(name, ratio));
    }

    /** train = ratio, test = 1 - ratio. */
    public ByKey<T> withTrainRatio(double ratio) {
      return new ByKey<>(split.withTrainRatio(ratio));
    }

    public ByKey<T> withSeed(long seed) {
      return new ByKey<>(split.withSeed(seed));
    }

    /** The split names in order. */
    public List<String> splits() {
      return List.copyOf(split.settings(List.of()).ratios().keySet());
    }

    @Override
    public PCollection<KV<String, T>> expand(PCollection<KV<String, T>> input) {
      @SuppressWarnings("unchecked")
      Coder<T> valueCoder = ((KvCoder<String, T>) input.getCoder()).getValueCoder();
      return input
          .apply("Split", ParDo.of(new ByKeyFn<T>(split.settings(List.of()))))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), valueCoder));
    }
  }

  static final class ByKeyFn<T> extends DoFn<KV<String, T>, KV<String, T>> {
    private final Split.Settings settings;

    ByKeyFn(Split.Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element KV<String, T> e, OutputReceiver<KV<String, T>> out) {
      String s = settings.assign(e.getKey());
      Metrics.counter("Split", "split_" + s).inc();
      out.output(KV.of(s, e.getValue()));
    }
  }

  /** {@link SeededSplit#byFields}. */
  public static final class ByFields
      extends PTransform<PCollection<Row>, PCollection<KV<String, Row>>> {
    private final SeededSplit split;
    private final List<String> fields;

    private ByFields(SeededSplit split, List<String> fields) {
      this.split = split;
      this.fields = fields;
    }

    public ByFields withRatio(String name, double ratio) {
      return new ByFields(split.withRatio(name, ratio), fields);
    }

    public ByFields withTrainRatio(double ratio) {
      return new ByFields(split.withTrainRatio(ratio), fields);
    }

    public ByFields withSeed(long seed) {
      return new ByFields(split.withSeed(seed), fields);
    }

    public List<String> splits() {
      return List.copyOf(split.settings(fields).ratios().keySet());
    }

    @Override
    public PCollection<KV<String, Row>> expand(PCollection<Row> rows) {
      Schema schema = rows.getSchema();
      Split.Settings settings = split.settings(fields);
      settings.assigner(
          schema); // fails here, at construction, when a key field is not in the schema
      return rows.apply("Split", ParDo.of(new ByFieldsFn(settings, schema)))
          .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(schema)));
    }
  }

  static final class ByFieldsFn extends DoFn<Row, KV<String, Row>> {
    private final Split.Settings settings;
    private final Schema schema;
    private transient Split.Assigner assigner;

    ByFieldsFn(Split.Settings settings, Schema schema) {
      this.settings = settings;
      this.schema = schema;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<KV<String, Row>> out) {
      if (assigner == null) assigner = settings.assigner(schema);
      out.output(KV.of(assigner.assign(row, null), row));
    }
  }
}
