package io.hfbeam.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.io.Failures;
import io.hfbeam.io.SourceLine;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * The HF-schema mapper: turns each JSON source line into a Row of the declared features and routes it to a
 * split, as the {@link FieldMapping} says. Broken JSON, wrong types and missing required fields go to the failure
 * output with the reason; everything else goes on.
 */
public final class MapFields
    extends PTransform<PCollection<KV<RecordKey, Row>>, PCollectionTuple> {
  public static final TupleTag<KV<RecordKey, Row>> MAPPED = new TupleTag<>("mapped") {};
  public static final TupleTag<KV<RecordKey, Row>> FAILED = new TupleTag<>("failed") {};
  static final String STEP = "MapFields";

  private final FieldMapping mapping;

  private MapFields(FieldMapping mapping) {
    this.mapping = mapping;
  }

  public static MapFields with(FieldMapping mapping) {
    return new MapFields(mapping);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<RecordKey, Row>> lines) {
    Schema schema = mapping.features().beamSchema();
    PCollectionTuple out =
        lines.apply("Map", ParDo.of(new MapFn(mapping)).withOutputTags(MAPPED, TupleTagList.of(FAILED)));
    out.get(MAPPED).setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(schema)));
    out.get(FAILED).setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(Failures.SCHEMA)));
    return out;
  }

  static final class MapFn extends DoFn<KV<RecordKey, Row>, KV<RecordKey, Row>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");
    private final FieldMapping mapping;
    private final Counter in = Metrics.counter(STEP, "records_in");
    private final Counter ok = Metrics.counter(STEP, "records_out");
    private final Counter failed = Metrics.counter(STEP, "records_failed");
    private transient Schema schema;
    private transient List<Feature> types;
    private transient JsonNode[] defaults;

    MapFn(FieldMapping mapping) {
      this.mapping = mapping;
    }

    @Setup
    public void setup() {
      Features features = mapping.features();
      schema = features.beamSchema();
      types = features.names().stream().map(features::get).toList();
      defaults = mapping.fields().stream().map(f -> FieldMapping.parseDefault(f.defaultJson())).toArray(JsonNode[]::new);
    }

    @ProcessElement
    public void process(@Element KV<RecordKey, Row> e, MultiOutputReceiver out) {
      in.inc();
      Row line = e.getValue();
      String text = SourceLine.text(line);
      try {
        JsonNode record;
        try {
          record = JSON.readTree(text);
        } catch (JsonProcessingException ex) {
          throw new MappingError("invalid JSON: " + ex.getOriginalMessage());
        }
        if (record == null || !record.isObject()) {
          throw new MappingError("expected a JSON object, got " + (record == null ? "nothing" : JsonValues.kind(record)));
        }
        String split = mapping.route(record, Path.of(SourceLine.source(line)).getFileName().toString());
        if (split == null) throw new MappingError("no route matches this record");
        out.get(MAPPED).output(KV.of(e.getKey().withSplit(split), map(record)));
        ok.inc();
      } catch (MappingError ex) {
        failed.inc();
        // Line numbers are filled in later from chunk line counts; the ordinal is the line within the chunk.
        out.get(FAILED).output(KV.of(e.getKey(),
            Failures.of(SourceLine.source(line), null, SourceLine.offset(line), STEP, ex.getMessage(), text)));
      }
    }

    private Row map(JsonNode record) {
      List<FieldMapping.FieldSpec> specs = mapping.fields();
      Object[] values = new Object[specs.size()];
      for (int i = 0; i < values.length; i++) {
        FieldMapping.FieldSpec spec = specs.get(i);
        JsonNode raw = spec.template() != null ? template(record, spec) : FieldMapping.path(record, spec.from());
        if (raw == null || raw.isMissingNode() || raw.isNull()) {
          if (spec.required()) throw new MappingError("missing required field '" + describe(spec) + "'");
          raw = defaults[i];
        }
        try {
          values[i] = JsonValues.convert(raw, types.get(i), spec.cast());
        } catch (JsonValues.TypeMismatch ex) {
          throw new MappingError(spec.name() + " (from " + describe(spec) + "): " + ex.getMessage());
        }
      }
      return Row.withSchema(schema).attachValues(values);
    }

    private static String describe(FieldMapping.FieldSpec spec) {
      return spec.template() != null ? spec.template() : spec.from();
    }

    /** Fills the template; null when a placeholder is missing, so required/default rules apply. */
    private static JsonNode template(JsonNode record, FieldMapping.FieldSpec spec) {
      Matcher m = PLACEHOLDER.matcher(spec.template());
      StringBuilder sb = new StringBuilder();
      while (m.find()) {
        JsonNode v = FieldMapping.path(record, m.group(1).trim());
        if (v.isMissingNode() || v.isNull()) return null;
        if (v.isContainerNode()) throw new MappingError(m.group(1) + " is " + JsonValues.kind(v) + ", not a value for the template");
        m.appendReplacement(sb, Matcher.quoteReplacement(v.asText()));
      }
      m.appendTail(sb);
      return com.fasterxml.jackson.databind.node.TextNode.valueOf(sb.toString());
    }
  }

  /** A record this mapping cannot use. */
  static final class MappingError extends RuntimeException {
    MappingError(String message) {
      super(message, null, false, false);
    }
  }
}
