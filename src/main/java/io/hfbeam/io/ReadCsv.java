package io.hfbeam.io;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hfbeam.runner.Progress;
import io.hfbeam.transform.RecordKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads CSV files with a header row (quoted fields may span lines, so a file is one chunk). Each record becomes
 * a JSON object of header -> text, keyed by its line (0-based) so failures report the file line; the mapper
 * then casts the text to the declared features. Empty fields are missing values.
 */
public final class ReadCsv extends PTransform<PBegin, PCollectionTuple> {
  private final List<String> files;
  private final char separator;

  private ReadCsv(List<String> files, char separator) {
    this.files = files;
    this.separator = separator;
  }

  public static ReadCsv of(List<Path> files, char separator) {
    return new ReadCsv(files.stream().map(Path::toString).toList(), separator);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    List<InputFiles.Chunk> chunks =
        java.util.stream.IntStream.range(0, files.size())
            .mapToObj(i -> new InputFiles.Chunk(files.get(i), i, 0, 0, -1, true))
            .toList();
    PCollectionTuple out = input
        .apply("PlanFiles", Create.of(chunks).withCoder(org.apache.beam.sdk.coders.SerializableCoder.of(InputFiles.Chunk.class)))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadRecords", ParDo.of(new ReadFn(separator))
            .withOutputTags(ReadTextLines.LINES, TupleTagList.of(ReadTextLines.CHUNK_LINES)));
    out.get(ReadTextLines.LINES).setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(SourceLine.SCHEMA)));
    out.get(ReadTextLines.CHUNK_LINES).setCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
    return out;
  }

  /** Opens a CSV file for reading records as header -> text maps. */
  public static MappingIterator<java.util.Map<String, String>> open(Path file, char separator) throws IOException {
    InputStream in = Compressions.open(file);
    Reader r = new InputStreamReader(in, StandardCharsets.UTF_8);
    CsvMapper mapper = new CsvMapper();
    mapper.enable(CsvParser.Feature.WRAP_AS_ARRAY);
    CsvSchema schema = CsvSchema.emptySchema().withHeader().withColumnSeparator(separator);
    return mapper.readerFor(java.util.Map.class).with(schema).readValues(r);
  }

  static final class ReadFn extends DoFn<InputFiles.Chunk, KV<RecordKey, Row>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final char separator;
    private final Counter records = Metrics.counter("read", "records_in");
    private final Counter bytes = Metrics.counter("read", "bytes_in");

    ReadFn(char separator) {
      this.separator = separator;
    }

    @ProcessElement
    public void process(@Element InputFiles.Chunk chunk, MultiOutputReceiver out) throws IOException {
      Path file = Path.of(chunk.path());
      try (MappingIterator<java.util.Map<String, String>> it = open(file, separator)) {
        while (it.hasNextValue()) {
          long line = it.getCurrentLocation().getLineNr();
          long offset = it.getCurrentLocation().getCharOffset();
          java.util.Map<String, String> rec = it.nextValue();
          ObjectNode obj = JsonNodeFactory.instance.objectNode();
          rec.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) obj.put(k, v);
          });
          out.get(ReadTextLines.LINES).output(KV.of(RecordKey.of(chunk.id(), Math.max(0, line - 1)),
              SourceLine.of(chunk.path(), offset, JSON.writeValueAsString(obj))));
          records.inc();
          Progress.addRecords(1);
        }
      } catch (RuntimeException e) {
        throw new IOException(file + ": malformed CSV: " + e.getMessage(), e);
      }
      long size = Files.size(file);
      bytes.inc(size);
      Progress.addBytes(size);
      out.get(ReadTextLines.CHUNK_LINES).output(KV.of(chunk.id(), 0L));
    }
  }
}
