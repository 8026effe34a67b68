package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Features;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.dataset.Batch;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.convert.ConvertWorkflow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.WatchFiles;
import java.nio.file.Files;
import picocli.CommandLine.Option;

@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Convert JSONL, CSV or Parquet into a Hugging Face dataset with declared or inferred features.")
final class ConvertCommand extends WorkflowCommand {
  @Mixin HubOptions hub;

  @Mixin WatchOptions watch;

  @Option(names = "--input", paramLabel = "FILE|DIR|GLOB", split = ",", description = "Input files (repeat or comma-separate).")
  List<String> inputs;

  @Option(names = "--input-format", paramLabel = "auto|jsonl|csv|tsv|parquet", description = "Input format (default: by extension).")
  String inputFormat;

  @Option(names = "--features", paramLabel = "FILE", description = "YAML/JSON file declaring the features (default: the YAML's features, else inferred).")
  String featuresFile;

  @Option(names = "--format", paramLabel = "jsonl|parquet|both", description = "Output formats (default parquet).")
  String format;

  @Option(names = "--split-by", paramLabel = "FIELD", split = ",", description = "Fields whose values keep records in one split (default: per record).")
  List<String> splitBy;

  @Option(names = "--train-ratio", paramLabel = "R", description = "train share; the rest is test (default 0.95).")
  Double trainRatio;

  @Option(names = "--seed", description = "Seed of the split hash (default 42).")
  Long seed;

  @Option(names = "--batch-size", paramLabel = "N", description = "At most N rows per file (default 100000).")
  Long batchSize;

  @Option(names = "--first-batch", paramLabel = "N", description = "Number of the first batch file (default 1).")
  Integer firstBatch;

  @Option(names = "--file-pattern", paramLabel = "PATTERN", description = "File names, e.g. {split}/batch_{NNN}.parquet or data/{split}-{index:05d}-of-{count:05d}.parquet.")
  String filePattern;

  @Option(names = "--strict", description = "A record with columns the features do not declare, or without a "
      + "declared one, is a failure (in _errors/), and the run fails (exit 1, nothing written or published) unless "
      + "--max-error-rate allows it; default: such columns are dropped or written as null, with a warning.")
  boolean strict;

  private ConvertWorkflow.Settings settings;
  /** With --watch: the directory or glob watched. */
  private String watched;

  @Override
  String workflow() {
    return "convert";
  }

  @Override
  void prepare() {
    String w = workflow();
    List<String> specs = inputs != null ? inputs : textList(common.node(w, "input"));
    inputSpecs = specs;
    // before features are inferred: nothing is read for a run that is refused
    checkOutsideInput(Path.of(common.string(w, common.output, "output", "out/convert")), inputDirs());
    if (specs.isEmpty()) throw new IllegalArgumentException("--input is required");
    String names = "*.{jsonl,json,ndjson,csv,tsv,parquet,gz,bz2,zst}";
    List<Path> files; // what the run reads (none up front when watching)
    List<Path> sample; // what the format is detected and the features inferred from
    if (watch.enabled()) {
      watched = WatchOptions.source(specs, "--input");
      files = List.of();
      try {
        sample = InputFiles.expand(specs, names); // the files already there
      } catch (IllegalArgumentException e) {
        sample = List.of();
      }
    } else {
      files = InputFiles.expand(specs, names);
      sample = files;
    }
    String fmt = common.string(w, inputFormat, "input_format", "auto").toUpperCase(Locale.ROOT);
    ConvertWorkflow.InputFormat in;
    if (fmt.equals("AUTO") && sample.isEmpty()) {
      throw new IllegalArgumentException("--watch on an empty directory needs --input-format (and --features)");
    }
    try {
      if (!fmt.equals("AUTO")) ConvertWorkflow.InputFormat.valueOf(fmt);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--input-format must be auto, jsonl, csv, tsv or parquet, got " + fmt.toLowerCase(Locale.ROOT));
    }
    in = ConvertWorkflow.formatOf(sample, fmt);
    Features features;
    boolean inferred = false;
    if (featuresFile != null) {
      features = Features.parse(ConfigFiles.readYaml(featuresFile));
    } else if (common.node(w, "features").isObject() || common.node(w, "features").isArray()) {
      features = Features.parse(common.node(w, "features"));
    } else {
      int rows = common.node(w, "infer_rows").asInt(1000);
      if (sample.isEmpty()) {
        throw new IllegalArgumentException("--watch on an empty directory needs the features declared (--features FILE)");
      }
      ConvertWorkflow.Inferred notes = ConvertWorkflow.inferWithNotes(sample, in, rows);
      features = notes.features();
      inferred = true;
      // a features file as it is (comments included): saved and passed back with --features it gives these features
      out.print("# inferred features"
          + (notes.records() > 0 ? " (from the first " + notes.records() + " records)" : " (from the Parquet schema)")
          + "; save as a file and pass --features FILE to fix or change them\n"
          + notes.widenings().stream().map(note -> "# " + note + "\n").collect(java.util.stream.Collectors.joining())
          + features.toFeaturesFile() + "\n");
    }
    String outFormat = common.string(w, format, "format", "parquet").toLowerCase(Locale.ROOT);
    if (!List.of("jsonl", "parquet", "both").contains(outFormat)) {
      throw new IllegalArgumentException("--format must be jsonl, parquet or both, got " + outFormat);
    }
    JsonNode split = common.node(w, "split");
    Split.Settings.Builder sb = Split.Settings.builder()
        .seed(seed != null ? seed : split.path("seed").asLong(42))
        .keyFields(splitBy != null ? splitBy : textList(split.path("key")));
    if (trainRatio != null) {
      sb.trainRatio(trainRatio);
    } else {
      split.path("ratios").fields().forEachRemaining(e -> sb.split(e.getKey(), e.getValue().asDouble()));
    }
    Split.Settings splitSettings = sb.build();
    for (String key : splitSettings.keyFields()) {
      if (!features.names().contains(key)) throw new IllegalArgumentException("--split-by field '" + key + "' is not a feature: " + features.names());
    }
    long size = batchSize != null ? batchSize : common.node(w, "batch_size").asLong(100_000);
    int first = firstBatch != null ? firstBatch : common.node(w, "first_batch").asInt(1);
    String pattern = filePattern != null ? filePattern : common.node(w, "parquet").path("pattern").asText("{split}/batch_{NNN}.parquet");
    io.hfbeam.dataset.FileNaming.of(pattern);
    settings = new ConvertWorkflow.Settings(files, in, features,
        Path.of(common.string(w, common.output, "output", "out/convert")),
        !outFormat.equals("jsonl"), !outFormat.equals("parquet"), pattern, common.parquet(w),
        splitSettings, Batch.Settings.of(size).withFirstBatch(first), common.chunkBytes(w)).withInferred(inferred).withStrict(strict);
    options = common.pipelineOptions(w);
  }

