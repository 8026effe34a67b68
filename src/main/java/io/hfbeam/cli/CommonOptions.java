package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.runner.RunnerProfiles;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import picocli.CommandLine.Option;

/**
 * Flags every workflow takes. Precedence: a flag given on the command line, else the value in the pipeline YAML
 * ({@code --config}, default {@code pipelines/<workflow>.yaml}), else the built-in default.
 */
public final class CommonOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "Pipeline YAML with this workflow's defaults (default: pipelines/<workflow>.yaml).")
  String config;

  @Option(names = "--runner", paramLabel = "direct|flink-local|flink-cluster|FILE", description = "Runner profile (default from the YAML, else direct).")
  String runner;

  @Option(names = "--output", paramLabel = "DIR", description = "Output directory of the dataset.")
  String output;

  @Option(names = "--parallelism", paramLabel = "N", description = "Parallelism for the runner (Flink parallelism, DirectRunner threads).")
  Integer parallelism;

  @Option(names = "--max-error-rate", paramLabel = "R", description = "Fail the run (exit 1) when more than this fraction of records fail (default 1.0: never); "
      + "a failed run leaves the output as it was and publishes nothing.")
  Double maxErrorRate;

  @Option(names = "--compression", paramLabel = "zstd|snappy|gzip|none", description = "Parquet compression (default zstd).")
  String compression;

  @Option(names = "--row-group-mb", paramLabel = "MB", description = "Parquet row group size in MB (default 128).")
  Integer rowGroupMb;

  @Option(names = "--resume", description = "On Flink: continue an interrupted run of the same output from its latest checkpoint "
      + "(kept in <output>.checkpoints/); starts from the beginning when there is none.")
  boolean resume;

  @Option(names = "--checkpoint-interval", paramLabel = "SECONDS", description = "On Flink: seconds between checkpoints (default from the runner profile, 10).")
  Double checkpointInterval;

  @Option(names = "--verbose", description = "Print stack traces on errors.")
  boolean verbose;

  private ObjectNode yaml;

  /** The pipeline YAML, loaded once. */
  ObjectNode yaml(String workflow) {
    if (yaml == null) {
      String path = config != null ? config : "pipelines/" + workflow + ".yaml";
      if (config == null && !ConfigFiles.exists(path)) {
        yaml = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      } else {
        yaml = ConfigFiles.readYaml(path);
      }
    }
    return yaml;
  }

  String string(String workflow, String flag, String key, String dflt) {
    if (flag != null) return flag;
    JsonNode n = yaml(workflow).path(key);
    return n.isMissingNode() || n.isNull() ? dflt : n.asText();
  }

  double number(String workflow, Double flag, String key, double dflt) {
    if (flag != null) return flag;
    JsonNode n = yaml(workflow).path(key);
    return n.isNumber() ? n.asDouble() : dflt;
  }

  /** --max-error-rate (or the YAML's max_error_rate): a fraction, so in [0, 1]. */
  double maxErrorRate(String workflow) {
    double r = number(workflow, maxErrorRate, "max_error_rate", 1.0);
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException((maxErrorRate != null ? "--max-error-rate" : "max_error_rate in the pipeline YAML")
          + " must be a fraction between 0 and 1 (0.05 = 5%), got " + r);
    }
    return r;
  }

  /** Number flags that can be wrong whatever the input: checked before any input is looked at. */
  void checkNumbers(String workflow) {
    if (parallelism != null && parallelism < 1) {
      throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
    }
    maxErrorRate(workflow);
  }

  JsonNode node(String workflow, String key) {
    return yaml(workflow).path(key);
  }

  /** The runner profile named by --runner or the YAML. */
  String runnerProfile(String workflow) {
    return string(workflow, runner, "runner", "direct");
  }

  /** The runner profile's settings (see {@link RunnerProfiles#settings}) with this command's flags in place. */
  Map<String, String> runnerSettings(String workflow) {
    Map<String, String> settings = RunnerProfiles.settings(runnerProfile(workflow), Map.of());
    if (parallelism != null) {
      if (parallelism < 1) throw new IllegalArgumentException("--parallelism must be at least 1, got " + parallelism);
      settings.put(settings.get("runner").contains("Flink") ? "parallelism" : "targetParallelism", parallelism.toString());
    }
    settings.putIfAbsent("jobName", "hfbeam-" + workflow); // the job's name in the Flink web UI
    return settings;
  }

  PipelineOptions pipelineOptions(String workflow) {
    return RunnerProfiles.create(runnerProfile(workflow), runnerSettings(workflow));
  }

  ParquetSettings parquet(String workflow) {
    JsonNode pq = node(workflow, "parquet");
    String codec = compression != null ? compression : pq.path("compression").asText("zstd");
    int mb = rowGroupMb != null ? rowGroupMb : pq.path("row_group_mb").asInt(128);
    if (mb <= 0) throw new IllegalArgumentException("--row-group-mb must be > 0");
    return ParquetSettings.builder().codec(codec).rowGroupBytes(mb * 1024L * 1024L).build();
  }

  /** chunk_mb in bytes: MiB above 0, fractions allowed (0.001 is 1,048 bytes, for tests), never below one byte. */
  long chunkBytes(String workflow) {
    JsonNode n = yaml(workflow).path("chunk_mb");
    if (n.isMissingNode() || n.isNull()) return 32L << 20;
    double mb = n.isNumber() ? n.asDouble() : Double.NaN;
    if (!(mb > 0) || Double.isInfinite(mb)) {
      throw new IllegalArgumentException("chunk_mb must be a number of MiB above 0 (fractions allowed), got " + n);
    }
    return Math.max(1, (long) (mb * 1024 * 1024));
  }
}
