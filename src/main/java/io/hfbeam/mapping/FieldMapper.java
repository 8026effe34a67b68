package io.hfbeam.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.Serializable;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The HF-schema mapper: turns one JSON object into a Row of the declared features and routes it to
 * a split, as the {@link FieldMapping} says. Wrong types and missing required fields throw {@link
 * MappingError} with the reason; the caller sends the record to the failure output.
 */
public final class FieldMapper implements Serializable {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]+)}");
  private final FieldMapping mapping;
  private transient Schema schema;
  private transient List<Feature> types;
  private transient JsonNode[] defaults;
  private transient String[][] from;
  private transient Object[][] templates;

  public FieldMapper(FieldMapping mapping) {
    this.mapping = mapping;
  }

  /** A record this mapping cannot use. */
  public static final class MappingError extends RuntimeException {
    public MappingError(String message) {
      super(message, null, false, false);
    }
  }

  /** A mapped record and its split (null when the mapping has no routes and no default). */
  public record Mapped(String split, Row row) {}

  public Schema schema() {
    init();
    return schema;
  }

  private void init() {
    if (schema != null) return;
    Features features = mapping.features();
    types = features.names().stream().map(features::get).toList();
    defaults =
        mapping.fields().stream()
            .map(f -> FieldMapping.parseDefault(f.defaultJson()))
            .toArray(JsonNode[]::new);
    from =
        mapping.fields().stream()
            .map(f -> f.from() == null ? null : FieldMapping.steps(f.from()))
            .toArray(String[][]::new);
    templates =
        mapping.fields().stream()
            .map(f -> f.template() == null ? null : compile(f.template()))
            .toArray(Object[][]::new);
    schema = features.beamSchema();
  }

  /**
   * A template as its parts in order: literal text (String) and placeholder paths (String[] steps).
   */
  private static Object[] compile(String template) {
    List<Object> parts = new java.util.ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(template);
    int last = 0;
    while (m.find()) {
      if (m.start() > last) parts.add(template.substring(last, m.start()));
      parts.add(FieldMapping.steps(m.group(1).trim()));
      last = m.end();
    }
    if (last < template.length()) parts.add(template.substring(last));
    return parts.toArray();
  }

  public Mapped map(JsonNode record, String fileName) {
    init();
    if (record == null || !record.isObject()) {
      throw new MappingError(
          "expected a JSON object, got " + (record == null ? "nothing" : JsonValues.kind(record)));
    }
    String split = mapping.route(record, fileName);
    if (split == null) throw new MappingError("no route matches this record");
    List<FieldMapping.FieldSpec> specs = mapping.fields();
    Object[] values = new Object[specs.size()];
    for (int i = 0; i < values.length; i++) {
      FieldMapping.FieldSpec spec = specs.get(i);
      JsonNode raw =
          templates[i] != null
              ? template(record, templates[i])
              : FieldMapping.path(record, from[i]);
      if (raw == null || raw.isMissingNode() || raw.isNull()) {
        if (spec.required())
          throw new MappingError("missing required field '" + describe(spec) + "'");
        raw = defaults[i];
      }
      try {
        values[i] = JsonValues.convert(raw, types.get(i), spec.cast(), mapping.valuesAsText());
      } catch (JsonValues.TypeMismatch ex) {
        throw new MappingError(spec.name() + " (from " + describe(spec) + "): " + ex.getMessage());
      }
    }
    return new Mapped(split, Row.withSchema(schema).attachValues(values));
  }

  private static String describe(FieldMapping.FieldSpec spec) {
    return spec.template() != null ? spec.template() : spec.from();
  }

  /** Fills the template; null when a placeholder is missing, so required/default rules apply. */
  private static JsonNode template(JsonNode record, Object[] parts) {
    StringBuilder sb = new StringBuilder(64);
    for (Object part : parts) {
      if (part instanceof String text) {
        sb.append(text);
        continue;
      }
      String[] steps = (String[]) part;
      JsonNode v = FieldMapping.path(record, steps);
      if (v.isMissingNode() || v.isNull()) return null;
      if (v.isContainerNode()) {
        throw new MappingError(
            String.join(".", steps)
                + " is "
                + JsonValues.kind(v)
                + ", not a value for the template");
      }
      sb.append(v.asText());
    }
    return TextNode.valueOf(sb.toString());
  }
}
