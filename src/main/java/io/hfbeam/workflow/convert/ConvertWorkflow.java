package io.hfbeam.workflow.convert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.dataset.WriteFailures;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.FeatureInference;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.DatasetRows;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.mapping.MapRecords;
import io.hfbeam.mapping.ParquetRows;
import io.hfbeam.mapping.Split;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WatchedWorkflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * convert: JSONL, CSV or Parquet into a Hugging Face dataset with declared or inferred features,
 * split by a seeded key hash, in numbered batches, as Parquet and/or JSONL with a card.
 *
 * <p>Steps: ReadMapSplit (read by input format -> cast to the features -> split by key hash ->
 * parts; bad records to the failure output) -> WriteFailures -> AssembleDataset (numbered batches,
 * the card, _errors/errors.jsonl).
 */
public final class ConvertWorkflow {
  private ConvertWorkflow() {}

  /** Input formats. */
  public enum InputFormat {
    JSONL,
    CSV,
    TSV,
    PARQUET;

    /** By file extension, ignoring a compression suffix. */
    public static InputFormat detect(Path file) {
      String n =
          file.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst)$", "");
      if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
      if (n.endsWith(".csv")) return CSV;
      if (n.endsWith(".tsv")) return TSV;
      if (n.endsWith(".parquet")) return PARQUET;
      throw new IllegalArgumentException(
          "cannot tell the format of " + file + " (use --input-format jsonl|csv|tsv|parquet)");
    }
  }

  /**
   * Settings of one run. {@code inferred}: the features were inferred from the data, so a column
   * the inference made text because it mixes numbers and text keeps its numbers as text (declared
   * text never takes numbers). {@code strict}: a record with columns the features do not declare,
   * or without a declared one, is a failure.
   */
  public record Settings(
      List<Path> inputs,
      InputFormat inputFormat,
      Features features,
      Path output,
      boolean parquet,
      boolean jsonl,
      String parquetPattern,
      ParquetSettings parquetSettings,
      Split.Settings split,
      Batch.Settings batch,
      long chunkBytes,
      boolean inferred,
      boolean strict,
      ReadPlan dataset) {
    public Settings(
        List<Path> inputs,
        InputFormat inputFormat,
        Features features,
        Path output,
        boolean parquet,
        boolean jsonl,
        String parquetPattern,
        ParquetSettings parquetSettings,
        Split.Settings split,
        Batch.Settings batch,
        long chunkBytes) {
      this(
          inputs,
          inputFormat,
          features,
          output,
          parquet,
          jsonl,
          parquetPattern,
          parquetSettings,
          split,
          batch,
          chunkBytes,
          false,
          false,
          null);
    }

    public Settings withBatch(Batch.Settings b) {
      return new Settings(
          inputs,
          inputFormat,
          features,
          output,
          parquet,
          jsonl,
          parquetPattern,
          parquetSettings,
          split,
          b,
          chunkBytes,
          inferred,
          strict,
          dataset);
    }

    public Settings withInferred(boolean inferred) {
      return new Settings(
          inputs,
          inputFormat,
          features,
          output,
          parquet,
          jsonl,
          parquetPattern,
          parquetSettings,
          split,
          batch,
          chunkBytes,
          inferred,
          strict,
          dataset);
    }

    /** Reads a Hugging Face dataset (the plan's units) instead of input files. */
    public Settings withDataset(ReadPlan plan) {
      return new Settings(
          inputs,
          inputFormat,
          features,
          output,
          parquet,
          jsonl,
          parquetPattern,
          parquetSettings,
          split,
          batch,
          chunkBytes,
          inferred,
          strict,
          plan);
    }

    public Settings withStrict(boolean strict) {
      return new Settings(
          inputs,
          inputFormat,
          features,
          output,
          parquet,
          jsonl,
          parquetPattern,
          parquetSettings,
          split,
          batch,
          chunkBytes,
          inferred,
          strict,
          dataset);
    }
  }

  /**
   * The steps' counter namespaces in pipeline order, for the run summary: files found (watch),
   * bytes read (read), records mapped to the features (MapFields), assigned a split (Split), files
   * written (write), Hub commits (publish).
   */
  public static final List<String> STEPS =
      List.of("watch", "read", "MapFields", "Split", "write", "publish");

  /**
   * Features inferred from records, and the columns one of them made wider (see {@link
   * FeatureInference#widenings()}).
   */
  public record Inferred(Features features, int records, List<String> widenings) {}

  /**
   * The one format of the input files. convert reads one format per run: a file that says another
   * format by its extension (a.jsonl beside b.parquet) is a usage error naming both, never read as
   * the wrong format.
   *
   * @param declared "AUTO" (each file by its extension; every file must tell its format) or a
   *     format name
   */
  public static InputFormat formatOf(List<Path> files, String declared) {
    InputFormat want = declared.equals("AUTO") ? null : InputFormat.valueOf(declared);
    Path firstFile = null;
    for (Path f : files) {
      InputFormat got;
      try {
        got = InputFormat.detect(f);
      } catch (IllegalArgumentException e) {
        if (want == null) throw e;
        continue; // an extension that names no format is read as the declared one
      }
      if (want == null) {
        want = got;
        firstFile = f;
      } else if (got != want) {
        throw new IllegalArgumentException(
            "the input mixes formats: "
                + f
                + " is "
                + name(got)
                + " but "
                + (firstFile == null
                    ? "--input-format is " + name(want)
                    : firstFile + " is " + name(want))
                + "; convert reads one format per run, so give it the files of one format");
      }
    }
    return want;
  }

  private static String name(InputFormat f) {
    return f.name().toLowerCase(Locale.ROOT);
  }

  /** A stop signal for reading only the first records of a file. */
  private static final class Enough extends RuntimeException {
    Enough() {
      super(null, null, false, false);
    }
  }

  /**
   * Features inferred from the first {@code rows} records of the inputs. A file that cannot be read
   * (corrupt, not of its format) is passed over here; the run reports it where it breaks.
   */
  public static Inferred inferWithNotes(List<Path> inputs, InputFormat format, int rows) {
    if (format == InputFormat.PARQUET) {
      String why = null;
      for (Path f : inputs) {
        try {
          return new Inferred(ParquetRows.features(f), 0, List.of());
        } catch (IllegalArgumentException e) {
          if (why == null) why = e.getMessage();
        }
      }
      throw new IllegalArgumentException(
          "no readable Parquet file to infer features from (" + why + ")");
    }
    FeatureInference inference = new FeatureInference(format != InputFormat.JSONL);
    ObjectMapper json = new ObjectMapper();
    JsonSource source =
        format == InputFormat.JSONL ? JsonSource.jsonLines() : JsonSource.csv(separator(format));
    int[] seen = {0};
    String[] file = {null};
    JsonSource.Visitor sample =
        new JsonSource.Visitor() {
          @Override
          public void record(
              byte[] bytes, int off, int len, JsonNode parsed, long line, long offset) {
            JsonNode n = parsed;
            if (n == null) {
              try {
                n = json.readTree(bytes, off, len);
              } catch (IOException e) {
                return; // malformed lines are reported by the run itself
              }
            }
            if (n != null && n.isObject()) {
              inference.add(n, file[0] + " line " + (line + 1));
              if (++seen[0] >= rows) throw new Enough();
            }
          }

          @Override
          public void failure(long line, long offset, String reason, String excerpt) {
            // reported by the run itself
          }
        };
    for (Path f : inputs) {
      file[0] = f.getFileName().toString();
      try {
        source.read(new InputFiles.Chunk(f.toString(), 0, 0, 0, -1, true), sample);
      } catch (Enough e) {
        break;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (seen[0] == 0)
      throw new IllegalArgumentException("no records to infer features from in " + inputs);
    return new Inferred(inference.features(), seen[0], inference.widenings());
  }

  static char separator(InputFormat f) {
    return f == InputFormat.TSV ? '\t' : ',';
  }

  public static PCollection<WrittenFile> build(Pipeline p, Settings s) {
    RowPartFormat format = format(s);
    AssembleDataset.Settings<Row> dataset = dataset(s, format);
    ChunkProcessor<Row> processor = processor(s);
    List<InputFiles.Chunk> chunks =
        s.dataset() != null
            ? DatasetRows.chunks(s.dataset())
            : splittable(s.inputFormat())
                ? InputFiles.chunks(s.inputs(), s.chunkBytes())
                : InputFiles.wholeFiles(s.inputs());
    return p.apply(
            "ReadMapSplit", ProcessChunks.of(chunks, processor, format, dataset.partsDir(), false))
        .apply("WriteFailures", WriteFailures.withParts(dataset.partsDir()))
        .apply("AssembleDataset", AssembleDataset.with(dataset));
  }

  /**
   * The continuous form: files that appear under a watched directory are converted as they come;
   * every commit interval the rows that arrived become the next batches. Runs until stopped.
   *
   * <p>Steps: WatchInput -> ReadMapSplit -> WriteFailures -> AssemblePanes.
   */
  public static PCollection<AssemblePanes.Pane> buildWatch(
      Pipeline p, Settings s, WatchSettings watch) {
    return watched(s).build(p, watch);
  }

  /** The parts of the continuous form, for the watch path all workflows share. */
  public static WatchedWorkflow<Row> watched(Settings s) {
    RowPartFormat format = format(s);
    return new WatchedWorkflow<>(
        "WatchInput",
        "ReadMapSplit",
        watchPattern(s.inputFormat()),
        splittable(s.inputFormat()) ? s.chunkBytes() : 0,
        processor(s),
        format,
        dataset(s, format),
        false);
  }

  /** The file names a watched directory of this format is matched with. */
  public static String watchPattern(InputFormat f) {
    return switch (f) {
      case JSONL -> "*.jsonl*";
      case CSV -> "*.csv*";
      case TSV -> "*.tsv*";
      case PARQUET -> "*.parquet";
    };
  }

  private static boolean splittable(InputFormat f) {
    return f == InputFormat.JSONL;
  }

  private static ChunkProcessor<Row> processor(Settings s) {
    if (s.dataset() != null) return new DatasetRows(s.dataset(), s.split());
    FieldMapping identity = FieldMapping.identity(s.features(), true, "train", s.inferred());
    return switch (s.inputFormat()) {
      case PARQUET -> new ParquetRows(s.features(), s.split());
      case JSONL ->
          new MapRecords(
              JsonSource.jsonLines(), identity, s.split(), s.features().names(), s.strict());
      default ->
          new MapRecords(
              JsonSource.csv(separator(s.inputFormat())),
              identity,
              s.split(),
              s.features().names(),
              s.strict());
    };
  }

  private static String source(Settings s) {
    if (s.dataset() != null) {
      ReadPlan d = s.dataset();
      return "the Hugging Face dataset `"
          + d.files().describe()
          + "` (config `"
          + d.config()
          + "`, split"
          + (d.splits().size() == 1 ? " `" + d.splits().get(0) + "`" : "s " + d.splits())
          + ")";
    }
    return (s.inputs().isEmpty() ? "the" : s.inputs().size())
        + " "
        + s.inputFormat().name().toLowerCase(Locale.ROOT)
        + " file(s)"
        + (s.inputs().isEmpty() ? " of a watched directory" : "");
  }

  private static RowPartFormat format(Settings s) {
    return new RowPartFormat(s.features(), s.parquet() ? s.parquetSettings() : null, s.jsonl());
  }

  private static AssembleDataset.Settings<Row> dataset(Settings s, RowPartFormat format) {
    AssembleDataset.Settings<Row> dataset =
        AssembleDataset.Settings.of(s.output(), format)
            .parquetNaming(FileNaming.of(s.parquetPattern()))
            .jsonlNaming(FileNaming.of(s.parquetPattern()).withExtension("jsonl"))
            .batch(s.batch())
            .splitOrder(List.copyOf(s.split().ratios().keySet()))
            .title(s.output().toAbsolutePath().normalize().getFileName().toString())
            .description(
                "Converted by `hfbeam convert` from "
                    + source(s)
                    + ". Split ("
                    + s.split().describeRatios()
                    + ")"
                    + (s.split().keyFields().isEmpty()
                        ? " per record"
                        : " by " + s.split().keyFields())
                    + " with seed "
                    + s.split().seed()
                    + ".");
    return dataset;
  }
}
