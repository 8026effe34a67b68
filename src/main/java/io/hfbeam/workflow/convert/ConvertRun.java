package io.hfbeam.workflow.convert;

import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.MapRecords;
import io.hfbeam.mapping.Split;
import io.hfbeam.runner.RunSummary;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.workflow.DatasetInput;
import io.hfbeam.workflow.FileRun;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.OutputFormat;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WatchedWorkflow;
import io.hfbeam.workflow.WorkflowLauncher;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * convert as {@link WorkflowLauncher} runs it. {@link Config} is what a user chooses (inputs as
 * given, formats, features or none, split, batches); {@link Config#resolve} finds the files, tells
 * their format and infers the features when none are declared.
 */
public final class ConvertRun extends FileRun {
  /** The files a directory input is searched for. */
  static final String INPUT_FILES = "*.{jsonl,json,ndjson,csv,tsv,parquet,gz,bz2,zst}";

  /**
   * What a convert run is asked to do.
   *
   * @param inputFormat null: by extension
   * @param features null: inferred from the first {@code inferRows} records
   * @param trainRatio null: {@code split}'s ratios
   * @param firstBatch null: 1, or with --watch after the output's highest batch
   * @param watch null: read the inputs once
   */
  public record Config(
      List<String> inputs,
      ConvertWorkflow.InputFormat inputFormat,
      Features features,
      int inferRows,
      Path output,
      OutputFormat format,
      Split.Settings split,
      Double trainRatio,
      long batchSize,
      Integer firstBatch,
      String filePattern,
      ParquetSettings parquet,
      long chunkBytes,
      boolean strict,
      WatchSettings watch,
      DatasetInput dataset) {

    /**
     * Finds the inputs, checks them and the settings, infers the features when none are declared.
     */
    public ConvertRun resolve(PrintStream out) {
      if (inputs.stream().anyMatch(DatasetInput::isDataset)) return resolveDataset(out);
      if (dataset != null && !dataset.isDefault()) {
        throw new IllegalArgumentException(
            "--input-config, --input-split, --input-revision, --input-columns and --download are"
                + " for an hf://datasets/owner/name input");
      }
      // before features are inferred: nothing is read for a run that is refused
      WorkflowLauncher.checkOutsideInput(output, InputFiles.searchedDirs(inputs));
      if (inputs.isEmpty()) throw new IllegalArgumentException("--input is required");
      List<Path> files; // what the run reads (none up front when watching)
      List<Path> sample; // what the format is detected and the features inferred from
      if (watch != null) {
        files = List.of();
        try {
          sample = InputFiles.expand(inputs, INPUT_FILES); // the files already there
        } catch (IllegalArgumentException e) {
          sample = List.of();
        }
      } else {
        files = InputFiles.expand(inputs, INPUT_FILES);
        sample = files;
      }
      if (inputFormat == null && sample.isEmpty()) {
        throw new IllegalArgumentException(
            "--watch on an empty directory needs --input-format (and --features)");
      }
      ConvertWorkflow.InputFormat in =
          ConvertWorkflow.formatOf(sample, inputFormat == null ? "AUTO" : inputFormat.name());
      Features f = features;
      boolean inferred = false;
      if (f == null) {
        if (sample.isEmpty()) {
          throw new IllegalArgumentException(
              "--watch on an empty directory needs the features declared (--features FILE)");
        }
        ConvertWorkflow.Inferred notes = ConvertWorkflow.inferWithNotes(sample, in, inferRows);
        f = notes.features();
        inferred = true;
        // a features file as it is (comments included): saved and passed back with --features it
        // gives these features
        out.print(
            "# inferred features"
                + (notes.records() > 0
                    ? " (from the first " + notes.records() + " records)"
                    : " (from the Parquet schema)")
                + "; save as a file and pass --features FILE to fix or change them\n"
                + notes.widenings().stream()
                    .map(note -> "# " + note + "\n")
                    .collect(Collectors.joining())
                + f.toFeaturesFile()
                + "\n");
      }
      Split.Settings splitSettings = splitSettings(f);
      FileNaming.of(filePattern);
      ConvertWorkflow.Settings s =
          new ConvertWorkflow.Settings(
                  files,
                  in,
                  f,
                  output,
                  format.parquet(),
                  format.jsonl(),
                  filePattern,
                  parquet,
                  splitSettings,
                  Batch.Settings.of(batchSize).withFirstBatch(firstBatch == null ? 1 : firstBatch),
                  chunkBytes)
              .withInferred(inferred)
              .withStrict(strict);
      return new ConvertRun(s, inputs, firstBatch != null, Optional.ofNullable(watch));
    }

    /** The split settings with --train-ratio applied, checked against the features. */
    private Split.Settings splitSettings(Features f) {
      Split.Settings splitSettings = split;
      if (trainRatio != null) {
        splitSettings =
            Split.Settings.builder()
                .seed(split.seed())
                .keyFields(split.keyFields())
                .trainRatio(trainRatio)
                .build();
      }
      for (String key : splitSettings.keyFields()) {
        if (!f.names().contains(key))
          throw new IllegalArgumentException(
              "--split-by field '" + key + "' is not a feature: " + f.names());
      }
      return splitSettings;
    }

    /** A Hugging Face dataset as the input: its features, unless declared, are the dataset's. */
    private ConvertRun resolveDataset(PrintStream out) {
      if (inputs.size() != 1) {
        throw new IllegalArgumentException(
            "an hf://datasets/... input is read alone; give it as the only --input");
      }
      if (watch != null) {
        throw new IllegalArgumentException(
            "--watch watches a directory for new files; an hf:// dataset is read once");
      }
      if (inputFormat != null) {
        throw new IllegalArgumentException(
            "--input-format is for files; an hf:// dataset is read as datasets reads it");
      }
      DatasetInput in =
          dataset != null ? dataset : new DatasetInput(null, null, null, null, true, false, null);
      ReadPlan plan = in.plan(inputs.get(0));
      Features f = plan.selected();
      if (features != null && !features.equals(f)) {
        throw new IllegalArgumentException(
            "the declared features differ from the dataset's "
                + f.toJson()
                + "; with an hf:// input choose columns with --input-columns (casting to other"
                + " features is not supported yet)");
      }
      out.print(
          "# reading "
              + plan.files().describe()
              + " config "
              + plan.config()
              + ", split"
              + (plan.splits().size() == 1 ? " " + plan.splits().get(0) : "s " + plan.splits())
              + ": "
              + plan.units().size()
              + " units\n");
      Split.Settings splitSettings = splitSettings(f);
      FileNaming.of(filePattern);
      ConvertWorkflow.Settings s =
          new ConvertWorkflow.Settings(
                  List.of(),
                  ConvertWorkflow.InputFormat.PARQUET,
                  f,
                  output,
                  format.parquet(),
                  format.jsonl(),
                  filePattern,
                  parquet,
                  splitSettings,
                  Batch.Settings.of(batchSize).withFirstBatch(firstBatch == null ? 1 : firstBatch),
                  chunkBytes)
              .withDataset(plan);
      return new ConvertRun(s, List.of(), firstBatch != null, Optional.empty());
    }
  }

  private final ConvertWorkflow.Settings settings;

  private ConvertRun(
      ConvertWorkflow.Settings settings,
      List<String> inputSpecs,
      boolean firstBatchFixed,
      Optional<WatchSettings> watch) {
    super(inputSpecs, firstBatchFixed, watch);
    this.settings = settings;
  }

  /** A run of the settings' input files. */
  public static ConvertRun of(ConvertWorkflow.Settings settings) {
    return new ConvertRun(settings, List.of(), true, Optional.empty());
  }

  public ConvertWorkflow.Settings settings() {
    return settings;
  }

  @Override
  public String name() {
    return "convert";
  }

  @Override
  public Path output() {
    return settings.output();
  }

  @Override
  protected List<Path> inputFiles() {
    return settings.inputs();
  }

  @Override
  protected Batch.Settings batch() {
    return settings.batch();
  }

  @Override
  public List<String> steps() {
    return ConvertWorkflow.STEPS;
  }

  @Override
  public WatchedWorkflow<?> watched(int firstBatch) {
    return ConvertWorkflow.watched(settings.withBatch(settings.batch().withFirstBatch(firstBatch)));
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out) {
    return ConvertWorkflow.build(p, settings);
  }

  /**
   * Input columns the features dropped, and declared columns records lacked (counted by the mapping
   * step).
   */
  @Override
  public List<String> warnings(RunSummary summary) {
    Map<String, Long> c = new TreeMap<>(summary.counters(MapRecords.COLUMNS));
    List<String> out = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    c.forEach(
        (k, n) -> {
          if (k.startsWith("undeclared:") && n > 0)
            dropped.add(k.substring("undeclared:".length()));
        });
    if (!dropped.isEmpty()) {
      out.add(
          dropped.size()
              + (dropped.size() == 1 ? " input column" : " input columns")
              + " not declared, dropped: "
              + String.join(", ", dropped)
              + " (in "
              + records(c.getOrDefault("undeclared_records", 0L))
              + ")");
    }
    for (String name : settings.features().names()) {
      long n = c.getOrDefault("missing:" + name, 0L);
      if (n > 0)
        out.add("declared column `" + name + "` missing in " + records(n) + ", written as null");
    }
    return out;
  }

  private static String records(long n) {
    return String.format("%,d", n) + (n == 1 ? " record" : " records");
  }
}
