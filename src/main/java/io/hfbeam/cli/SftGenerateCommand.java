package io.hfbeam.cli;

import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.workflow.DatasetInput;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.sft.PairMapping;
import io.hfbeam.workflow.sft.SftGenerateRun;
import io.hfbeam.workflow.sft.SftGenerateWorkflow;
import io.hfbeam.workflow.sft.SftSettings;
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

  @Mixin LlmOptions llm;

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

  @YamlKey("seed")
  @Option(
      names = "--seed",
      paramLabel = "N",
      description =
          "Sampling seed for every task, also the order of the combined split (default: each task's own; order seed 0).")
  Long seed;

  @Override
  String workflow() {
    return "sft-generate";
  }

  @Override
  java.nio.file.Path outputDir() {
    return outputDir != null ? java.nio.file.Path.of(outputDir) : common.output();
  }

  @Override
  Launchable launchable() {
    if (numPairs < 0) throw new IllegalArgumentException("--num-pairs must be 0 (all) or more");
    if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1");
    if (saveEvery < 1) throw new IllegalArgumentException("--save-every must be at least 1");
    llm.check();
    if (inputs == null || inputs.isEmpty())
      throw new IllegalArgumentException("--input FILE|DIR|hf://datasets/owner/name is required");
    if (outputDir != null) {
      if (given("--output"))
        throw new IllegalArgumentException("give --output or --output-dir, not both");
      common.output = outputDir;
    }
    BackendSpec backend = llm.backend(env);
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
    String pricesYaml = llm.pricesYaml(backend);
    SftSettings llmSettings =
        new SftSettings(
            null,
            backend,
            llm.model,
            prompts,
            mapping,
            addReasoning,
            llm.temperature,
            seed,
            llm.maxTokensTotal,
            llm.maxCost,
            pricesYaml,
            llm.validationAttempts,
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
