package io.hfbeam.cli;

import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.conversations.AnalyzeSettings;
import io.hfbeam.workflow.conversations.ClusterAnalysis;
import io.hfbeam.workflow.conversations.ConversationLlm;
import io.hfbeam.workflow.conversations.ConversationsAnalyzeRun;
import io.hfbeam.workflow.conversations.ConversationsIncrementRun;
import io.hfbeam.workflow.conversations.ConversationsWatch;
import io.hfbeam.workflow.conversations.EmbedTexts;
import io.hfbeam.workflow.conversations.InputSpec;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "analyze",
    mixinStandardHelpOptions = true,
    defaultValueProvider = PipelineYaml.class,
    description =
        "Conversations -> embeddings -> clusters -> meta clusters -> 2-D map, each stage a"
            + " checkpoint (an HF dataset) in --output; stages whose inputs and settings are"
            + " unchanged are skipped.")
final class ConversationsAnalyzeCommand extends WorkflowCommand {
  @Mixin LlmOptions llm;

  @Mixin HubOptions hub;

  @Mixin WatchOptions watch;

  @Mixin DatasetInputOptions datasetInput;

  @YamlKey("drift_threshold")
  @Option(
      names = "--drift-threshold",
      paramLabel = "SHARE",
      defaultValue = "0.2",
      description =
          "With --watch: cluster again when more than this share of the conversations added since"
              + " the clusters were made lie farther from their cluster's centre than 90% of its own"
              + " members (default: ${DEFAULT-VALUE}).")
  double driftThreshold;

  @YamlKey("recluster_every")
  @Option(
      names = "--recluster-every",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "With --watch: cluster again after N new conversations, drift or not (default: ${DEFAULT-VALUE}).")
  long reclusterEvery;

  @YamlKey("summary_prompts")
  @Option(
      names = "--summary-prompts",
      paramLabel = "FILE",
      defaultValue = "config/prompts/conversation-summary.json",
      description =
          "With --llm: the prompt file with the summarise task (default: ${DEFAULT-VALUE}).")
  String summaryPrompts;

  @YamlKey("cluster_prompts")
  @Option(
      names = "--cluster-prompts",
      paramLabel = "FILE",
      defaultValue = "config/prompts/conversation-clusters.json",
      description =
          "With --llm: the prompt file with the describe_cluster task (default: ${DEFAULT-VALUE}).")
  String clusterPrompts;

  @YamlKey("embeddings")
  @Option(
      names = "--embeddings",
      paramLabel = "local|openai",
      defaultValue = "local",
      description =
          "local: all-MiniLM-L6-v2 inside the jar, offline; openai: an OpenAI-compatible"
              + " /v1/embeddings (the --api-base server) with --embedding-model (default: ${DEFAULT-VALUE}).")
  String embeddings;

  @YamlKey("embedding_model")
  @Option(
      names = "--embedding-model",
      paramLabel = "NAME",
      defaultValue = "text-embedding-3-small",
      description = "With --embeddings openai: the model (default: ${DEFAULT-VALUE}).")
  String embeddingModel;

  @YamlKey("input")
  @Option(
      names = "--input",
      paramLabel = "FILE|DIR|hf://...",
      split = ",",
      description =
          "Conversation files (JSON Lines or JSON, .gz/.zst/.bz2/.xz too) or directories of them"
              + " (repeat or comma-separate), or one Hugging Face dataset"
              + " hf://datasets/owner/name[@rev] (its rows staged as JSON Lines in the output).")
  List<String> inputs;

