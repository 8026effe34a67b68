package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.WrittenFile;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The set's embeddings and texts -> the rows of the {@code clusters}, {@code meta_clusters} and
 * {@code dimensionality} stages ({@link ClusterAnalysis}). Clustering needs every point at once, so
 * one worker reads them straight from the checkpoints once the stages before are in place (the
 * input: those stages' written files, a signal), rather than gathering them as elements (a bag of
 * every vector that the DirectRunner copies on each append). Nothing comes out when the embeddings
 * stage is not the one this run expects (it was refused): the cluster stages stay incomplete.
 */
public final class ClusterConversations
    extends PTransform<PCollection<WrittenFile>, PCollectionTuple> {
  public static final TupleTag<String> CLUSTERS = new TupleTag<>() {};
  public static final TupleTag<String> META_CLUSTERS = new TupleTag<>() {};
  public static final TupleTag<String> DIMENSIONALITY = new TupleTag<>() {};

  private final String root;
  private final ClusterAnalysis.Settings settings;
  private final ClusterAnalysis.Namer namer;
  private final String fingerprint;
  private final String embeddingsFingerprint;
  private final boolean summaries;
  private final ConversationLayout layout;

  private ClusterConversations(
      String root,
      ClusterAnalysis.Settings settings,
      ClusterAnalysis.Namer namer,
      String fingerprint,
      String embeddingsFingerprint,
      boolean summaries,
      ConversationLayout layout) {
    this.root = root;
    this.settings = settings;
    this.namer = namer;
    this.fingerprint = fingerprint;
    this.embeddingsFingerprint = embeddingsFingerprint;
    this.summaries = summaries;
    this.layout = layout;
  }

  /** Clusters the checkpoint set under {@code root}. */
  public static ClusterConversations of(Path root, ClusterAnalysis.Settings s) {
    return new ClusterConversations(
        root.toAbsolutePath().normalize().toString(),
        s,
        new ClusterAnalysis.TfIdfNamer(),
        "",
        null,
        false,
        ConversationLayout.SAFE);
  }

  public ClusterConversations withNamer(ClusterAnalysis.Namer n) {
    return new ClusterConversations(
        root, settings, n, fingerprint, embeddingsFingerprint, summaries, layout);
  }

  /** Part of every cluster id: ids differ between runs whose inputs or settings differ. */
  public ClusterConversations withFingerprint(String f) {
    return new ClusterConversations(
        root, settings, namer, f, embeddingsFingerprint, summaries, layout);
  }

  /** The embeddings stage must carry this fingerprint (null: any complete one). */
  public ClusterConversations withEmbeddings(String f) {
    return new ClusterConversations(root, settings, namer, fingerprint, f, summaries, layout);
  }

  /**
   * Texts that name clusters: the summaries stage's ({@code true}), else the conversations'
   * (written in {@code layout}).
   */
  public ClusterConversations withTexts(boolean fromSummaries, ConversationLayout layout) {
    return new ClusterConversations(
        root, settings, namer, fingerprint, embeddingsFingerprint, fromSummaries, layout);
  }

  @Override
  public PCollectionTuple expand(PCollection<WrittenFile> before) {
    PCollectionTuple out =
        before
            .apply("StagesBefore", Combine.globally(new CollectList<WrittenFile>()))
            .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
            .apply(
                "Cluster",
                ParDo.of(new AnalyzeFn(this))
                    .withOutputTags(CLUSTERS, TupleTagList.of(META_CLUSTERS).and(DIMENSIONALITY)));
    out.get(CLUSTERS).setCoder(StringUtf8Coder.of());
    out.get(META_CLUSTERS).setCoder(StringUtf8Coder.of());
    out.get(DIMENSIONALITY).setCoder(StringUtf8Coder.of());
    return out;
  }

  static final class AnalyzeFn extends DoFn<List<WrittenFile>, String> {
    private final ClusterConversations t;

    AnalyzeFn(ClusterConversations t) {
      this.t = t;
    }

    @ProcessElement
    public void process(MultiOutputReceiver out) throws Exception {
      Path r = Path.of(t.root);
      var embeddings = CheckpointLayout.read(r, StageFeatures.EMBEDDINGS);
      if (embeddings.isEmpty()
          || (t.embeddingsFingerprint != null
              && !embeddings.get().fingerprint().equals(t.embeddingsFingerprint))) {
        return; // the embeddings this run made were refused: nothing to cluster
      }
      ClusterAnalysis.Result res;
      try (ScratchPoints points =
          ScratchPoints.of(r, t.summaries, t.layout, t.settings.textChars())) {
        Metrics.counter("cluster", "records_in").inc(points.chatIds().size());
        res = ClusterAnalysis.run(points, t.settings, t.namer, t.fingerprint);
      }
      Metrics.counter("cluster", "records_out").inc(res.metaClusters().size());
      for (Cluster c : res.clusters()) out.get(CLUSTERS).output(StageRows.row(c).toString());
      for (Cluster c : res.metaClusters())
        out.get(META_CLUSTERS).output(StageRows.row(c).toString());
      for (ProjectedCluster p : res.projected())
        out.get(DIMENSIONALITY).output(StageRows.row(p).toString());
    }
  }
}
