package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.workflow.RunSettings;
import picocli.CommandLine.Option;

/**
 * Flags every workflow takes. Precedence: a flag given on the command line, else the value in the
 * pipeline YAML ({@code --config}, default {@code pipelines/<workflow>.yaml}; see {@link
 * PipelineYaml}), else the built-in default.
 */
public final class CommonOptions {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Pipeline YAML with this workflow's defaults (default: pipelines/<workflow>.yaml).")
  String config;

  @YamlKey("runner")
  @Option(
      names = "--runner",
      paramLabel = "direct|flink-local|flink-batch|flink-cluster|flink-cluster-batch|FILE",
      defaultValue = "direct",
      description = "Runner profile (default: ${DEFAULT-VALUE}).")
  String runner;

  @YamlKey(value = "output", orElse = "out/{workflow}")
  @Option(
      names = "--output",
      paramLabel = "DIR",
      description = "Output directory of the dataset (default: ${DEFAULT-VALUE}).")
  String output;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      description = "Parallelism for the runner (Flink parallelism, DirectRunner threads).")
  Integer parallelism;

  @YamlKey("max_error_rate")
  @Option(
      names = "--max-error-rate",
      paramLabel = "R",
      defaultValue = "1.0",
      description =
          "Fail the run (exit 1) when more than this fraction of records fail (default: ${DEFAULT-VALUE}; 1.0: never); "
              + "a failed run leaves the output as it was and publishes nothing.")
  double maxErrorRate;

  @YamlKey("parquet.compression")
  @Option(
      names = "--compression",
      paramLabel = "zstd|snappy|gzip|none",
      defaultValue = "zstd",
      description = "Parquet compression (default: ${DEFAULT-VALUE}).")
  String compression;

  @YamlKey("parquet.row_group_mb")
  @Option(
      names = "--row-group-mb",
      paramLabel = "MB",
      defaultValue = "128",
      description = "Parquet row group size in MB (default: ${DEFAULT-VALUE}).")
  int rowGroupMb;

  @Option(
      names = "--resume",
      description =
          "On Flink: continue an interrupted run of the same output from its latest checkpoint "
              + "(kept in <output>.checkpoints/); starts from the beginning when there is none.")
  boolean resume;

  @Option(
      names = "--checkpoint-interval",
      paramLabel = "SECONDS",
      description = "On Flink: seconds between checkpoints (default from the runner profile, 10).")
  Double checkpointInterval;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  private ObjectNode yaml;

  /**
   * The pipeline YAML, loaded once; a file that cannot be read is an IllegalArgumentException
   * naming line and column.
   */
  ObjectNode yaml(String workflow) {
    if (yaml == null) {
      String path = config != null ? config : "pipelines/" + workflow + ".yaml";
      yaml =
          config == null && !ConfigFiles.exists(path)
              ? JsonNodeFactory.instance.objectNode()
              : ConfigFiles.readYaml(path);
    }
    return yaml;
  }

  /** A YAML key without a flag (e.g. {@code window_size}, {@code hub}); missing: a missing node. */
  JsonNode node(String workflow, String key) {
    return yaml(workflow).path(key);
  }

  /**
   * The run settings every workflow shares; {@code maxErrorRateFlag} tells a flag's value from the
   * YAML's in messages.
   */
  RunSettings runSettings(String workflow, boolean maxErrorRateFlag, double maxErrorRate) {
    yaml(workflow); // a broken YAML is reported before anything else
    if (parallelism != null && parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
    }
    if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw new IllegalArgumentException(
          (maxErrorRateFlag ? "--max-error-rate" : "max_error_rate in the pipeline YAML")
              + " must be a fraction between 0 and 1 (0.05 = 5%), got "
              + maxErrorRate);
    }
    return RunSettings.defaults()
        .withRunner(runner)
        .withParallelism(parallelism)
        .withMaxErrorRate(maxErrorRate)
        .withResume(resume)
        .withCheckpointInterval(checkpointInterval);
  }

  java.nio.file.Path output() {
    return java.nio.file.Path.of(output);
  }

  ParquetSettings parquet() {
    if (rowGroupMb <= 0) throw new IllegalArgumentException("--row-group-mb must be > 0");
    return ParquetSettings.builder()
        .codec(compression)
        .rowGroupBytes(rowGroupMb * 1024L * 1024L)
        .build();
  }

  /**
   * chunk_mb in bytes: MiB above 0, fractions allowed (0.001 is 1,048 bytes, for tests), never
   * below one byte.
   */
  long chunkBytes(String workflow) {
    JsonNode n = yaml(workflow).path("chunk_mb");
    if (n.isMissingNode() || n.isNull()) return 32L << 20;
    double mb = n.isNumber() ? n.asDouble() : Double.NaN;
    if (!(mb > 0) || Double.isInfinite(mb)) {
      throw new IllegalArgumentException(
          "chunk_mb must be a number of MiB above 0 (fractions allowed), got " + n);
    }
    return Math.max(1, (long) (mb * 1024 * 1024));
  }

  /** The parquet file pattern of workflows without a flag for it. */
  String parquetPattern(String workflow) {
    return node(workflow, "parquet").path("pattern").asText("{split}/batch_{NNN}.parquet");
  }
}
