package io.hfbeam.mapping;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import java.io.IOException;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * Reads JSON-shaped records, maps them to the declared features ({@link FieldMapper}) and, when a
 * {@link Split} is given, assigns the split by key hash instead of the mapping's routes. Bad
 * records become failures with their line and reason.
 */
public final class MapRecords implements ChunkProcessor<Row> {
  static final String STEP = "MapFields";
  static final String READ_STEP = "ReadRecords";

  /** For lines that are not objects: the whole value is read, so the mapper can say what it is. */
  private static final ObjectReader WHOLE =
      new ObjectMapper(JsonFactory.builder().streamReadConstraints(JsonSubset.LIMITS).build())
          .readerFor(JsonNode.class)
          .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final JsonSource source;
  private final FieldMapper mapper;
  private final Split.Settings split;
  private final List<String> paths;

  /**
   * The declared top-level columns when input columns are checked against them (convert), else
   * null.
   */
  private final List<String> columns;

  /** {@link #columns} for lookups, once per key of every record. */
  private final java.util.Set<String> declared;

  /** A record whose columns differ from {@link #columns} fails instead of being counted. */
  private final boolean strict;

  private transient JsonSubset subset;

  /**
   * @param split null: the mapping's routes choose the split
   */
  public MapRecords(JsonSource source, FieldMapping mapping, Split.Settings split) {
    this(source, mapping, split, null, false);
  }

  /**
   * @param columns the declared top-level columns: input columns not among them (dropped) and
   *     declared ones a record lacks (written as null) are counted in {@link #COLUMNS}; null: not
   *     checked
   * @param strict such a record is a failure (its reason names the columns) instead
   */
  public MapRecords(
      JsonSource source,
      FieldMapping mapping,
      Split.Settings split,
      List<String> columns,
      boolean strict) {
    this.source = source;
    this.mapper = new FieldMapper(mapping);
    this.split = split;
    this.paths = mapping.paths();
    this.columns = columns == null ? null : List.copyOf(columns);
    this.declared = columns == null ? null : java.util.Set.copyOf(columns);
    this.strict = strict;
  }

  /**
   * Counter namespace of the column check: {@code undeclared_records}, {@code undeclared:NAME} and
   * {@code missing:NAME}, each a number of records. Not a step: the run summary leaves it out of
   * its table.
   */
  public static final String COLUMNS = "_columns";

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<Row> out) throws IOException {
    Counter in = Metrics.counter(STEP, "records_in");
    Counter ok = Metrics.counter(STEP, "records_out");
    Counter failed = Metrics.counter(STEP, "records_failed");
    String fileName = chunk.file().getFileName().toString();
    if (subset == null) subset = new JsonSubset(paths);
    JsonSubset subset = this.subset;
    Split.Assigner assigner = split == null ? null : split.assigner(mapper.schema());
    long[] counts =
        new long
            [4]; // in, out, failed, with undeclared columns: added to the counters once per chunk
    java.util.Map<String, long[]> undeclared = new java.util.TreeMap<>();
    java.util.Map<String, long[]> missing = new java.util.TreeMap<>();
    java.util.Set<String> skipped = new java.util.TreeSet<>();
    long lines =
        source.read(
            chunk,
            new JsonSource.Visitor() {
              @Override
              public void record(
                  byte[] bytes, int off, int len, JsonNode parsed, long line, long offset) {
                counts[0]++;
                try {
                  JsonNode node = parsed;
                  skipped.clear();
                  if (node == null) {
                    try {
                      node = subset.read(bytes, off, len, columns == null ? null : skipped::add);
                      if (node == null)
                        node =
                            WHOLE.readTree(
                                bytes, off, len); // not an object: the mapper says what it is
                    } catch (IOException e) {
                      String why =
                          e instanceof JsonProcessingException j
                              ? j.getOriginalMessage()
                              : e.getMessage();
                      throw new FieldMapper.MappingError("invalid JSON: " + why);
                    }
                  }
                  List<String> absent =
                      columns != null && node.isObject()
                          ? checkColumns(node, parsed != null)
                          : List.of();
                  FieldMapper.Mapped m = mapper.map(node, fileName);
                  out.record(
                      assigner == null
                          ? m.split()
                          : assigner.assign(m.row(), fileName + ":" + offset),
                      m.row());
                  counts[1]++;
                  // counted for the records written only: a failed record is counted as a failure,
                  // once
                  for (String k : skipped) undeclared.computeIfAbsent(k, x -> new long[1])[0]++;
                  if (!skipped.isEmpty()) counts[3]++;
                  for (String k : absent) missing.computeIfAbsent(k, x -> new long[1])[0]++;
                } catch (FieldMapper.MappingError e) {
                  counts[2]++;
                  // at most the excerpt is decoded: a 50 MB line is not turned into a 50 MB string
                  // to keep 200 characters
                  out.failure(
                      Failures.of(
                          chunk.path(),
                          line + 1,
                          offset,
                          null,
                          STEP,
                          e.getMessage(),
                          bytes != null
                              ? Failures.excerpt(bytes, off, len)
                              : String.valueOf(parsed)));
                }
              }

              /**
               * The declared columns the record lacks; the undeclared ones are in {@code skipped}.
               * With {@code strict} either fails the record.
               *
               * @param whole the source parsed the record whole (CSV): its keys were not seen by
               *     the subset reader
               */
              private List<String> checkColumns(JsonNode node, boolean whole) {
                if (whole)
                  node.fieldNames()
                      .forEachRemaining(
                          k -> {
                            if (!declared.contains(k)) skipped.add(k);
                          });
                List<String> absent = List.of();
                for (String k : columns) {
                  if (node.has(k)) continue;
                  if (absent.isEmpty()) absent = new java.util.ArrayList<>();
                  absent.add(k);
                }
                if (strict && (!skipped.isEmpty() || !absent.isEmpty())) {
                  throw new FieldMapper.MappingError(
                      "--strict: "
                          + (skipped.isEmpty()
                              ? ""
                              : "undeclared column"
                                  + (skipped.size() == 1 ? " " : "s ")
                                  + String.join(", ", skipped))
                          + (skipped.isEmpty() || absent.isEmpty() ? "" : "; ")
                          + (absent.isEmpty()
                              ? ""
                              : "declared column"
                                  + (absent.size() == 1 ? " " : "s ")
                                  + String.join(", ", absent)
                                  + " missing"));
                }
                return absent;
              }

              @Override
              public void failure(long line, long offset, String reason, String excerpt) {
                counts[0]++;
                counts[2]++;
                out.failure(
                    Failures.of(chunk.path(), line + 1, offset, null, READ_STEP, reason, excerpt));
              }
            });
    in.inc(counts[0]);
    ok.inc(counts[1]);
    failed.inc(counts[2]);
    if (counts[3] > 0) Metrics.counter(COLUMNS, "undeclared_records").inc(counts[3]);
    undeclared.forEach((k, n) -> Metrics.counter(COLUMNS, "undeclared:" + k).inc(n[0]));
    missing.forEach((k, n) -> Metrics.counter(COLUMNS, "missing:" + k).inc(n[0]));
    return lines;
  }
}
