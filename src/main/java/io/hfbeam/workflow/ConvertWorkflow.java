package io.hfbeam.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.FeatureInference;
import io.hfbeam.hf.Features;
import io.hfbeam.io.FileNaming;
import io.hfbeam.io.InputFiles;
import io.hfbeam.io.AssembleDataset;
import io.hfbeam.io.AssemblePanes;
import io.hfbeam.io.WatchFiles;
import org.joda.time.Duration;
import io.hfbeam.io.ChunkProcessor;
import io.hfbeam.io.JsonSource;
import io.hfbeam.io.LinesOf;
import io.hfbeam.io.ParquetRows;
import io.hfbeam.io.ParquetSettings;
import io.hfbeam.io.ProcessChunks;
import io.hfbeam.io.RowPartFormat;
import io.hfbeam.transform.Batch;
import io.hfbeam.transform.FieldMapping;
import io.hfbeam.transform.MapRecords;
import io.hfbeam.transform.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import io.hfbeam.io.WrittenFile;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * convert: JSONL, CSV or Parquet into a Hugging Face dataset with declared or inferred features, split by a
 * seeded key hash, in numbered batches, as Parquet and/or JSONL with a card.
 *
 * <p>Steps: ReadMapSplit (read by input format -> cast to the features -> split by key hash -> parts) ->
 * AssembleDataset (numbered batches, the card, _errors/errors.jsonl).
 */
public final class ConvertWorkflow {
  private ConvertWorkflow() {}

  /**
   * The steps' counter namespaces in pipeline order, for the run summary: files found (watch), bytes read (read),
   * records mapped to the features (MapFields), assigned a split (Split), files written (write), Hub commits (publish).
   */
  public static final List<String> STEPS = List.of("watch", "read", "MapFields", "Split", "write", "publish");

  /** Input formats. */
  public enum InputFormat {
    JSONL, CSV, TSV, PARQUET;

    /** By file extension, ignoring a compression suffix. */
    public static InputFormat detect(Path file) {
      String n = file.getFileName().toString().toLowerCase(Locale.ROOT).replaceAll("\\.(gz|bz2|zst)$", "");
      if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
      if (n.endsWith(".csv")) return CSV;
      if (n.endsWith(".tsv")) return TSV;
      if (n.endsWith(".parquet")) return PARQUET;
      throw new IllegalArgumentException("cannot tell the format of " + file + " (use --input-format jsonl|csv|tsv|parquet)");
    }
  }

  /** Settings of one run. */
  public record Settings(List<Path> inputs, InputFormat inputFormat, Features features, Path output,
      boolean parquet, boolean jsonl, String parquetPattern, ParquetSettings parquetSettings,
      Split.Settings split, Batch.Settings batch, long chunkBytes) {
    public Settings withBatch(Batch.Settings b) {
      return new Settings(inputs, inputFormat, features, output, parquet, jsonl, parquetPattern, parquetSettings, split, b, chunkBytes);
    }
  }

  /** Features inferred from records, and the columns one of them made wider (see {@link FeatureInference#widenings()}). */
  public record Inferred(Features features, int records, List<String> widenings) {}

  /** Features inferred from the first {@code rows} records of the inputs. */
  public static Features infer(List<Path> inputs, InputFormat format, int rows) {
    return inferWithNotes(inputs, format, rows).features();
  }

