package io.hfbeam.workflow.qa;

import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.dataset.WriteFailures;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.DatasetJsonSource;
import io.hfbeam.mapping.DatasetRows;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.mapping.MapRecords;
import io.hfbeam.source.ReadPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * qa-export: internal QA JSONL (qa_passed.jsonl, qa_rejected.jsonl) to flat Hugging Face JSONL
 * files and, optionally, a Parquet dataset with a card (train = passed, rejected = rejected).
 *
 * <p>Steps: ReadAndMapQa (JSON lines in parallel byte ranges -> the YAML mapping in config/ ->
 * parts per split, bad lines to the failure output) -> WriteFailures (a chunk's failures -> its
 * error part) -> AssembleDataset (one file per split in input order, the card, and
 * _errors/errors.jsonl with line numbers).
 */
public final class QaExportWorkflow {
  public static final List<String> INPUT_FILES = List.of("qa_passed.jsonl", "qa_rejected.jsonl");

  private QaExportWorkflow() {}

  /**
   * The steps' counter namespaces in pipeline order, for the run summary: files found (watch),
   * bytes read (read), records mapped (MapFields), files written (write), Hub commits (publish).
   */
  public static final List<String> STEPS = List.of("read", "MapFields", "write", "publish");

  /** Output formats. */
  public enum Format {
    JSONL,
    PARQUET,
    BOTH;

    boolean jsonl() {
      return this != PARQUET;
    }

    boolean parquet() {
      return this != JSONL;
    }
  }

  /** Settings of one run; build with {@link #builder()}. */
  public record Settings(
      Path input,
      Path output,
      Format format,
      FieldMapping mapping,
      Map<String, String> jsonlFiles,
      String parquetPattern,
      ParquetSettings parquet,
      long chunkBytes,
      ReadPlan dataset) {
    public static Builder builder() {
      return new Builder();
    }

    /** The input files that exist, in the fixed order passed-then-rejected. */
    public List<Path> inputFiles() {
      if (dataset != null) return List.of();
      if (!Files.isDirectory(input))
        throw new IllegalArgumentException("input directory not found: " + input);
      List<Path> files = new ArrayList<>();
      for (String name : INPUT_FILES) {
        Path f = input.resolve(name);
        if (Files.isRegularFile(f)) files.add(f);
      }
      if (files.isEmpty()) {
        throw new IllegalArgumentException(
            "no " + String.join(" or ", INPUT_FILES) + " in " + input);
      }
      return files;
    }
  }

  public static final class Builder {
    private Path input;
    private Path output = Path.of("out", "qa-export");
    private Format format = Format.BOTH;
    private FieldMapping mapping;
    private Map<String, String> jsonlFiles =
        new LinkedHashMap<>(Map.of("train", "qa_pairs.jsonl", "rejected", "qa_rejected_hf.jsonl"));
    private String parquetPattern = FileNaming.BATCHES;
    private ParquetSettings parquet = ParquetSettings.builder().build();
    private long chunkBytes = 32L << 20;
    private ReadPlan dataset;

    public Builder input(Path p) {
      input = p;
      return this;
    }

    public Builder output(Path p) {
      output = p;
      return this;
    }

    public Builder format(Format f) {
      format = f;
      return this;
    }

    public Builder mapping(FieldMapping m) {
      mapping = m;
      return this;
    }

    public Builder jsonlFiles(Map<String, String> files) {
      jsonlFiles = new LinkedHashMap<>(files);
      return this;
    }

    public Builder parquetPattern(String p) {
      parquetPattern = p;
      return this;
    }

    public Builder parquet(ParquetSettings s) {
      parquet = s;
      return this;
    }

    public Builder chunkBytes(long n) {
      chunkBytes = n;
      return this;
    }

    /** Reads a Hugging Face dataset's rows as the JSON records instead of the input directory. */
    public Builder dataset(ReadPlan plan) {
      dataset = plan;
      return this;
    }

    public Settings build() {
      if (input == null && dataset == null)
        throw new IllegalArgumentException("--input is required");
      if (mapping == null) throw new IllegalArgumentException("a field mapping is required");
      return new Settings(
          input, output, format, mapping, jsonlFiles, parquetPattern, parquet, chunkBytes, dataset);
    }
  }

  /**
   * Adds the workflow to {@code p}; returns every file it writes (the card last), for publishing.
   */
  public static PCollection<WrittenFile> build(Pipeline p, Settings s) {
    Features features = s.mapping().features();
    RowPartFormat format =
        new RowPartFormat(features, s.format().parquet() ? s.parquet() : null, s.format().jsonl());
    AssembleDataset.Settings<Row> dataset =
        AssembleDataset.Settings.of(s.output(), format)
            .parquetNaming(FileNaming.of(s.parquetPattern()))
            .jsonlNaming(new FileNaming("{split}.jsonl", s.jsonlFiles()))
            .batch(Batch.Settings.single())
            .splitOrder(s.mapping().splits())
            .title("QA pairs")
            .description(
                "Question-answer pairs exported from the internal QA format by `hfbeam qa-export`. "
                    + "The `train` split holds the pairs that passed validation, `rejected` those that did not.");
    return p.apply(
            "ReadAndMapQa",
            ProcessChunks.of(
                s.dataset() != null
                    ? DatasetRows.chunks(s.dataset())
                    : InputFiles.chunks(s.inputFiles(), s.chunkBytes()),
                new MapRecords(
                    s.dataset() != null
                        ? new DatasetJsonSource(s.dataset())
                        : JsonSource.jsonLines(),
                    s.mapping(),
                    null),
                format,
                dataset.partsDir(),
                false))
        .apply("WriteFailures", WriteFailures.withParts(dataset.partsDir()))
        .apply("AssembleDataset", AssembleDataset.with(dataset));
  }
}
