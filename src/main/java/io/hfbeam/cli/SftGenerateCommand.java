package io.hfbeam.cli;

import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.workflow.DatasetInput;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.sft.PairMapping;
import io.hfbeam.workflow.sft.SftGenerateRun;
import io.hfbeam.workflow.sft.SftGenerateWorkflow;
import io.hfbeam.workflow.sft.SftSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sft-generate",
    mixinStandardHelpOptions = true,
    defaultValueProvider = PipelineYaml.class,
    description =
        "Make chat-format SFT examples from pairs (a text with one error and its corrected text):"
            + " the CORRECT side paraphrased by an LLM, the INCORRECT side kept (and explained with"
            + " --add-reasoning). Answers are journaled beside the output and never paid for twice.")
final class SftGenerateCommand extends WorkflowCommand {
  @Mixin HubOptions hub;

  @Mixin DatasetInputOptions datasetInput;

  @Mixin WatchOptions watch;

  @YamlKey("input")
  @Option(
      names = {"--input", "--input-jsonl"},
      paramLabel = "FILE|DIR|hf://...",
      split = ",",
      description =
          "Pairs: JSONL, CSV, TSV or Parquet files, a directory of them, or a Hugging Face dataset"
              + " hf://datasets/owner/name[@rev] (repeat or comma-separate).")
  List<String> inputs;

  @Option(
      names = "--output-dir",
      paramLabel = "DIR",
      description = "Same as --output (the seed script's name).")
  String outputDir;

  @YamlKey("prompt_file")
  @Option(
      names = "--prompt-file",
      paramLabel = "FILE",
      defaultValue = "config/prompts/medec-safe-augmentation.json",
      description =
          "Prompt file: named tasks with prompts, parameters, answer schema, checks (default: ${DEFAULT-VALUE}).")
  String promptFile;

  @YamlKey("pairing")
  @Option(
      names = "--pairing",
      paramLabel = "FILE",
      defaultValue = "config/sft-pairing-medec.yaml",
      description =
          "Which columns make a pair, which rows are skipped, the example templates (default: ${DEFAULT-VALUE}).")
  String pairing;

  @YamlKey("num_pairs")
  @Option(
      names = "--num-pairs",
      paramLabel = "N",
      defaultValue = "0",
      description = "Make at most N pairs, the first in input order (default: all).")
  long numPairs;

  @YamlKey("add_reasoning")
  @Option(
      names = "--add-reasoning",
      description = "Ask the model to explain each error; the INCORRECT example carries it.")
  boolean addReasoning;

