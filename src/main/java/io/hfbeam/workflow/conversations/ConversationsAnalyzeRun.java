package io.hfbeam.workflow.conversations;

import io.hfbeam.beam.HuggingFaceIO;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.StagedDataset;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.llm.LocalEmbeddings;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.Launchable;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * {@code conversations analyze}: conversations -> embeddings -> clusters -> meta clusters -> 2-D
 * layout, each stage a checkpoint in the output ({@link CheckpointLayout}). Before the pipeline is
 * built, every stage's fingerprint (its inputs, model and parameters, chained from the stages it
 * reads) is compared with the one its checkpoint records: a matching stage is skipped, a stale or
 * missing one is rebuilt, and the run says which.
 */
public final class ConversationsAnalyzeRun implements Launchable {
  private final AnalyzeSettings s;
  private final List<Path> files;
  private final Survey survey;
  private final Map<String, String> fingerprints = new LinkedHashMap<>();
  private final Map<String, String> state = new LinkedHashMap<>();
  private final Path root;
  // an hf:// input: what it was staged from, and the rows that could not be staged
  private final Optional<DatasetStage.Staged> staged;
  private ConversationLlm run;

  private ConversationsAnalyzeRun(
      AnalyzeSettings s, List<Path> files, Survey survey, Optional<DatasetStage.Staged> staged) {
    this.s = s;
    this.files = files;
    this.survey = survey;
    this.staged = staged;
    this.root = Path.of(s.output()).toAbsolutePath().normalize();
    String conv = hash("conversations", survey.inputHash(), s.input().describe());
    fingerprints.put(StageFeatures.CONVERSATIONS, conv);
    String textSource = conv;
    if (s.hasLlm()) {
      ConversationLlm l = s.llm();
      textSource =
          hash(
              "summaries",
              conv,
              l.describe(),
              l.promptsHash(),
              "temperature=" + l.temperature(),
              "attempts=" + l.validationAttempts());
      fingerprints.put(StageFeatures.SUMMARIES, textSource);
    }
    String emb = hash("embeddings", textSource, s.embedder().describe());
    ClusterAnalysis.Settings c = s.clustering();
    String clusters =
        hash(
            "clusters",
            emb,
            textSource,
            "k=" + c.clusters(),
            "seed=" + c.seed(),
            "roots=" + c.maxRoots(),
            "rounds=" + c.maxRounds(),
            "chars=" + c.textChars(),
            namer().describe(),
            s.hasLlm() ? s.llm().promptsHash() : "");
    fingerprints.put(StageFeatures.EMBEDDINGS, emb);
    fingerprints.put(StageFeatures.CLUSTERS, clusters);
    fingerprints.put(StageFeatures.META_CLUSTERS, clusters);
    fingerprints.put(StageFeatures.DIMENSIONALITY, clusters);
    for (Map.Entry<String, String> e : fingerprints.entrySet()) {
      Optional<CheckpointLayout.StageInfo> info = CheckpointLayout.read(root, e.getKey());
      state.put(
          e.getKey(),
          info.isEmpty()
              ? "missing"
              : info.get().fingerprint().equals(e.getValue()) ? "up to date" : "stale");
    }
  }

  /** Reads the input once (layout, hash, counts) and compares every stage with its checkpoint. */
  public static ConversationsAnalyzeRun of(AnalyzeSettings s) {
    return of(s, Optional.empty());
  }

  /**
   * As {@link #of(AnalyzeSettings)}; with a dataset ({@code --input hf://datasets/owner/name}, the
   * only input) its rows are first staged as JSON Lines under the output ({@link DatasetStage}),
   * and everything after reads those files.
   */
  public static ConversationsAnalyzeRun of(
      AnalyzeSettings s, Optional<io.hfbeam.workflow.DatasetInput> dataset) {
    Optional<DatasetStage.Staged> staged = Optional.empty();
    if (s.inputs().size() == 1 && io.hfbeam.workflow.DatasetInput.isDataset(s.inputs().get(0))) {
      DatasetStage.Staged st =
          DatasetStage.stage(
              s.inputs().get(0),
              dataset.orElse(
                  new io.hfbeam.workflow.DatasetInput(null, null, null, null, true, false, null)),
              Path.of(s.output()).toAbsolutePath().normalize());
      staged = Optional.of(st);
      s = s.withInputs(st.files().stream().map(Path::toString).toList());
    }
    List<Path> files = InputFiles.expand(s.inputs(), AnalyzeSettings.PATTERN);
    try {
      Survey survey = Survey.of(files, s.input());
      if (s.watching()) survey = survey.withLayout(io.hfbeam.conversations.ConversationLayout.SAFE);
      return new ConversationsAnalyzeRun(s, files, survey, staged);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private ClusterAnalysis.Namer namer() {
    return s.hasLlm()
        ? new LlmNamer(s.llm(), s.clustering().seed())
        : new ClusterAnalysis.TfIdfNamer();
  }

  private static String hash(String... parts) {
    return HexFormat.of()
        .formatHex(
            Survey.sha256().digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8)));
  }