  /** Features inferred from the first {@code rows} records of the inputs, with what widened them. */
  public static Inferred inferWithNotes(List<Path> inputs, InputFormat format, int rows) {
    if (format == InputFormat.PARQUET) return new Inferred(ParquetRows.features(inputs.get(0)), 0, List.of());
    FeatureInference inference = new FeatureInference(format != InputFormat.JSONL);
    ObjectMapper json = new ObjectMapper();
    int seen = 0;
    try {
      for (Path f : inputs) {
        if (format == InputFormat.JSONL) {
          try (LinesOf lines = LinesOf.open(f)) {
            String line;
            long lineNo = 0;
            while (seen < rows && (line = lines.next()) != null) {
              lineNo++;
              if (line.isBlank()) continue;
              try {
                JsonNode n = json.readTree(line);
                if (n != null && n.isObject()) {
                  inference.add(n, f.getFileName() + " line " + lineNo);
                  seen++;
                }
              } catch (IOException e) {
                // malformed lines are reported by the run itself
              }
            }
          }
        } else {
          try (MappingIterator<Map<String, String>> it = JsonSource.Csv.open(f, separator(format))) {
            long row = 0;
            while (seen < rows && it.hasNextValue()) {
              ObjectNode obj = JsonNodeFactory.instance.objectNode();
              it.nextValue().forEach((k, v) -> {
                if (v != null && !v.isEmpty()) obj.put(k, v);
              });
              inference.add(obj, f.getFileName() + " row " + ++row + " (after the header)");
              seen++;
            }
          }
        }
        if (seen >= rows) break;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (seen == 0) throw new IllegalArgumentException("no records to infer features from in " + inputs);
    return new Inferred(inference.features(), seen, inference.widenings());
  }

  static char separator(InputFormat f) {
    return f == InputFormat.TSV ? '\t' : ',';
  }

  public static PCollection<WrittenFile> build(Pipeline p, Settings s) {
    RowPartFormat format = format(s);
    AssembleDataset.Settings<Row> dataset = dataset(s, format);
    ChunkProcessor<Row> processor = processor(s);
    List<InputFiles.Chunk> chunks = splittable(s.inputFormat())
        ? InputFiles.chunks(s.inputs(), s.chunkBytes()) : InputFiles.wholeFiles(s.inputs());
    return p.apply("ReadMapSplit", ProcessChunks.of(chunks, processor, format, dataset.partsDir(), false))
        .apply("AssembleDataset", AssembleDataset.with(dataset));
  }

  /**
   * The continuous form: files that appear under {@code glob} are converted as they come; every
   * {@code commitInterval} the rows that arrived become the next batches. Runs until stopped.
   *
   * <p>Steps: WatchInput -> ReadMapSplit -> AssemblePanes.
   */
  public static PCollection<AssemblePanes.Pane> buildWatch(Pipeline p, Settings s, String glob, Duration poll,
      Duration commitInterval) {
    RowPartFormat format = format(s);
    AssembleDataset.Settings<Row> dataset = dataset(s, format);
    return p
        .apply("WatchInput", WatchFiles.of(glob, poll, splittable(s.inputFormat()) ? s.chunkBytes() : 0))
        .apply("ReadMapSplit", ProcessChunks.toParts(processor(s), format, dataset.partsDir(), false))
        .apply("AssemblePanes", AssemblePanes.every(commitInterval, dataset));
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
    FieldMapping identity = FieldMapping.identity(s.features(), true, "train");
    return switch (s.inputFormat()) {
      case PARQUET -> new ParquetRows(s.features(), s.split());
      case JSONL -> new MapRecords(JsonSource.jsonLines(), identity, s.split(), s.features().names());
      default -> new MapRecords(JsonSource.csv(separator(s.inputFormat())), identity, s.split(), s.features().names());
    };
  }

  private static RowPartFormat format(Settings s) {
    return new RowPartFormat(s.features(), s.parquet() ? s.parquetSettings() : null, s.jsonl());
  }

  private static AssembleDataset.Settings<Row> dataset(Settings s, RowPartFormat format) {
    AssembleDataset.Settings<Row> dataset = AssembleDataset.Settings.of(s.output(), format)
        .parquetNaming(FileNaming.of(s.parquetPattern()))
        .jsonlNaming(FileNaming.of(s.parquetPattern()).withExtension("jsonl"))
        .batch(s.batch())
        .splitOrder(List.copyOf(s.split().ratios().keySet()))
        .title(s.output().toAbsolutePath().normalize().getFileName().toString())
        .description("Converted by `hfbeam convert` from " + (s.inputs().isEmpty() ? "the" : s.inputs().size()) + " "
            + s.inputFormat().name().toLowerCase(Locale.ROOT) + " file(s)" + (s.inputs().isEmpty() ? " of a watched directory" : "")
            + ". Split (" + s.split().describeRatios() + ")"
            + (s.split().keyFields().isEmpty() ? " per record" : " by " + s.split().keyFields())
            + " with seed " + s.split().seed() + ".");
    return dataset;
  }
}