  @YamlKey("format")
  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "auto",
      description =
          "auto (from each file's first record), kura, claude, openai, sharegpt, or mapped (with"
              + " the field flags) (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--chat-id-field", paramLabel = "FIELD", description = "Mapped input: the id.")
  String chatIdField;

  @Option(
      names = "--created-at-field",
      paramLabel = "FIELD",
      description = "Mapped input: the conversation's time.")
  String createdAtField;

  @Option(
      names = "--messages-field",
      paramLabel = "FIELD",
      description = "Mapped input: the list of messages.")
  String messagesField;

  @Option(
      names = "--role-key",
      paramLabel = "KEY",
      description = "Mapped input: a message's role (default: role).")
  String roleKey;

  @Option(
      names = "--content-key",
      paramLabel = "KEY",
      description = "Mapped input: a message's text (default: content).")
  String contentKey;

  @Option(
      names = "--metadata-fields",
      paramLabel = "FIELD",
      split = ",",
      description = "Mapped input: fields kept as the conversation's metadata.")
  List<String> metadataFields;

  @YamlKey("clusters")
  @Option(
      names = "--clusters",
      paramLabel = "K",
      defaultValue = "0",
      description = "Base clusters (default: Kura's rule, about 10 conversations a cluster).")
  int clusters;

  @YamlKey("max_roots")
  @Option(
      names = "--max-top-clusters",
      paramLabel = "N",
      defaultValue = "10",
      description = "Merge clusters until at most N are at the top (default: ${DEFAULT-VALUE}).")
  int maxRoots;

  @YamlKey("max_rounds")
  @Option(
      names = "--max-rounds",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "The most merge rounds; a round that merges nothing ends it (default: ${DEFAULT-VALUE}).")
  int maxRounds;

  @YamlKey("seed")
  @Option(
      names = "--seed",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Seed of every random choice: the same input and flags give the same clusters (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  String workflow() {
    return "conversations-analyze";
  }

  private AnalyzeSettings settings;

  @Override
  public Integer call() {
    if (!watch.enabled()) return super.call();
    try {
      watch.check();
      if (inputs != null && inputs.stream().anyMatch(io.hfbeam.workflow.DatasetInput::isDataset))
        throw new IllegalArgumentException(
            "--watch watches directories for new files; an hf:// dataset is read once (run"
                + " without --watch)");
      settings = settings(true);
      var w = watch.settings(inputs, "--input").orElseThrow();
      var policy = new ConversationsIncrementRun.Policy(driftThreshold, reclusterEvery);
      var run = runSettings();
      ConversationsWatch.run(settings, policy, w, run, out, () -> false);
      return OK;
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      return fail(USAGE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OK;
    } catch (Exception e) {
      return fail(FAILED, e);
    }
  }

  @Override
  Launchable launchable() {
    AnalyzeSettings s = settings(false);
    boolean dataset =
        inputs.size() == 1 && io.hfbeam.workflow.DatasetInput.isDataset(inputs.get(0));
    io.hfbeam.workflow.DatasetInput di = datasetInput.input(env);
    if (!dataset && !di.isDefault()) {
      throw new IllegalArgumentException(
          "--input-config, --input-split, --input-revision, --input-columns, --decode-images and"
              + " --download are for an hf://datasets/owner/name input");
    }
    for (String in : inputs)
      if (io.hfbeam.workflow.DatasetInput.isDataset(in) && !dataset)
        throw new IllegalArgumentException("an hf:// input must be the only --input");
    return ConversationsAnalyzeRun.of(
        s, dataset ? java.util.Optional.of(di) : java.util.Optional.empty());
  }

  private AnalyzeSettings settings(boolean watching) {
    if (inputs == null || inputs.isEmpty())
      throw new IllegalArgumentException("--input FILE|DIR|hf://datasets/owner/name is required");
    if (clusters < 0)
      throw new IllegalArgumentException("--clusters must be 0 (Kura's rule) or more");
    if (maxRoots < 1) throw new IllegalArgumentException("--max-top-clusters must be at least 1");
    if (maxRounds < 0) throw new IllegalArgumentException("--max-rounds must be 0 or more");
    InputSpec spec =
        new InputSpec(
            format,
            chatIdField,
            createdAtField,
            messagesField,
            roleKey,
            contentKey,
            metadataFields);
    llm.check();
    ConversationLlm language = null;
    if (llm.llm != null) {
      BackendSpec backend = llm.backend(env);
      PromptFile summaries = prompts(summaryPrompts, ConversationLlm.SUMMARISE);
      PromptFile names = prompts(clusterPrompts, ConversationLlm.DESCRIBE_CLUSTER);
      language =
          new ConversationLlm(
              null,
              backend,
              llm.model,
              summaries,
              names,
              ConfigFiles.sha256(summaryPrompts) + ConfigFiles.sha256(clusterPrompts),
              llm.temperature,
              llm.validationAttempts,
              null,
              llm.maxTokensTotal,
              llm.maxCost,
              backend.isGguf() ? null : llm.pricesYaml(backend));
    }
    EmbedTexts.Spec embedder =
        switch (embeddings) {
          case "local" -> EmbedTexts.Spec.LOCAL;
          case "openai" -> {
            BackendSpec server = llm.serverBackend(env);
            yield new EmbedTexts.Spec(server, embeddingModel);
          }
          default ->
              throw new IllegalArgumentException(
                  "--embeddings must be local or openai, got '" + embeddings + "'");
        };
    AnalyzeSettings s =
        new AnalyzeSettings(
            inputs,
            common.output().toString(),
            spec,
            embedder,
            new ClusterAnalysis.Settings(clusters, seed, maxRoots, maxRounds, 1_000),
            common.parquet(),
            language,
            watching);
    return s;
  }

  private static PromptFile prompts(String file, String task) {
    PromptFile p;
    try {
      p = PromptFile.load(ConfigFiles.materialize(file));
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException(ex.getMessage());
    }
    if (!p.taskNames().contains(task)) {
      throw new IllegalArgumentException(
          file + " has no task '" + task + "'; it has: " + String.join(", ", p.taskNames()));
    }
    return p;
  }
}
