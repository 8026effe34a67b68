package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.OutputFormat;
import io.hfbeam.workflow.convert.ConvertRun;
import io.hfbeam.workflow.convert.ConvertWorkflow;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "convert",
    mixinStandardHelpOptions = true,
    defaultValueProvider = PipelineYaml.class,
    description =
        "Convert JSONL, CSV or Parquet into a Hugging Face dataset with declared or inferred features.")
final class ConvertCommand extends WorkflowCommand {
  /** The input format, or AUTO: by extension. */
  enum InputFormat {
    AUTO,
    JSONL,
    CSV,
    TSV,
    PARQUET
  }

  @Mixin HubOptions hub;

  @Mixin WatchOptions watch;

  @Mixin DatasetInputOptions datasetInput;

  @YamlKey("input")
  @Option(
      names = "--input",
      paramLabel = "FILE|DIR|GLOB",
      split = ",",
      description = "Input files (repeat or comma-separate).")
  List<String> inputs;

  @YamlKey("input_format")
  @Option(
      names = "--input-format",
      paramLabel = "auto|jsonl|csv|tsv|parquet",
      defaultValue = "auto",
      description = "Input format (default: ${DEFAULT-VALUE}, by extension).")
  InputFormat inputFormat;

  @Option(
      names = "--features",
      paramLabel = "FILE",
      description =
          "YAML/JSON file declaring the features (default: the YAML's features, else inferred).")
  String featuresFile;

  @YamlKey("format")
  @Option(
      names = "--format",
      paramLabel = "jsonl|parquet|both",
      defaultValue = "parquet",
      description = "Output formats (default: ${DEFAULT-VALUE}).")
  OutputFormat format;

  @YamlKey("split.key")
  @Option(
      names = "--split-by",
      paramLabel = "FIELD",
      split = ",",
      description = "Fields whose values keep records in one split (default: per record).")
  List<String> splitBy;

  @Option(
      names = "--train-ratio",
      paramLabel = "R",
      description = "train share; the rest is test (default: the YAML's split ratios, else 0.95).")
  Double trainRatio;

  @YamlKey("split.seed")
  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the split hash (default: ${DEFAULT-VALUE}).")
  long seed;

  @YamlKey("batch_size")
  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "100000",
      description = "At most N rows per file (default: ${DEFAULT-VALUE}).")
  long batchSize;

  @YamlKey("first_batch")
  @Option(
      names = "--first-batch",
      paramLabel = "N",
      description =
          "Number of the first batch file (default 1; with --watch after the output's highest).")
  Integer firstBatch;

  @YamlKey("infer_rows")
  @Option(
      names = "--infer-rows",
      paramLabel = "N",
      defaultValue = "1000",
      description =
          "Without --features: records the features are inferred from (default: ${DEFAULT-VALUE}).")
  int inferRows;

  @YamlKey("parquet.pattern")
  @Option(
      names = "--file-pattern",
      paramLabel = "PATTERN",
      defaultValue = "{split}/batch_{NNN}.parquet",
      description =
          "File names, e.g. {split}/batch_{NNN}.parquet or data/{split}-{index:05d}-of-{count:05d}.parquet.")
  String filePattern;

  @Option(
      names = "--strict",
      description =
          "A record with columns the features do not declare, or without a "
              + "declared one, is a failure (in _errors/), and the run fails (exit 1, nothing written or published) unless "
              + "--max-error-rate allows it; default: such columns are dropped or written as null, with a warning.")
  boolean strict;

  @Override
  String workflow() {
    return "convert";
  }

  @Override
  Launchable launchable() {
    List<String> specs = inputs != null ? inputs : List.of();
    if (inferRows < 1) throw new IllegalArgumentException("--infer-rows (infer_rows) must be >= 1");
    JsonNode declared = common.node(workflow(), "features");
    Features features =
        featuresFile != null
            ? Features.parse(ConfigFiles.readYaml(featuresFile))
            : declared.isObject() || declared.isArray() ? Features.parse(declared) : null;
    Split.Settings.Builder split =
        Split.Settings.builder().seed(seed).keyFields(splitBy != null ? splitBy : List.of());
    common
        .node(workflow(), "split")
        .path("ratios")
        .fields()
        .forEachRemaining(e -> split.split(e.getKey(), e.getValue().asDouble()));
    ConvertRun.Config config =
        new ConvertRun.Config(
            specs,
            inputFormat == InputFormat.AUTO
                ? null
                : ConvertWorkflow.InputFormat.valueOf(inputFormat.name()),
            features,
            inferRows,
            common.output(),
            format,
            split.build(),
            trainRatio,
            batchSize,
            firstBatch,
            filePattern,
            common.parquet(),
            common.chunkBytes(workflow()),
            strict,
            watch.settings(specs, "--input").orElse(null),
            datasetInput.input(env));
    return config.resolve(out);
  }

  /**
   * --strict: a record whose columns differ from the features fails, and any failure fails the run
   * unless --max-error-rate itself allows some (the YAML's budget is for runs that drop columns
   * quietly).
   */
  @Override
  double maxErrorRate() {
    return strict && !given("--max-error-rate") ? 0.0 : super.maxErrorRate();
  }
}
