package io.hfbeam.cli;

import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.workflow.DatasetInput;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.qa.QaExportRun;
import io.hfbeam.workflow.qa.QaExportWorkflow;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "qa-export",
    mixinStandardHelpOptions = true,
    defaultValueProvider = PipelineYaml.class,
    description =
        "Export internal QA JSONL (qa_passed.jsonl, qa_rejected.jsonl) as a flat Hugging Face dataset.")
final class QaExportCommand extends WorkflowCommand {
  @Mixin HubOptions hub;

  @Mixin DatasetInputOptions datasetInput;

  @YamlKey("input")
  @Option(
      names = "--input",
      paramLabel = "DIR",
      description =
          "Directory holding qa_passed.jsonl and qa_rejected.jsonl, or a Hugging Face dataset"
              + " hf://datasets/owner/name[@rev] whose rows the mapping reads as those records.")
  String input;

  @YamlKey("format")
  @Option(
      names = "--format",
      paramLabel = "jsonl|parquet|both",
      defaultValue = "both",
      description = "Output formats (default: ${DEFAULT-VALUE}).")
  QaExportWorkflow.Format format;

  @YamlKey("mapping")
  @Option(
      names = "--mapping",
      paramLabel = "FILE",
      defaultValue = "config/qa-export-mapping.yaml",
      description = "Field mapping YAML (default: ${DEFAULT-VALUE}).")
  String mapping;

  @Override
  String workflow() {
    return "qa-export";
  }

  @Override
  Launchable launchable() {
    if (input == null) throw new IllegalArgumentException("--input DIR is required");
    Map<String, String> jsonlFiles = new LinkedHashMap<>();
    common
        .node(workflow(), "jsonl_files")
        .fields()
        .forEachRemaining(e -> jsonlFiles.put(e.getKey(), e.getValue().asText()));
    QaExportWorkflow.Builder b =
        QaExportWorkflow.Settings.builder()
            .input(DatasetInput.isDataset(input) ? null : Path.of(input))
            .output(common.output())
            .format(format)
            .mapping(FieldMapping.load(ConfigFiles.materialize(mapping)))
            .parquetPattern(common.parquetPattern(workflow()))
            .parquet(common.parquet())
            .chunkBytes(common.chunkBytes(workflow()));
    if (!jsonlFiles.isEmpty()) b.jsonlFiles(jsonlFiles);
    DatasetInput dataset = datasetInput.input(env);
    if (DatasetInput.isDataset(input)) {
      b.dataset(dataset.plan(input));
    } else if (!dataset.isDefault()) {
      throw new IllegalArgumentException(
          "--input-config, --input-split, --input-revision, --input-columns and --download are"
              + " for an hf://datasets/owner/name input");
    }
    return QaExportRun.of(b.build());
  }
}