  private static List<String> textList(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isTextual()) out.add(n.asText());
    n.forEach(x -> out.add(x.asText()));
    return out;
  }

  @Override
  PCollection<AssemblePanes.Pane> buildWatch(Pipeline p, WatchOptions w) throws java.io.IOException {
    if (firstBatch == null && !common.node(workflow(), "first_batch").isNumber()) {
      int first = nextBatchOfOutput();
      settings = settings.withBatch(settings.batch().withFirstBatch(first));
    }
    String glob = WatchFiles.glob(watched, ConvertWorkflow.watchPattern(settings.inputFormat()));
    out.println("watching " + glob + " (every " + w.poll().getMillis() / 1000.0 + " s), batches from "
        + settings.batch().firstBatch());
    return ConvertWorkflow.buildWatch(p, settings, glob, w.poll(), w.commitInterval());
  }

  @Override
  PCollection<WrittenFile> build(Pipeline p) {
    return ConvertWorkflow.build(p, settings);
  }

  @Override
  Path output() {
    return settings.output();
  }

  @Override
  long inputBytes() {
    return InputFiles.totalBytes(settings.inputs());
  }

  @Override
  List<String> steps() {
    return ConvertWorkflow.STEPS;
  }

  /** --strict: a record whose columns differ from the features fails, and any failure fails the run unless
   * --max-error-rate itself allows some (the YAML's budget is for runs that drop columns quietly). */
  @Override
  double maxErrorRate() {
    return strict && common.maxErrorRate == null ? 0.0 : super.maxErrorRate();
  }

  /** Input columns the features dropped, and declared columns records lacked (counted by the mapping step). */
  @Override
  List<String> warnings(io.hfbeam.runner.RunSummary summary) {
    java.util.Map<String, Long> c = new java.util.TreeMap<>(summary.counters(io.hfbeam.mapping.MapRecords.COLUMNS));
    List<String> out = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    c.forEach((k, n) -> {
      if (k.startsWith("undeclared:") && n > 0) dropped.add(k.substring("undeclared:".length()));
    });
    if (!dropped.isEmpty()) {
      out.add(dropped.size() + (dropped.size() == 1 ? " input column" : " input columns") + " not declared, dropped: "
          + String.join(", ", dropped) + " (in " + records(c.getOrDefault("undeclared_records", 0L)) + ")");
    }
    for (String name : settings.features().names()) {
      long n = c.getOrDefault("missing:" + name, 0L);
      if (n > 0) out.add("declared column `" + name + "` missing in " + records(n) + ", written as null");
    }
    return out;
  }

  private static String records(long n) {
    return String.format("%,d", n) + (n == 1 ? " record" : " records");
  }
}
