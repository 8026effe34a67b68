package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.Embedding;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.CollectList;
import java.util.Iterator;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.join.CoGbkResult;
import org.apache.beam.sdk.transforms.join.CoGroupByKey;
import org.apache.beam.sdk.transforms.join.KeyedPCollectionTuple;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Texts ({@code chat_id -> text}) and their embeddings ({@code embeddings} stage rows) -> the rows
 * of the {@code clusters}, {@code meta_clusters} and {@code dimensionality} stages ({@link
 * ClusterAnalysis}). Clustering needs every point at once: one worker holds the vectors (384 floats
 * a conversation for the local model) and a clipped text of each.
 */
public final class ClusterConversations extends PTransform<PCollectionTuple, PCollectionTuple> {
  public static final TupleTag<KV<String, String>> TEXTS = new TupleTag<>() {};
  public static final TupleTag<String> EMBEDDINGS = new TupleTag<>() {};
  public static final TupleTag<String> CLUSTERS = new TupleTag<>() {};
  public static final TupleTag<String> META_CLUSTERS = new TupleTag<>() {};
  public static final TupleTag<String> DIMENSIONALITY = new TupleTag<>() {};

  private final ClusterAnalysis.Settings settings;
  private final ClusterAnalysis.Namer namer;
  private final String fingerprint;

  private ClusterConversations(
      ClusterAnalysis.Settings settings, ClusterAnalysis.Namer namer, String fingerprint) {
    this.settings = settings;
    this.namer = namer;
    this.fingerprint = fingerprint;
  }

  public static ClusterConversations with(ClusterAnalysis.Settings s) {
    return new ClusterConversations(s, new ClusterAnalysis.TfIdfNamer(), "");
  }

  public ClusterConversations withNamer(ClusterAnalysis.Namer n) {
    return new ClusterConversations(settings, n, fingerprint);
  }

  /** Part of every cluster id: ids differ between runs whose inputs or settings differ. */
  public ClusterConversations withFingerprint(String f) {
    return new ClusterConversations(settings, namer, f);
  }

  @Override
  public PCollectionTuple expand(PCollectionTuple in) {
    TupleTag<String> text = new TupleTag<>() {};
    TupleTag<String> vector = new TupleTag<>() {};
    PCollection<KV<String, String>> embeddings =
        in.get(EMBEDDINGS)
            .apply("KeyEmbeddings", ParDo.of(new KeyFn()))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    PCollectionTuple out =
        KeyedPCollectionTuple.of(text, in.get(TEXTS))
            .and(vector, embeddings)
            .apply("Join", CoGroupByKey.create())
            .apply("ToPoints", ParDo.of(new PointFn(text, vector, settings.textChars())))
            .setCoder(SerializableCoder.of(ClusterAnalysis.Point.class))
            .apply("AllPoints", Combine.globally(new CollectList<ClusterAnalysis.Point>()))
            .setCoder(ListCoder.of(SerializableCoder.of(ClusterAnalysis.Point.class)))
            .apply(
                "Cluster",
                ParDo.of(new AnalyzeFn(settings, namer, fingerprint))
                    .withOutputTags(CLUSTERS, TupleTagList.of(META_CLUSTERS).and(DIMENSIONALITY)));
    out.get(CLUSTERS).setCoder(StringUtf8Coder.of());
    out.get(META_CLUSTERS).setCoder(StringUtf8Coder.of());
    out.get(DIMENSIONALITY).setCoder(StringUtf8Coder.of());
    return out;
  }

  static final class KeyFn extends DoFn<String, KV<String, String>> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ProcessElement
    public void process(@Element String row, OutputReceiver<KV<String, String>> out)
        throws Exception {
      out.output(KV.of(JSON.readTree(row).path("chat_id").asText(), row));
    }
  }

  static final class PointFn extends DoFn<KV<String, CoGbkResult>, ClusterAnalysis.Point> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final TupleTag<String> text;
    private final TupleTag<String> vector;
    private final int chars;

    PointFn(TupleTag<String> text, TupleTag<String> vector, int chars) {
      this.text = text;
      this.vector = vector;
      this.chars = chars;
    }

    @ProcessElement
    public void process(
        @Element KV<String, CoGbkResult> e, OutputReceiver<ClusterAnalysis.Point> out)
        throws Exception {
      Iterator<String> v = e.getValue().getAll(vector).iterator();
      if (!v.hasNext()) return; // a conversation whose embedding failed is in the errors
      Embedding emb = StageRows.embedding(JSON.readTree(v.next()));
      Iterator<String> t = e.getValue().getAll(text).iterator();
      String s = t.hasNext() ? t.next() : "";
      if (s.length() > chars) s = s.substring(0, chars);
      out.output(new ClusterAnalysis.Point(e.getKey(), s, emb.vector()));
    }
  }

  static final class AnalyzeFn extends DoFn<List<ClusterAnalysis.Point>, String> {
    private final ClusterAnalysis.Settings settings;
    private final ClusterAnalysis.Namer namer;
    private final String fingerprint;

    AnalyzeFn(ClusterAnalysis.Settings settings, ClusterAnalysis.Namer namer, String fingerprint) {
      this.settings = settings;
      this.namer = namer;
      this.fingerprint = fingerprint;
    }

    @ProcessElement
    public void process(@Element List<ClusterAnalysis.Point> points, MultiOutputReceiver out)
        throws Exception {
      Metrics.counter("cluster", "records_in").inc(points.size());
      ClusterAnalysis.Result r = ClusterAnalysis.run(points, settings, namer, fingerprint);
      Metrics.counter("cluster", "records_out").inc(r.metaClusters().size());
      for (Cluster c : r.clusters()) out.get(CLUSTERS).output(StageRows.row(c).toString());
      for (Cluster c : r.metaClusters()) out.get(META_CLUSTERS).output(StageRows.row(c).toString());
      for (ProjectedCluster p : r.projected())
        out.get(DIMENSIONALITY).output(StageRows.row(p).toString());
    }
  }
}
