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
import io.hfbeam.io.LinesOf;
import io.hfbeam.io.ParquetSettings;
import io.hfbeam.io.ReadCsv;
import io.hfbeam.io.ReadParquet;
import io.hfbeam.io.ReadTextLines;
import io.hfbeam.io.WriteDataset;
import io.hfbeam.transform.Batch;
import io.hfbeam.transform.FieldMapping;
import io.hfbeam.transform.MapFields;
import io.hfbeam.transform.RecordKey;
import io.hfbeam.transform.Split;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * convert: JSONL, CSV or Parquet into a Hugging Face dataset with declared or inferred features, split by a
 * seeded key hash, in numbered batches, as Parquet and/or JSONL with a card.
 *
 * <p>Steps: Read (by input format) -> ToFeatures (cast to the features; JSONL/CSV only) -> Split -> Batch ->
 * WriteDataset; failures -> Errors.
 */
public final class ConvertWorkflow {
  private ConvertWorkflow() {}

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
      Split.Settings split, Batch.Settings batch, long chunkBytes) {}

  /** Features inferred from the first {@code rows} records of the inputs. */
  public static Features infer(List<Path> inputs, InputFormat format, int rows) {
    if (format == InputFormat.PARQUET) return ReadParquet.features(inputs.get(0));
    FeatureInference inference = new FeatureInference(format != InputFormat.JSONL);
    ObjectMapper json = new ObjectMapper();
    int seen = 0;
    try {
      for (Path f : inputs) {
        if (format == InputFormat.JSONL) {
          try (LinesOf lines = LinesOf.open(f)) {
            String line;
            while (seen < rows && (line = lines.next()) != null) {
              if (line.isBlank()) continue;
              try {
                JsonNode n = json.readTree(line);
                if (n != null && n.isObject()) {
                  inference.add(n);
                  seen++;
                }
              } catch (IOException e) {
                // malformed lines are reported by the run itself
              }
            }
          }
        } else {
          try (MappingIterator<Map<String, String>> it = ReadCsv.open(f, separator(format))) {
            while (seen < rows && it.hasNextValue()) {
              ObjectNode obj = JsonNodeFactory.instance.objectNode();
              it.nextValue().forEach((k, v) -> {
                if (v != null && !v.isEmpty()) obj.put(k, v);
              });
              inference.add(obj);
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
    return inference.features();
  }

  static char separator(InputFormat f) {
    return f == InputFormat.TSV ? '\t' : ',';
  }

  public static void build(Pipeline p, Settings s) {
    PCollection<KV<RecordKey, Row>> rows;
    if (s.inputFormat() == InputFormat.PARQUET) {
      rows = p.apply("ReadParquet", ReadParquet.of(s.inputs(), s.features()));
    } else {
      PCollectionTuple read = s.inputFormat() == InputFormat.JSONL
          ? p.apply("ReadJsonl", ReadTextLines.of(InputFiles.chunks(s.inputs(), s.chunkBytes())))
          : p.apply("ReadCsv", ReadCsv.of(s.inputs(), separator(s.inputFormat())));
      PCollectionTuple mapped = read.get(ReadTextLines.LINES)
          .apply("ToFeatures", MapFields.with(FieldMapping.identity(s.features(), true, "train")));
      rows = mapped.get(MapFields.MAPPED);
      Errors.write(mapped.get(MapFields.FAILED), read.get(ReadTextLines.CHUNK_LINES), s.output());
    }
    WriteDataset.Settings sink = WriteDataset.Settings.builder()
        .outputDir(s.output().toString())
        .features(s.features())
        .splitOrder(List.copyOf(s.split().ratios().keySet()))
        .title(s.output().getFileName().toString())
        .description("Converted by `hfbeam convert` from " + s.inputs().size() + " " + s.inputFormat().name().toLowerCase(Locale.ROOT)
            + " file(s). Split " + s.split().ratios() + (s.split().keyFields().isEmpty() ? " per record" : " by " + s.split().keyFields())
            + " with seed " + s.split().seed() + ".");
    if (s.parquet()) sink.parquet(FileNaming.of(s.parquetPattern()), s.parquetSettings());
    if (s.jsonl()) sink.jsonl(FileNaming.of(s.parquetPattern()).withExtension("jsonl"));
    rows.apply("Split", Split.with(s.split()))
        .apply("Batch", Batch.with(s.batch()))
        .apply("WriteDataset", WriteDataset.with(sink.build()));
  }

}