  /** Each stage: up to date, stale or missing (before this run). */
  public Map<String, String> stageStates() {
    return Map.copyOf(state);
  }

  public Map<String, String> fingerprints() {
    return Map.copyOf(fingerprints);
  }

  @Override
  public String name() {
    return "conversations-analyze";
  }

  @Override
  public Path output() {
    return root;
  }

  @Override
  public List<Path> inputDirs() {
    // a staged dataset lies under the output on purpose
    if (staged.isPresent()) return List.of();
    return InputFiles.searchedDirs(s.inputs());
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
    return rejection(root);
  }

  @Override
  public void afterRun(boolean accepted) throws IOException {
    if (!accepted) unmarkBuilt();
  }

  /** The first stage of the set under {@code root} whose output was refused, and why. */
  static Optional<String> rejection(Path root) {
    for (String stage : CheckpointLayout.STAGES) {
      Optional<String> r = StagedDataset.rejected(CheckpointLayout.stageDir(root, stage));
      if (r.isPresent()) return Optional.of(stage + ": " + r.get());
    }
    return Optional.empty();
  }

  /**
   * After the run, when a stage was refused: the stages this run made (from the refused input, in
   * parallel branches that finished on their own) must not look complete either.
   */
  private void unmarkBuilt() throws IOException {
    for (String stage : fingerprints.keySet()) {
      if (!fresh(stage)) CheckpointLayout.invalidate(root, stage);
    }
    if (java.nio.file.Files.isDirectory(root)) {
      CheckpointLayout.writeRootCard(root, "Conversation analysis checkpoints");
    }
  }

  @Override
  public String doneMessage() {
    StringBuilder sb = new StringBuilder("\ncheckpoints: ").append(root).append('\n');
    for (CheckpointLayout.StageInfo info : CheckpointLayout.present(root)) {
      sb.append("  ")
          .append(String.format("%-15s", info.stage()))
          .append(String.format("%,9d rows", info.rows()));
      if (info.failed() > 0) {
        sb.append(", ")
            .append(info.failed())
            .append(" refused: ")
            .append(CheckpointLayout.stageDir(root, info.stage()).resolve("_errors/errors.jsonl"));
      }
      sb.append('\n');
    }
    sb.append(
            "load a stage in Python:\n  from datasets import load_dataset\n  ds = load_dataset(\"")
        .append(root)
        .append("\", \"clusters\", split=\"train\")");
    return sb.toString();
  }

