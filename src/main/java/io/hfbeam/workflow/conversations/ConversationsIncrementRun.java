package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.StagedDataset;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.hf.Features;
import io.hfbeam.llm.LocalEmbeddings;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.Launchable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Values;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;

/**
 * One increment of a watching run: the new files' conversations are read, summarised (with an LLM)
 * and embedded by a pipeline into a scratch checkpoint set ({@code .hfbeam/increment/}); then one
 * step places each new conversation in its nearest cluster ({@link ClusterUpdate}) or, when too
 * many drifted or enough arrived, clusters everything again, prepares the cluster stages and the
 * watch state beside the scratch shards, and lands it all in the set whole ({@link
 * PendingIncrement}: the shards appended to the stages, the cluster stages, sums, ids and state),
 * then emits every file of the set (for the Hub). An increment a stage of which is refused over
 * {@code --max-error-rate} changes nothing of the set: its files are recorded as refused.
 */
public final class ConversationsIncrementRun implements Launchable {
  /** When the clusters are made again: the share of drifted conversations, or a count. */
  public record Policy(double driftThreshold, long reclusterEvery) implements Serializable {
    public Policy {
      if (!(driftThreshold > 0 && driftThreshold <= 1))
        throw new IllegalArgumentException("--drift-threshold must be in (0, 1]");
      if (reclusterEvery < 1) throw new IllegalArgumentException("--recluster-every must be >= 1");
    }

    public static Policy defaults() {
      return new Policy(0.2, 1000);
    }
  }

  private final AnalyzeSettings s;
  private final Policy policy;
  private final List<Path> files;
  private final Path root;
  private final Survey survey;
  private final WatchState state;
  private ConversationLlm run;

  private ConversationsIncrementRun(
      AnalyzeSettings s, Policy policy, List<Path> files, Survey survey, WatchState state) {
    this.s = s;
    this.policy = policy;
    this.files = files;
    this.root = Path.of(s.output()).toAbsolutePath().normalize();
    this.survey = survey;
    this.state = state;
  }

  static ConversationsIncrementRun of(AnalyzeSettings s, Policy policy, List<Path> files)
      throws IOException {
    Path root = Path.of(s.output()).toAbsolutePath().normalize();
    Set<String> known = WatchState.ids(root);
    return new ConversationsIncrementRun(
        s,
        policy,
        files,
        Survey.of(files, s.input(), known).withLayout(ConversationLayout.SAFE),
        WatchState.load(root));
  }

  long conversations() {
    return survey.conversations();
  }

  @Override
  public String name() {
    return "conversations-watch";
  }

  @Override
  public Path output() {
    return root;
  }

  @Override
  public List<Path> inputDirs() {
    return List.of();
  }

  @Override
  public long inputBytes() {
    return survey.bytes();
  }

  @Override
  public List<String> steps() {
    return List.of("read", "summarise", "embed", "cluster");
  }

  @Override
  public Optional<String> rejection() {
    return ConversationsAnalyzeRun.rejection(scratch(root));
  }

  @Override
  public void release() {
    if (run != null) ConversationLlm.close(run.runId());
  }

  @Override
  public boolean resumesFromItsOutput() {
    return true; // the watch state: a restart takes in only the files it has not
  }

  @Override
  public String doneMessage() {
    return "";
  }

