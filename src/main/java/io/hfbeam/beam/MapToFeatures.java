package io.hfbeam.beam;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.hfbeam.dataset.Failures;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.FieldMapper;
import io.hfbeam.mapping.FieldMapping;
import java.io.IOException;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The HF-schema mapper: JSON records (one object per element, as {@code TextIO} reads JSONL) to
 * Rows whose schema is exactly the features' ({@link Features#beamSchema()}), on {@link #ROWS}; a
 * record that is not JSON, lacks a required field or has a value of the wrong type becomes a
 * failure row ({@link Failures#SCHEMA}) with the reason, on {@link #FAILURES}. The mapping is
 * {@link FieldMapper}'s: by default the identity mapping of the features with casts, as convert
 * uses; {@link #withMapping} takes a renaming/templating {@link FieldMapping} (as qa-export's).
 */
public final class MapToFeatures extends PTransform<PCollection<String>, PCollectionTuple> {
  public static final TupleTag<Row> ROWS = new TupleTag<>("rows") {};
  public static final TupleTag<Row> FAILURES = new TupleTag<>("failures") {};
  private final FieldMapping mapping;
  private final String source;

  private MapToFeatures(FieldMapping mapping, String source) {
    this.mapping = mapping;
    this.source = source;
  }

  /** Each record's fields of the same names, cast to the features' types. */
  public static MapToFeatures to(Features features) {
    return new MapToFeatures(FieldMapping.identity(features, true, "train"), null);
  }

  /**
   * A field mapping (sources, templates, defaults, required fields); its routes are not used: split
   * afterwards.
   */
  public MapToFeatures withMapping(FieldMapping m) {
    return new MapToFeatures(m, source);
  }

  /** The name failures give as their source (default none). */
  public MapToFeatures withSource(String name) {
    return new MapToFeatures(mapping, name);
  }

  public Features features() {
    return mapping.features();
  }

  /**
   * The same mapping for records that are already Rows (of any schema, e.g. from ParquetIO or a SQL
   * step): each row is read as the JSON object its fields make, then mapped.
   */
  public PTransform<PCollection<Row>, PCollectionTuple> fromRows() {
    return new FromRows(this);
  }

  static final class FromRows extends PTransform<PCollection<Row>, PCollectionTuple> {
    private final MapToFeatures map;

    FromRows(MapToFeatures map) {
      this.map = map;
    }

    @Override
    public PCollectionTuple expand(PCollection<Row> rows) {
      Features in = Features.fromBeamSchema(rows.getSchema());
      return rows.apply("AsJson", ParDo.of(new AsJsonFn(in.toJson())))
          .setCoder(org.apache.beam.sdk.coders.StringUtf8Coder.of())
          .apply("Map", map);
    }
  }

  static final class AsJsonFn extends DoFn<Row, String> {
    private final String featuresJson;
    private transient Features features;

    AsJsonFn(String featuresJson) {
      this.featuresJson = featuresJson;
    }

    @ProcessElement
    public void process(@Element Row row, OutputReceiver<String> out) {
      if (features == null) features = Features.fromJson(featuresJson);
      out.output(io.hfbeam.format.json.JsonlRowWriter.toJsonLine(row, features));
    }
  }

  @Override
  public PCollectionTuple expand(PCollection<String> records) {
    PCollectionTuple out =
        records.apply(
            "MapFields",
            ParDo.of(new MapFn(mapping, source)).withOutputTags(ROWS, TupleTagList.of(FAILURES)));
    out.get(ROWS).setCoder(SchemaCoder.of(mapping.features().beamSchema()));
    out.get(FAILURES).setCoder(SchemaCoder.of(Failures.SCHEMA));
    return out;
  }

  static final class MapFn extends DoFn<String, Row> {
    private static final ObjectReader JSON =
        new ObjectMapper()
            .readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private final FieldMapper mapper;
    private final String source;
    private final Counter in = Metrics.counter("MapFields", "records_in");
    private final Counter ok = Metrics.counter("MapFields", "records_out");
    private final Counter failed = Metrics.counter("MapFields", "records_failed");

    MapFn(FieldMapping mapping, String source) {
      this.mapper = new FieldMapper(mapping);
      this.source = source;
    }

    @ProcessElement
    public void process(@Element String record, MultiOutputReceiver out) {
      in.inc();
      try {
        JsonNode node;
        try {
          node = JSON.readTree(record);
        } catch (IOException e) {
          String why =
              e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
          throw new FieldMapper.MappingError("invalid JSON: " + why);
        }
        out.get(ROWS).output(mapper.map(node, source).row());
        ok.inc();
      } catch (FieldMapper.MappingError e) {
        failed.inc();
        out.get(FAILURES)
            .output(Failures.of(source, null, null, null, "MapFields", e.getMessage(), record));
      }
    }
  }
}