  private boolean fresh(String stage) {
    return "up to date".equals(state.get(stage));
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException {
    if (staged.isPresent()) {
      DatasetStage.Staged st = staged.get();
      out.println(
          "dataset: "
              + st.version()
              + " staged as "
              + st.files().size()
              + (st.files().size() == 1 ? " file" : " files")
              + (st.reused() > 0 ? " (" + st.reused() + " already staged from this commit)" : "")
              + (st.failures().isEmpty()
                  ? ""
                  : ", "
                      + st.failures().size()
                      + (st.failures().size() == 1 ? " row or unit" : " rows or units")
                      + " not read")
              + " in "
              + root.resolve(DatasetStage.DIR));
    }
    out.println(
        "input: "
            + files.size()
            + (files.size() == 1 ? " file, " : " files, ")
            + survey.conversations()
            + " conversations"
            + (survey.failures() > 0 ? ", " + survey.failures() + " records refused" : ""));
    for (String stage : fingerprints.keySet()) {
      String st = state.get(stage);
      out.println(
          "  "
              + stage
              + ": "
              + (st.equals("up to date")
                  ? "up to date, skipped"
                  : st.equals("stale")
                      ? "stale (made from other inputs or settings), rebuilding"
                      : "building"));
    }
    if (!s.hasLlm()) {
      out.println("  summaries: none (no LLM configured: conversations are embedded directly)");
    } else {
      checkBackend(s.llm());
      String id = UUID.randomUUID().toString();
      run = s.llm().withRun(id, root.resolve(".hfbeam").resolve("llm-journal"));
      ConversationLlm.closeOthers(id);
    }
    for (String stage : fingerprints.keySet()) {
      if (!fresh(stage)) CheckpointLayout.invalidate(root, stage);
    }
    List<PCollection<WrittenFile>> written = new ArrayList<>();
    boolean clustersFresh =
        fresh(StageFeatures.CLUSTERS)
            && fresh(StageFeatures.META_CLUSTERS)
            && fresh(StageFeatures.DIMENSIONALITY);
    boolean llm = s.hasLlm();
    // the clustering reads its points from the checkpoints: only embedding needs texts here
    boolean needTexts = !fresh(StageFeatures.EMBEDDINGS);
    boolean needSummaries = llm && (!fresh(StageFeatures.SUMMARIES) || needTexts);
    boolean needConversations =
        !fresh(StageFeatures.CONVERSATIONS)
            || (llm && !fresh(StageFeatures.SUMMARIES))
            || (!llm && needTexts);
    PCollection<KV<String, String>> conversations = null;
    if (needConversations) {
      PCollectionTuple read =
          p.apply("ReadConversations", ReadConversations.from(survey).withSpec(s.input()));
      conversations = read.get(ReadConversations.CONVERSATIONS);
      if (!fresh(StageFeatures.CONVERSATIONS)) {
        written.add(
            conversations
                .apply("ConversationRows", ParDo.of(new ConversationRowFn(survey.layout())))
                .setCoder(StringUtf8Coder.of())
                .apply(
                    "WriteConversations",
                    stage(
                            StageFeatures.CONVERSATIONS,
                            StageFeatures.conversations(survey.layout()),
                            "the input files (" + s.input().describe() + ")")
                        .withFailures(failures(p, read.get(ReadConversations.FAILURES)))));
      }
    }
    // what is embedded: chat_id -> text
    PCollection<KV<String, String>> embedTexts = null;
    if (needSummaries) {
      PCollection<KV<String, String>> summaries;
      if (fresh(StageFeatures.SUMMARIES)) {
        summaries =
            readStage(p, StageFeatures.SUMMARIES)
                .apply("KeySummaries", ParDo.of(new KeyFn()))
                .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
      } else {
        PCollectionTuple summarised =
            conversations.apply("Summarise", SummarizeConversations.with(run));
        summaries = summarised.get(SummarizeConversations.SUMMARIES);
        written.add(
            summaries
                .apply("SummaryRows", org.apache.beam.sdk.transforms.Values.create())
                .setCoder(StringUtf8Coder.of())
                .apply(
                    "WriteSummaries",
                    stage(
                            StageFeatures.SUMMARIES,
                            StageFeatures.summaries(),
                            "the LLM (" + run.describe() + ", task summarise)")
                        .withFailures(summarised.get(SummarizeConversations.FAILURES))));
      }
      if (needTexts) {
        embedTexts =
            summaries
                .apply("SummaryTexts", ParDo.of(new SummaryTextFn()))
                .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
      }
    } else if (needTexts) {
      embedTexts =
          conversations
              .apply("Texts", ParDo.of(new TextFn()))
              .setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    }
    if (!fresh(StageFeatures.EMBEDDINGS)) {
      PCollection<String> embeddings =
          embedTexts.apply(
              "Embed",
              EmbedTexts.with(s.embedder())
                  .withJournal(root.resolve(".hfbeam").resolve("embedding-journal")));
      written.add(
          embeddings.apply(
              "WriteEmbeddings",
              stage(
                  StageFeatures.EMBEDDINGS,
                  StageFeatures.embeddings(s.embedder().local() ? LocalEmbeddings.DIMENSION : -1),
                  s.embedder().describe())));
    }
    if (!clustersFresh) {
      String fp = fingerprints.get(StageFeatures.CLUSTERS);
      ClusterAnalysis.Namer namer =
          llm ? new LlmNamer(run, s.clustering().seed()) : new ClusterAnalysis.TfIdfNamer();
      // the stages the clustering reads, in place before it starts (nothing written: all were)
      PCollection<WrittenFile> before =
          written.isEmpty()
              ? p.apply("NothingBefore", Create.empty(SerializableCoder.of(WrittenFile.class)))
              : PCollectionList.of(written).apply("StagesWritten", Flatten.pCollections());
      PCollection<WrittenFile> clusters =
          before.apply(
              "Cluster",
              ClusterConversations.of(root, s.clustering())
                  .withNamer(namer)
                  .withFingerprint(fp)
                  .withEmbeddings(fingerprints.get(StageFeatures.EMBEDDINGS))
                  .withTexts(llm, survey.layout())
                  .withParquet(s.parquet())
                  .withParameters(parameters()));
      written.add(clusters);
    }
    PCollection<WrittenFile> all =
        written.isEmpty()
            ? p.apply("Nothing", Create.empty(SerializableCoder.of(WrittenFile.class)))
            : PCollectionList.of(written).apply("AllStages", Flatten.pCollections());
    return all.apply("AllFiles", Combine.globally(new CollectList<WrittenFile>()))
        .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
        .apply("RootCard", ParDo.of(new RootCardFn(root.toString())))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  /** The reader's failures, and before them those of staging a dataset (rows it could not read). */
  private PCollection<Row> failures(Pipeline p, PCollection<Row> read) {
    if (staged.isEmpty() || staged.get().failures().isEmpty()) return read;
    PCollection<Row> before =
        p.apply(
            "StagingFailures",
            Create.of(staged.get().failures())
                .withCoder(
                    org.apache.beam.sdk.schemas.SchemaCoder.of(io.hfbeam.dataset.Failures.SCHEMA)));
    return PCollectionList.of(before)
        .and(read)
        .apply("AllReadFailures", Flatten.pCollections())
        .setCoder(org.apache.beam.sdk.schemas.SchemaCoder.of(io.hfbeam.dataset.Failures.SCHEMA));
  }

  /** A bad key or URL fails here, before any conversation is sent. */
  private void checkBackend(ConversationLlm l) throws IOException {
    if (l.backend().isGguf())
      return; // the file was checked with the settings; it loads with the run
    try (io.hfbeam.llm.OpenAiClient client =
        new io.hfbeam.llm.OpenAiClient(
            l.backend().clientSettings(System.getenv()).withMaxAttempts(2))) {
      client.checkKey(l.model());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking the API key", e);
    }
  }

  @Override
  public void release() {
    if (run != null) ConversationLlm.close(run.runId());
  }

  @Override
  public boolean resumesFromItsOutput() {
    return s.hasLlm(); // the answers journal: a re-run pays nothing for what was answered
  }

  @Override
  public Optional<Integer> directRunnerThreads() {
    // as sft-generate: a second DirectRunner thread only busy-polls beside the bundle that waits
    // for answers; without an LLM both threads embed
    return s.hasLlm() ? Optional.of(1) : Optional.empty();
  }

  /** A stage row keyed by its chat id. */
  static final class KeyFn extends DoFn<String, KV<String, String>> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    @ProcessElement
    public void process(@Element String row, OutputReceiver<KV<String, String>> out)
        throws Exception {
      out.output(KV.of(JSON.readTree(row).path("chat_id").asText(), row));
    }
  }

  /** A summary row -> the text its conversation is embedded by. */
  static final class SummaryTextFn extends DoFn<KV<String, String>, KV<String, String>> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    @ProcessElement
    public void process(@Element KV<String, String> row, OutputReceiver<KV<String, String>> out)
        throws Exception {
      out.output(
          KV.of(
              row.getKey(),
              SummarizeConversations.embeddingText(
                  io.hfbeam.conversations.StageRows.summary(JSON.readTree(row.getValue())))));
    }
  }

