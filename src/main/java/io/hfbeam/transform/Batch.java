package io.hfbeam.transform;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.apache.beam.sdk.coders.Coder;

/**
 * Numbers batches of at most {@code maxRows} records in input order, deterministically on any runner: counts per
 * input chunk give each chunk's first rank (a side input), then each chunk's records are sorted by position and
 * ranked. Memory holds one chunk, never the whole input. Batches count per split, or over all records before the
 * split ({@link Scope#BEFORE_SPLIT}: a batch of N records is then divided among the splits, as the chess datasets
 * do).
 */
public final class Batch extends PTransform<PCollection<KV<RecordKey, Row>>, PCollection<KV<RecordKey, Row>>> {
  /** What a batch counts: records of one split, or all records before the split. */
  public enum Scope { PER_SPLIT, BEFORE_SPLIT }

  private final Settings settings;

  private Batch(Settings settings) {
    this.settings = settings;
  }

  public static Batch with(Settings settings) {
    return new Batch(settings);
  }

  /** Batch size, first batch number, optional limit on the number of batches. */
  public record Settings(long maxRows, int firstBatch, long maxBatches, Scope scope) implements Serializable {
    public Settings {
      if (maxRows <= 0) throw new IllegalArgumentException("batch size must be > 0, got " + maxRows);
      if (firstBatch < 0) throw new IllegalArgumentException("first batch must be >= 0, got " + firstBatch);
    }

    /** One batch per split, holding everything. */
    public static Settings single() {
      return new Settings(Long.MAX_VALUE, 1, -1, Scope.PER_SPLIT);
    }

    public static Settings of(long maxRows) {
      return new Settings(maxRows, 1, -1, Scope.PER_SPLIT);
    }

    public Settings withFirstBatch(int first) {
      return new Settings(maxRows, first, maxBatches, scope);
    }

    public Settings withMaxBatches(long n) {
      return new Settings(maxRows, firstBatch, n, scope);
    }

    public Settings withScope(Scope s) {
      return new Settings(maxRows, firstBatch, maxBatches, s);
    }
  }

  @Override
  public PCollection<KV<RecordKey, Row>> expand(PCollection<KV<RecordKey, Row>> input) {
    Scope scope = settings.scope();
    PCollection<KV<String, KV<RecordKey, Row>>> byChunk =
        input.apply("KeyByChunk", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), input.getTypeDescriptor()))
                .via(e -> KV.of(chunkKey(scope, e.getKey()), e)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), input.getCoder()));
    PCollectionView<Map<String, Long>> counts =
        byChunk
            .apply("One", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), TypeDescriptors.longs()))
                .via(e -> KV.of(e.getKey(), 1L)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), VarLongCoder.of()))
            .apply("CountPerChunk", Sum.longsPerKey())
            .apply("AsMap", View.asMap());
    Coder<KV<RecordKey, Row>> coder = input.getCoder();
    return byChunk
        .apply("GroupChunk", GroupByKey.create())
        .apply("Rank", ParDo.of(new RankFn(settings, counts)).withSideInputs(counts))
        .setCoder(coder);
  }

  static String chunkKey(Scope scope, RecordKey k) {
    return (scope == Scope.PER_SPLIT ? k.split() : "") + "\u0000" + k.chunk();
  }

  static final class RankFn extends DoFn<KV<String, Iterable<KV<RecordKey, Row>>>, KV<RecordKey, Row>> {
    private final Settings settings;
    private final PCollectionView<Map<String, Long>> countsView;
    private final Counter out = Metrics.counter("Batch", "records_out");
    private final Counter dropped = Metrics.counter("Batch", "records_beyond_batch_limit");
    private transient Map<String, Long> cachedFor;
    private transient Map<String, Long> firstRank;

    RankFn(Settings settings, PCollectionView<Map<String, Long>> countsView) {
      this.settings = settings;
      this.countsView = countsView;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      Map<String, Long> counts = c.sideInput(countsView);
      long rank = firstRank(counts).get(c.element().getKey());
      List<KV<RecordKey, Row>> records = new ArrayList<>();
      for (KV<RecordKey, Row> e : c.element().getValue()) records.add(e);
      records.sort((a, b) -> a.getKey().compareTo(b.getKey()));
      for (KV<RecordKey, Row> e : records) {
        long index = rank++ / settings.maxRows();
        if (settings.maxBatches() >= 0 && index >= settings.maxBatches()) {
          dropped.inc();
          continue;
        }
        out.inc();
        c.output(KV.of(e.getKey().withBatch(settings.firstBatch() + index), e.getValue()));
      }
    }

    /** Prefix sums of the chunk counts within each scope, computed once per side-input value. */
    private Map<String, Long> firstRank(Map<String, Long> counts) {
      if (cachedFor != counts) {
        Map<String, TreeMap<Long, String>> byScope = new HashMap<>();
        for (String key : counts.keySet()) {
          int sep = key.indexOf('\u0000');
          byScope.computeIfAbsent(key.substring(0, sep), s -> new TreeMap<>()).put(Long.parseLong(key.substring(sep + 1)), key);
        }
        Map<String, Long> first = new HashMap<>();
        for (TreeMap<Long, String> chunks : byScope.values()) {
          long acc = 0;
          for (String key : chunks.values()) {
            first.put(key, acc);
            acc += counts.get(key);
          }
        }
        firstRank = first;
        cachedFor = counts;
      }
      return firstRank;
    }
  }
}
