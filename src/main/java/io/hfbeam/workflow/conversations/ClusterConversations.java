package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.cluster.Layout;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * The set's embeddings and texts -> the {@code clusters}, {@code meta_clusters} and {@code
 * dimensionality} stages ({@link ClusterAnalysis}), written in place. Clustering needs every point
 * at once, so one worker reads them straight from the checkpoints once the stages before are in
 * place (the input: those stages' written files, a signal), rather than gathering them as elements
 * (a bag of every vector that the DirectRunner copies on each append). The same worker writes the
 * three stages, one file each, in the analysis's order: their rows never travel through a shuffle
 * or a runner's sort, where a meta cluster's row (every chat id under it, Kura's format) could
 * exceed a sort buffer at large inputs. Emits the stages' files. Nothing is written when the
 * embeddings stage is not the one this run expects (it was refused): the cluster stages stay
 * incomplete.
 */
public final class ClusterConversations
    extends PTransform<PCollection<WrittenFile>, PCollection<WrittenFile>> {
  /** What the transform was built with; copied by each {@code with...} (as HuggingFaceIO's). */
  static final class Config implements java.io.Serializable, Cloneable {
    String root;
    ClusterAnalysis.Settings settings;
    ClusterAnalysis.Namer namer = new ClusterAnalysis.TfIdfNamer();
    String fingerprint = "";
    String embeddingsFingerprint;
    boolean summaries;
    ConversationLayout layout = ConversationLayout.SAFE;
    ParquetSettings parquet = ParquetSettings.defaults();
    Map<String, String> parameters = new LinkedHashMap<>();

    Config copy() {
      try {
        return (Config) clone(); // every field is immutable or replaced whole
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private final Config c;

  private ClusterConversations(Config c) {
    this.c = c;
  }

  private ClusterConversations with(java.util.function.Consumer<Config> change) {
    Config next = c.copy();
    change.accept(next);
    return new ClusterConversations(next);
  }

  /** Clusters the checkpoint set under {@code root}. */
  public static ClusterConversations of(Path root, ClusterAnalysis.Settings s) {
    Config c = new Config();
    c.root = root.toAbsolutePath().normalize().toString();
    c.settings = s;
    return new ClusterConversations(c);
  }

  public ClusterConversations withNamer(ClusterAnalysis.Namer n) {
    return with(c -> c.namer = n);
  }

  /**
   * The stages' fingerprint, recorded in their {@code checkpoint.json}, and part of every cluster
   * id: ids differ between runs whose inputs or settings differ.
   */
  public ClusterConversations withFingerprint(String f) {
    return with(c -> c.fingerprint = f);
  }

  /** The embeddings stage must carry this fingerprint (null: any complete one). */
  public ClusterConversations withEmbeddings(String f) {
    return with(c -> c.embeddingsFingerprint = f);
  }

  /**
   * Texts that name clusters: the summaries stage's ({@code true}), else the conversations'
   * (written in {@code layout}).
   */
  public ClusterConversations withTexts(boolean fromSummaries, ConversationLayout layout) {
    return with(
        c -> {
          c.summaries = fromSummaries;
          c.layout = layout;
        });
  }

  public ClusterConversations withParquet(ParquetSettings p) {
    return with(c -> c.parquet = p);
  }

  /** The run's settings, recorded in each stage's {@code checkpoint.json}. */
  public ClusterConversations withParameters(Map<String, String> p) {
    return with(c -> c.parameters = new LinkedHashMap<>(p));
  }

  /** How a stage was made, for its card and record. */
  static String madeBy(String stage, ClusterAnalysis.Settings s, ClusterAnalysis.Namer namer) {
    String how = "k-means (seed " + s.seed() + "), names by " + namer.describe();
    return switch (stage) {
      case StageFeatures.CLUSTERS -> how;
      case StageFeatures.META_CLUSTERS ->
          how + "; hierarchy by capped rounds of k-means over centroids";
      case StageFeatures.DIMENSIONALITY ->
          "UMAP (cosine) of the cluster centroids, PCA above " + Layout.UMAP_UP_TO + " clusters";
      default -> throw new IllegalArgumentException("not a cluster stage: " + stage);
    };
  }

  @Override
  public PCollection<WrittenFile> expand(PCollection<WrittenFile> before) {
    return before
        .apply("StagesBefore", Combine.globally(new CollectList<WrittenFile>()))
        .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
        .apply("Cluster", ParDo.of(new AnalyzeFn(c)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  static final class AnalyzeFn extends DoFn<List<WrittenFile>, WrittenFile> {
    private final Config t;

    AnalyzeFn(Config t) {
      this.t = t;
    }

    @ProcessElement
    public void process(OutputReceiver<WrittenFile> out) throws Exception {
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
        io.hfbeam.dataset.RunEvents.emit(
            String.format(
                "clustering %,d conversations (%s)",
                points.chatIds().size(),
                t.settings.clusters() > 0
                    ? t.settings.clusters() + " clusters"
                    : "Kura's rule: about one cluster per 10"));
        res = ClusterAnalysis.run(points, t.settings, t.namer, t.fingerprint);
      }
      if (res.clusters().isEmpty()) return; // no points: no stage (as an empty sink's)
      Metrics.counter("cluster", "records_out").inc(res.metaClusters().size());
      write(r, StageFeatures.CLUSTERS, StageFeatures.clusters(), rows(res.clusters()), out);
      write(
          r, StageFeatures.META_CLUSTERS, StageFeatures.clusters(), rows(res.metaClusters()), out);
      write(
          r,
          StageFeatures.DIMENSIONALITY,
          StageFeatures.dimensionality(),
          () -> res.projected().stream().map(StageRows::row).iterator(),
          out);
    }

    private static Iterable<ObjectNode> rows(List<Cluster> clusters) {
      return () -> clusters.stream().map(StageRows::row).iterator();
    }

    private static final org.apache.beam.sdk.metrics.Counter FILES =
        Metrics.counter("write", "files_written");
    private static final org.apache.beam.sdk.metrics.Counter BYTES =
        Metrics.counter("write", "bytes_written");

    private void write(
        Path r,
        String stage,
        Features features,
        Iterable<ObjectNode> rows,
        OutputReceiver<WrittenFile> out)
        throws IOException {
      CheckpointLayout.StageInfo info =
          StageFiles.writeWhole(
              r,
              stage,
              features,
              rows,
              t.parquet,
              t.fingerprint,
              madeBy(stage, t.settings, t.namer),
              t.parameters);
      io.hfbeam.dataset.RunEvents.emit(WriteStage.written(stage, info.rows(), 0));
      Path dir = CheckpointLayout.stageDir(r, stage);
      for (Path f : StageFiles.files(r, stage)) {
        long bytes = Files.size(f);
        FILES.inc();
        BYTES.inc(bytes);
        out.output(
            new WrittenFile(
                CheckpointLayout.SPLIT,
                r.relativize(f).toString().replace('\\', '/'),
                f.toString(),
                info.rows(),
                bytes,
                0));
      }
      Path card = dir.resolve("README.md");
      out.output(
          new WrittenFile(
              null,
              r.relativize(card).toString().replace('\\', '/'),
              card.toString(),
              0,
              Files.size(card),
              0));
    }
  }
}