  private WriteStage stage(String stage, Features features, String madeBy) {
    return WriteStage.of(root, stage, features)
        .withParquet(s.parquet())
        .withRecord(fingerprints.get(stage), madeBy, parameters());
  }

  /** The run's settings, recorded with every stage. */
  private Map<String, String> parameters() {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("input", s.input().describe());
    staged.ifPresent(st -> params.put("dataset", st.version()));
    params.put("embedder", s.embedder().describe());
    if (s.hasLlm()) params.put("llm", s.llm().describe());
    params.put(
        "clusters",
        s.clustering().clusters() == 0
            ? "Kura's rule (n / 10)"
            : String.valueOf(s.clustering().clusters()));
    params.put("seed", String.valueOf(s.clustering().seed()));
    return params;
  }

  /** A complete stage's rows back as JSON trees (the embeddings a later stage reads). */
  private PCollection<String> readStage(Pipeline p, String stage) {
    Path dir = CheckpointLayout.stageDir(root, stage);
    HuggingFaceIO.Read read = HuggingFaceIO.read().from(dir.toString());
    return p.apply("Read_" + stage, read)
        .apply("Rows_" + stage, ParDo.of(new RowJsonFn(dir.toString())))
        .setCoder(StringUtf8Coder.of());
  }

  static final class RowJsonFn extends DoFn<Row, String> {
    private final String dir;
    private transient Features features;

