package io.hfbeam.cli;

import io.hfbeam.format.files.InputFiles;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.workflow.qa.QaExportWorkflow;
import java.util.List;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "qa-export", mixinStandardHelpOptions = true,
    description = "Export internal QA JSONL (qa_passed.jsonl, qa_rejected.jsonl) as a flat Hugging Face dataset.")
final class QaExportCommand extends WorkflowCommand {
  @Mixin HubOptions hub;

  @Option(names = "--input", paramLabel = "DIR", description = "Directory holding qa_passed.jsonl and qa_rejected.jsonl.")
  String input;

  @Option(names = "--format", paramLabel = "jsonl|parquet|both", description = "Output formats (default both).")
  String format;

  @Option(names = "--mapping", paramLabel = "FILE", description = "Field mapping YAML (default config/qa-export-mapping.yaml).")
  String mapping;

  private QaExportWorkflow.Settings settings;

  @Override
  String workflow() {
    return "qa-export";
  }

  @Override
  void prepare() {
    String w = workflow();
    String fmt = common.string(w, format, "format", "both");
    QaExportWorkflow.Format f;
    try {
      f = QaExportWorkflow.Format.valueOf(fmt.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--format must be jsonl, parquet or both, got " + fmt);
    }
    Map<String, String> jsonlFiles = new LinkedHashMap<>();
    common.node(w, "jsonl_files").fields().forEachRemaining(e -> jsonlFiles.put(e.getKey(), e.getValue().asText()));
    QaExportWorkflow.Builder b = QaExportWorkflow.Settings.builder()
        .input(Path.of(common.string(w, input, "input", null) == null ? missing() : common.string(w, input, "input", null)))
        .output(Path.of(common.string(w, common.output, "output", "out/qa-export")))
        .format(f)
        .mapping(FieldMapping.load(ConfigFiles.materialize(common.string(w, mapping, "mapping", "config/qa-export-mapping.yaml"))))
        .parquetPattern(common.node(w, "parquet").path("pattern").asText("{split}/batch_{NNN}.parquet"))
        .parquet(common.parquet(w))
        .chunkBytes(common.chunkBytes(w));
    if (!jsonlFiles.isEmpty()) b.jsonlFiles(jsonlFiles);
    settings = b.build();
    settings.inputFiles();
    options = common.pipelineOptions(w);
  }

  private static String missing() {
    throw new IllegalArgumentException("--input DIR is required");
  }

  @Override
  PCollection<WrittenFile> build(Pipeline p) {
    return QaExportWorkflow.build(p, settings);
  }

  @Override
  Path output() {
    return settings.output();
  }

  @Override
  long inputBytes() {
    return InputFiles.totalBytes(settings.inputFiles());
  }

  @Override
  List<String> steps() {
    return QaExportWorkflow.STEPS;
  }
}
