package io.hfbeam.transform;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.io.ChunkProcessor;
import io.hfbeam.io.Failures;
import io.hfbeam.io.InputFiles;
import io.hfbeam.io.JsonSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * Reads JSON-shaped records, maps them to the declared features ({@link FieldMapper}) and, when a
 * {@link Split} is given, assigns the split by key hash instead of the mapping's routes. Bad records become
 * failures with their line and reason.
 */
public final class MapRecords implements ChunkProcessor<Row> {
  static final String STEP = "MapFields";
  static final String READ_STEP = "ReadRecords";
  /** For lines that are not objects: the whole value is read, so the mapper can say what it is. */
  private static final ObjectReader WHOLE = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(JsonSubset.LIMITS).build()).readerFor(JsonNode.class)
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final JsonSource source;
  private final FieldMapper mapper;
  private final Split.Settings split;
  private final List<String> paths;
  private transient JsonSubset subset;

  /** @param split null: the mapping's routes choose the split */
  public MapRecords(JsonSource source, FieldMapping mapping, Split.Settings split) {
    this.source = source;
    this.mapper = new FieldMapper(mapping);
    this.split = split;
    this.paths = mapping.paths();
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<Row> out) throws IOException {
    Counter in = Metrics.counter(STEP, "records_in");
    Counter ok = Metrics.counter(STEP, "records_out");
    Counter failed = Metrics.counter(STEP, "records_failed");
    String fileName = chunk.file().getFileName().toString();
    if (subset == null) subset = new JsonSubset(paths);
    JsonSubset subset = this.subset;
    Split.Assigner assigner = split == null ? null : split.assigner(mapper.schema());
    long[] counts = new long[3]; // in, out, failed: counted locally, added to the counters once per chunk
    long lines = source.read(chunk, new JsonSource.Visitor() {
      @Override
      public void record(byte[] bytes, int off, int len, JsonNode parsed, long line, long offset) {
        counts[0]++;
        try {
          JsonNode node = parsed;
          if (node == null) {
            try {
              node = subset.read(bytes, off, len);
              if (node == null) node = WHOLE.readTree(bytes, off, len); // not an object: the mapper says what it is
            } catch (IOException e) {
              String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
              throw new FieldMapper.MappingError("invalid JSON: " + why);
            }
          }
          FieldMapper.Mapped m = mapper.map(node, fileName);
          out.record(assigner == null ? m.split() : assigner.assign(m.row(), fileName + ":" + offset), m.row());
          counts[1]++;
        } catch (FieldMapper.MappingError e) {
          counts[2]++;
          // at most the excerpt is decoded: a 50 MB line is not turned into a 50 MB string to keep 200 characters
          out.failure(Failures.of(chunk.path(), line + 1, offset, null, STEP, e.getMessage(),
              bytes != null ? Failures.excerpt(bytes, off, len) : String.valueOf(parsed)));
        }
      }

      @Override
      public void failure(long line, long offset, String reason, String excerpt) {
        counts[0]++;
        counts[2]++;
        out.failure(Failures.of(chunk.path(), line + 1, offset, null, READ_STEP, reason, excerpt));
      }
    });
    in.inc(counts[0]);
    ok.inc(counts[1]);
    failed.inc(counts[2]);
    return lines;
  }
}