  static Path scratch(Path root) {
    return root.resolve(".hfbeam").resolve("increment");
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException {
    Path scratch = scratch(root);
    StageFiles.deleteTree(scratch);
    out.println(
        "increment "
            + (state.increments() + 1)
            + ": "
            + files.size()
            + (files.size() == 1 ? " new file, " : " new files, ")
            + survey.conversations()
            + " conversations"
            + (survey.failures() > 0 ? ", " + survey.failures() + " records refused" : ""));
    if (s.hasLlm()) {
      String id = UUID.randomUUID().toString();
      run = s.llm().withRun(id, root.resolve(".hfbeam").resolve("llm-journal"));
      ConversationLlm.closeOthers(id);
    }
    PCollectionTuple read =
        p.apply("ReadConversations", ReadConversations.from(survey).withSpec(s.input()));
    PCollection<KV<String, String>> conversations = read.get(ReadConversations.CONVERSATIONS);
    List<PCollection<WrittenFile>> written = new ArrayList<>();
    written.add(
        conversations
            .apply(
                "ConversationRows",
                ParDo.of(new ConversationsAnalyzeRun.ConversationRowFn(ConversationLayout.SAFE)))
            .setCoder(StringUtf8Coder.of())
            .apply(
                "WriteConversations",
                scratchStage(
                        scratch,
                        StageFeatures.CONVERSATIONS,
                        StageFeatures.conversations(ConversationLayout.SAFE))
                    .withFailures(read.get(ReadConversations.FAILURES))));
    PCollection<KV<String, String>> texts;
    if (run != null) {
      PCollectionTuple summarised =
          conversations.apply("Summarise", SummarizeConversations.with(run));
      PCollection<KV<String, String>> summaries = summarised.get(SummarizeConversations.SUMMARIES);
      written.add(
          summaries
              .apply("SummaryRows", Values.create())
              .setCoder(StringUtf8Coder.of())
              .apply(
                  "WriteSummaries",
                  scratchStage(scratch, StageFeatures.SUMMARIES, StageFeatures.summaries())
                      .withFailures(summarised.get(SummarizeConversations.FAILURES))));
      texts =
          summaries
              .apply("SummaryTexts", ParDo.of(new ConversationsAnalyzeRun.SummaryTextFn()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    } else {
      texts =
          conversations
              .apply("Texts", ParDo.of(new ConversationsAnalyzeRun.TextFn()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    }
    written.add(
        texts
            .apply(
                "Embed",
                EmbedTexts.with(s.embedder())
                    .withJournal(root.resolve(".hfbeam").resolve("embedding-journal")))
            .apply(
                "WriteEmbeddings",
                scratchStage(scratch, StageFeatures.EMBEDDINGS, embeddingFeatures(s))));
    return PCollectionList.of(written)
        .apply("AllStages", Flatten.pCollections())
        .apply("AllFiles", Combine.globally(new CollectList<WrittenFile>()))
        .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
        .apply(
            "Merge",
            ParDo.of(
                new MergeFn(
                    s,
                    policy,
                    files.stream().map(Path::toString).toList(),
                    survey.inputHash(),
                    run)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  static Features embeddingFeatures(AnalyzeSettings s) {
    return StageFeatures.embeddings(embeddingDimension(s));
  }

  static int embeddingDimension(AnalyzeSettings s) {
    return s.embedder().local() ? LocalEmbeddings.DIMENSION : -1;
  }

  /**
   * Adds the lines of {@code errorFiles} (those present) to {@link #refusedErrors}, each line once:
   * a stop between this and the state's save makes the restart refuse the same files again, with
   * the same lines, which are then not kept twice.
   */
  static void keepRefusedErrors(Path root, List<Path> errorFiles) throws IOException {
    Path log = refusedErrors(root);
    Files.createDirectories(log.getParent());
    java.util.Set<String> kept = new java.util.HashSet<>(StageFiles.lines(log));
    try (java.io.BufferedWriter o =
        Files.newBufferedWriter(
            log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
      for (Path errors : errorFiles) {
        if (!Files.isRegularFile(errors)) continue;
        for (String line : Files.readAllLines(errors, StandardCharsets.UTF_8)) {
          if (kept.add(line)) {
            o.write(line);
            o.write('\n');
          }
        }
      }
    }
  }

  /**
   * The located failures of {@code stages} under {@code root}: each stage's {@code _errors}, and
   * those its sink left in staging when it refused the stage.
   */
  static List<Path> errorFiles(Path root, List<String> stages) {
    List<Path> out = new ArrayList<>();
    for (String stage : stages) {
      Path dir = CheckpointLayout.stageDir(root, stage);
      out.add(dir.resolve(io.hfbeam.dataset.DatasetFiles.ERRORS_FILE));
      out.add(StagedDataset.stagingDir(dir).resolve(io.hfbeam.dataset.DatasetFiles.ERRORS_FILE));
    }
    return out;
  }

  /** {@code files} recorded as refused in the watch state, with their size and {@code reason}. */
  static void recordRefused(Path root, WatchState state, List<String> files, String reason)
      throws IOException {
    TreeMap<String, WatchState.Refused> refused = new TreeMap<>(state.refused());
    for (String f : files) refused.put(f, new WatchState.Refused(Files.size(Path.of(f)), reason));
    state.withRefused(refused).save(root);
  }

  /** Where the located failures of refused increments are kept. */
  static Path refusedErrors(Path root) {
    return root.resolve(".hfbeam").resolve("refused-errors.jsonl");
  }

  private WriteStage scratchStage(Path scratch, String stage, Features f) {
    return WriteStage.of(scratch, stage, f)
        .withParquet(s.parquet())
        .withRecord("increment", "increment", Map.of());
  }

  /** After the increment's pipeline stages: everything that changes the checkpoint set. */
  static final class MergeFn extends DoFn<List<WrittenFile>, WrittenFile> {
    private final AnalyzeSettings s;
    private final Policy policy;
    private final List<String> files;
    private final String inputHash;
    private final ConversationLlm llm;

    MergeFn(
        AnalyzeSettings s,
        Policy policy,
        List<String> files,
        String inputHash,
        ConversationLlm llm) {
      this.s = s;
      this.policy = policy;
      this.files = files;
      this.inputHash = inputHash;
      this.llm = llm;
    }

    @ProcessElement
    public void process(@Element List<WrittenFile> ignored, OutputReceiver<WrittenFile> out)
        throws Exception {
      Path root = Path.of(s.output());
      Path scratch = scratch(root);
      WatchState state = WatchState.load(root);
      int n = state.increments() + 1;
      // the new conversations' embeddings, read before their shards move
      Map<String, float[]> newVectors = StageFiles.vectors(scratch);
      Map<String, String> params = new LinkedHashMap<>();
      params.put("input", s.input().describe());
      params.put("embedder", s.embedder().describe());
      params.put("watch increment", String.valueOf(n));
      List<String> stages = new ArrayList<>(List.of(StageFeatures.CONVERSATIONS));
      if (llm != null) stages.add(StageFeatures.SUMMARIES);
      stages.add(StageFeatures.EMBEDDINGS);
      for (String stage : stages) {
        // a stage refused for having no rows (every record of the new files failed) is an
        // increment of failures only, taken in below; one refused over --max-error-rate leaves
        // the set as it was: its files are recorded as refused and the watch goes on
        Optional<String> refused =
            StagedDataset.rejected(CheckpointLayout.stageDir(scratch, stage));
        if (refused.isPresent() && StageFiles.stagedRows(scratch, stage) > 0) {
          // the sink's "see" names the staged errors, gone with the scratch root: the failures
          // are kept in refusedErrors instead
          refuse(
              root, state, n, stages, stage + ": " + refused.get().replaceFirst("; see .*$", ""));
          return;
        }
      }
      // everything the increment writes is prepared first, outside the set (PendingIncrement)
      Path next = PendingIncrement.next(root);
      StageFiles.deleteTree(next);
      List<String> fingerprints = new ArrayList<>();
      for (String stage : stages) {
        CheckpointLayout.StageInfo before = CheckpointLayout.read(root, stage).orElseThrow();
        fingerprints.add(hash(before.fingerprint(), inputHash));
      }
      List<Cluster> base = StageFiles.readAll(root, StageFeatures.CLUSTERS, StageRows::cluster);
      List<Cluster> all = StageFiles.readAll(root, StageFeatures.META_CLUSTERS, StageRows::cluster);
      List<ProjectedCluster> projected =
          new ArrayList<>(
              StageFiles.readAll(root, StageFeatures.DIMENSIONALITY, StageRows::projectedCluster));
      // the centroids from the sums saved with the clusters: the set's old vectors are not read
      String clustersBefore =
          CheckpointLayout.read(root, StageFeatures.CLUSTERS).orElseThrow().fingerprint();
      ClusterSums sums = ClusterSums.load(root, clustersBefore).orElse(null);
      if (sums == null) {
        System.err.println(
            "increment "
                + n
                + ": no cluster sums for the current clusters in "
                + ClusterSums.file(root)
                + "; reading every embedding of the set to place the new conversations");
        try (ScratchPoints points = ScratchPoints.vectorsOf(root)) {
          sums = ClusterSums.of(base, points.vectorsById(), clustersBefore);
        }
      }
      ClusterUpdate.Result placed =
          ClusterUpdate.assign(
              base,
              all,
              projected,
              sums.centroids(),
              newVectors,
              new ArrayList<>(newVectors.keySet()),
              state.radius());
      long since = state.sinceRebuild() + newVectors.size();
      long drifted = state.driftedSinceRebuild() + placed.drifted();
      boolean again =
          since >= policy.reclusterEvery()
              || (since >= 10 && drifted > policy.driftThreshold() * since);
      // the embeddings' fingerprint once the increment is appended
      String clusterFp =
          hash(fingerprints.get(stages.indexOf(StageFeatures.EMBEDDINGS)), "clusters " + n);
      double radius = state.radius();
      String how;
      ClusterSums newSums;
      if (again) {
        ClusterAnalysis.Namer namer =
            llm != null
                ? new LlmNamer(llm, s.clustering().seed())
                : new ClusterAnalysis.TfIdfNamer();
        // every vector, new and old: made again, the clusters need them all (the set's and the
        // increment's, read into scratch files as the batch run's cluster stage does)
        try (ScratchPoints points =
            ScratchPoints.of(
                List.of(root, scratch),
                llm != null,
                ConversationLayout.SAFE,
                s.clustering().textChars())) {
          ClusterAnalysis.Result r = ClusterAnalysis.run(points, s.clustering(), namer, clusterFp);
          base = r.clusters();
          all = r.metaClusters();
          projected.clear();
          projected.addAll(r.projected());
          Map<String, float[]> vectors = points.vectorsById();
          radius = ClusterUpdate.radius(base, vectors);
          newSums = ClusterSums.of(base, vectors, clusterFp);
        }
        since = 0;
        drifted = 0;
        how =
            "k-means (seed "
                + s.clustering().seed()
                + "), names by "
                + namer.describe()
                + "; made again at increment "
                + n;
      } else {
        base = placed.clusters();
        all = placed.metaClusters();
        projected.clear();
        projected.addAll(placed.projected());
        newSums = sums.plus(placed.placed(), newVectors, clusterFp);
        how =
            CheckpointLayout.read(root, StageFeatures.CLUSTERS)
                    .map(i -> i.madeBy())
                    .orElse("")
                    .replaceAll("; new conversations placed .*$", "")
                + "; new conversations placed in the nearest cluster (increment "
                + n
                + ")";
      }
      List<ObjectNode> rows = new ArrayList<>();
      for (Cluster c : base) rows.add(StageRows.row(c));
      StageFiles.writeWhole(
          next,
          StageFeatures.CLUSTERS,
          StageFeatures.clusters(),
          rows,
          s.parquet(),
          clusterFp,
          how,
          params);
      rows = new ArrayList<>();
      for (Cluster c : all) rows.add(StageRows.row(c));
      StageFiles.writeWhole(
          next,
          StageFeatures.META_CLUSTERS,
          StageFeatures.clusters(),
          rows,
          s.parquet(),
          clusterFp,
          how,
          params);
      rows = new ArrayList<>();
      for (ProjectedCluster pc : projected) rows.add(StageRows.row(pc));
      StageFiles.writeWhole(
          next,
          StageFeatures.DIMENSIONALITY,
          StageFeatures.dimensionality(),
          rows,
          s.parquet(),
          clusterFp,
          how,
          params);
      newSums.save(next);
      StringBuilder ids = new StringBuilder();
      for (String id : newVectors.keySet()) ids.append(id).append('\n');
      Files.createDirectories(WatchState.idsFile(next).getParent());
      Files.writeString(WatchState.idsFile(next), ids.toString(), StandardCharsets.UTF_8);
      TreeMap<String, Long> ingested = new TreeMap<>(state.ingested());
      TreeMap<String, WatchState.Refused> stillRefused = new TreeMap<>(state.refused());
      for (String f : files) {
        ingested.put(f, Files.size(Path.of(f)));
        stillRefused.remove(f); // refused before at another size: in now
      }
      new WatchState(
              ingested,
              n,
              since,
              drifted,
              radius,
              state.conversations() + newVectors.size(),
              stillRefused)
          .save(next);
      PendingIncrement.step("prepared");
      // the commit point: from here a stop is finished by the next start, not undone
      PendingIncrement.record(root, n, stages, fingerprints, embeddingDimension(s));
      PendingIncrement.step("recorded");
      PendingIncrement.finish(root);
      for (WrittenFile f : ConversationsAnalyzeRun.allFiles(root)) out.output(f);
      System.err.println(
          "increment "
              + n
              + ": "
              + newVectors.size()
              + " conversations added, "
              + placed.drifted()
              + " far from their cluster"
              + (again ? "; clusters made again (" + base.size() + " clusters)" : ""));
    }

    /**
     * The increment's files refused (a stage over {@code --max-error-rate}): recorded in the watch
     * state with their size and the reason, the set left as it was. Their located failures are kept
     * in {@code .hfbeam/refused-errors.jsonl}, not in the stages' {@code _errors}: those count the
     * set's failures, and a refused file fixed and taken in later would be counted twice.
     */
    private void refuse(Path root, WatchState state, int n, List<String> stages, String reason)
        throws IOException {
      Path scratch = scratch(root);
      Path log = refusedErrors(root);
      keepRefusedErrors(root, errorFiles(scratch, stages));
      recordRefused(root, state, files, reason);
      StageFiles.deleteTree(scratch);
      System.err.println(
          "increment "
              + n
              + " refused, the set left as it was: "
              + String.join(", ", files)
              + " ("
              + reason
              + "; its failures in "
              + log
              + "); the watch goes on and tries a file again once it changes");
    }

    private static String hash(String... parts) {
      return HexFormat.of()
          .formatHex(
              Survey.sha256()
                  .digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)));
    }
  }
}