  @YamlKey("batch_size")
  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "The seed script's batch size; here pairs are asked as soon as a request slot is free"
              + " (--concurrency), so this is only checked (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @YamlKey("save_every")
  @Option(
      names = "--save-every",
      paramLabel = "N",
      defaultValue = "5",
      description =
          "Make answers durable (journal fsync) every N new pairs (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  @YamlKey("llm")
  @Option(
      names = "--llm",
      paramLabel = "openai|URL|gguf:PATH",
      description =
          "The model: an OpenAI-compatible server (openai: OPENAI_BASE_URL, else OpenAI), or a"
              + " local GGUF chat model file run in the JVM by llama.cpp (gguf:PATH).")
  String llm;

  @YamlKey("api_base")
  @Option(
      names = "--api-base",
      paramLabel = "URL",
      description =
          "Base URL of an OpenAI-compatible server (default: OPENAI_BASE_URL, else OpenAI's).")
  String apiBase;

  @Option(
      names = "--openai-api-key",
      paramLabel = "KEY",
      description =
          "API key (prefer the OPENAI_API_KEY environment variable: a flag shows in the process list)."
              + " Never printed or written.")
  String apiKey;

  @YamlKey("model")
  @Option(
      names = "--model",
      paramLabel = "NAME",
      defaultValue = "gpt-4o-mini",
      description = "Model name sent to the server (default: ${DEFAULT-VALUE}).")
  String model;

  @YamlKey("concurrency")
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "8",
      description = "Requests in flight at once per worker JVM (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @YamlKey("max_tokens_total")
  @Option(
      names = "--max-tokens-total",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Stop before more than N prompt + completion tokens are used (default: no limit).")
  long maxTokensTotal;

  @YamlKey("max_cost")
  @Option(
      names = "--max-cost",
      paramLabel = "USD",
      defaultValue = "0",
      description =
          "Stop before more than this many USD are spent, by the prices file (default: no limit).")
  double maxCost;

  @YamlKey("prices")
  @Option(
      names = "--prices",
      paramLabel = "FILE",
      defaultValue = "config/llm-prices.yaml",
      description = "USD per 1M tokens per model (default: ${DEFAULT-VALUE}).")
  String prices;

  @YamlKey("temperature")
  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "Sampling temperature for every task (default: each task's own).")
  Double temperature;

  @YamlKey("seed")
  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Sampling seed for every task, also the order of the combined split (default: each task's own; order seed 0).")
  Long seed;

  @YamlKey("validation_attempts")
  @Option(
      names = "--validation-attempts",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Answers asked for per task when one fails validation (default: ${DEFAULT-VALUE}).")
  int validationAttempts;

  @YamlKey("request_timeout_seconds")
  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description = "Time allowed for one answer (default: ${DEFAULT-VALUE}).")
  int requestTimeout;

  @Override
  String workflow() {
    return "sft-generate";
  }

  @Override
  Launchable launchable() {
    if (numPairs < 0) throw new IllegalArgumentException("--num-pairs must be 0 (all) or more");
    if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1");
    if (saveEvery < 1) throw new IllegalArgumentException("--save-every must be at least 1");
    if (concurrency < 1 || concurrency > 1024)
      throw new IllegalArgumentException("--concurrency must be between 1 and 1024");
    if (maxTokensTotal < 0)
      throw new IllegalArgumentException("--max-tokens-total must be 0 or more");
    if (maxCost < 0 || !Double.isFinite(maxCost))
      throw new IllegalArgumentException("--max-cost must be 0 (no limit) or more");
    if (temperature != null && (temperature < 0 || temperature > 2))
      throw new IllegalArgumentException("--temperature must be between 0 and 2");
    if (validationAttempts < 1)
      throw new IllegalArgumentException("--validation-attempts must be at least 1");
    if (requestTimeout < 1)
      throw new IllegalArgumentException("--request-timeout must be at least 1");
    if (inputs == null || inputs.isEmpty())
      throw new IllegalArgumentException("--input FILE|DIR|hf://datasets/owner/name is required");
    if (outputDir != null) {
      if (given("--output"))
        throw new IllegalArgumentException("give --output or --output-dir, not both");
      common.output = outputDir;
    }
    Map<String, String> e = env == null ? System.getenv() : env;
    String base = apiBase;
    if (base == null && (llm == null || llm.equals("openai"))) {
      String fromEnv = e.get("OPENAI_BASE_URL");
      if (fromEnv != null && !fromEnv.isBlank()) base = fromEnv.trim();
    }
    BackendSpec backend = BackendSpec.parse(llm, base);
    if (backend.isGguf()) {
      try {
        SftGenerateRun.checkModelFile(Path.of(llm.substring(5)));
      } catch (IOException ex) {
        throw new IllegalArgumentException(ex.getMessage());
      }
    } else {
      backend =
          backend
              .withConcurrency(concurrency)
              .withRequestTimeout(Duration.ofSeconds(requestTimeout))
              .withKey(
                  apiKey != null ? apiKey : e.get("OPENAI_API_KEY"),
                  apiKey != null ? "--openai-api-key" : "OPENAI_API_KEY");
      // a missing key is found now (a local server may take none: OPENAI_API_KEY=none)
      if (!backend.clientSettings(e).hasApiKey()) {
        throw new IllegalArgumentException(
            "no API key: set OPENAI_API_KEY (any value for a local server that takes none), or"
                + " use --llm gguf:PATH for a local model file");
      }
    }
    PairMapping mapping = PairMapping.parse(ConfigFiles.readYaml(pairing), pairing);
    PromptFile prompts;
    try {
      prompts = PromptFile.load(ConfigFiles.materialize(promptFile));
    } catch (RuntimeException ex) {
      throw new IllegalArgumentException(ex.getMessage());
    }
    for (String task :
        addReasoning
            ? List.of(mapping.correctTask(), mapping.reasoningTask())
            : List.of(mapping.correctTask())) {
      if (!prompts.taskNames().contains(task))
        throw new IllegalArgumentException(
            promptFile
                + " has no task '"
                + task
                + "' (the pairing's tasks); it has: "
                + String.join(", ", prompts.taskNames()));
    }
    String pricesYaml;
    try {
      pricesYaml = Files.readString(ConfigFiles.materialize(prices));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    io.hfbeam.llm.Budget check =
        new io.hfbeam.llm.Budget(maxTokensTotal, maxCost, io.hfbeam.llm.Prices.parse(pricesYaml));
    if (!backend.isGguf()) check.checkPriced(model);
    SftSettings llmSettings =
        new SftSettings(
            null,
            backend,
            model,
            prompts,
            mapping,
            addReasoning,
            temperature,
            seed,
            maxTokensTotal,
            maxCost,
            pricesYaml,
            validationAttempts,
            null,
            null,
            saveEvery,
            0,
            Map.of());
    boolean dataset = inputs.size() == 1 && DatasetInput.isDataset(inputs.get(0));
    DatasetInput di = datasetInput.input(env);
    if (!dataset && !di.isDefault()) {
      throw new IllegalArgumentException(
          "--input-config, --input-split, --input-revision, --input-columns and --download are"
              + " for an hf://datasets/owner/name input");
    }
    for (String in : inputs)
      if (DatasetInput.isDataset(in) && !dataset)
        throw new IllegalArgumentException("an hf:// input must be the only input");
    SftGenerateWorkflow.Settings s =
        new SftGenerateWorkflow.Settings(
            dataset ? List.of() : inputs,
            dataset ? di.plan(inputs.get(0)) : null,
            common.output(),
            numPairs,
            common.parquet(),
            llmSettings);
    var watching = watch.settings(inputs, "--input");
    if (watching.isPresent()) {
      if (dataset)
        throw new IllegalArgumentException("--watch takes a directory, not an hf:// dataset");
      if (numPairs > 0)
        throw new IllegalArgumentException("--num-pairs is for a batch run, not --watch");
      return SftGenerateRun.watching(s, env, watching.get());
    }
    return SftGenerateRun.of(s, env);
  }
}