    RowJsonFn(String dir) {
      this.dir = dir;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<String> out) {
      if (features == null) features = Features.fromBeamSchema(row.getSchema());
      out.output(JsonlRowWriter.toJsonLine(row, features));
    }
  }

  static final class ConversationRowFn extends DoFn<KV<String, String>, String> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();
    private final io.hfbeam.conversations.ConversationLayout layout;

    ConversationRowFn(io.hfbeam.conversations.ConversationLayout layout) {
      this.layout = layout;
    }

    @ProcessElement
    public void process(@Element KV<String, String> c, OutputReceiver<String> out)
        throws Exception {
      out.output(
          io.hfbeam.conversations.StageRows.row(
                  KuraJson.conversation(JSON.readTree(c.getValue())), layout)
              .toString());
    }
  }

  static final class TextFn extends DoFn<KV<String, String>, KV<String, String>> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();

    @ProcessElement
    public void process(@Element KV<String, String> c, OutputReceiver<KV<String, String>> out)
        throws Exception {
      out.output(
          KV.of(
              c.getKey(), ConversationText.of(KuraJson.conversation(JSON.readTree(c.getValue())))));
    }
  }

  /** Every file of the checkpoint set (the root card and each complete stage's files). */
  static List<WrittenFile> allFiles(Path r) throws IOException {
    List<Path> all = new ArrayList<>();
    all.add(r.resolve("README.md"));
    for (CheckpointLayout.StageInfo info : CheckpointLayout.present(r)) {
      Path dir = CheckpointLayout.stageDir(r, info.stage());
      try (java.util.stream.Stream<Path> walk = java.nio.file.Files.walk(dir)) {
        walk.filter(java.nio.file.Files::isRegularFile)
            .filter(f -> !dir.relativize(f).toString().startsWith(".hfbeam"))
            .filter(f -> !f.getFileName().toString().endsWith(".tmp"))
            .sorted()
            .forEach(all::add);
      }
    }
    List<WrittenFile> out = new ArrayList<>();
    for (Path f : all) {
      out.add(
          new WrittenFile(
              null,
              r.relativize(f).toString().replace('\\', '/'),
              f.toString(),
              0,
              java.nio.file.Files.size(f),
              0));
    }
    return out;
  }

  /**
   * After every stage of this run is in place: the root card over all complete stages, then every
   * file of the checkpoint set (what a publish commits; the Hub skips files it already has, so a
   * run that rebuilt one stage uploads that stage).
   */
  static final class RootCardFn extends DoFn<List<WrittenFile>, WrittenFile> {
    private final String root;

    RootCardFn(String root) {
      this.root = root;
    }

    @ProcessElement
    public void process(@Element List<WrittenFile> files, OutputReceiver<WrittenFile> out)
        throws IOException {
      Path r = Path.of(root);
      CheckpointLayout.writeRootCard(r, "Conversation analysis checkpoints");
      for (WrittenFile f : allFiles(r)) out.output(f);
    }
  }
}
