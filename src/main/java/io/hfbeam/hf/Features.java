package io.hfbeam.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.schema.MessageType;

/**
 * The ordered, immutable set of named features of a Hugging Face dataset, and the one place where
 * they map onto Beam, Parquet and the {@code datasets} metadata forms.
 *
 * <p>Beam mapping (all fields nullable, list elements too; Row values use the Java type in
 * brackets):
 *
 * <pre>
 * int8 -> BYTE (Byte)          int16, uint8 -> INT16 (Short)     int32, uint16 -> INT32 (Integer)
 * int64, uint32, uint64 -> INT64 (Long; uint64 above 2^63-1 wraps to negative, as in Parquet)
 * float16, float32 -> FLOAT    float64 -> DOUBLE     bool -> BOOLEAN
 * string, large_string -> STRING    binary -> BYTES (byte[])
 * timestamp[s], timestamp[ms] -> DATETIME (Joda Instant)
 * timestamp[us] -> logical MicrosInstant (java.time.Instant)    timestamp[ns] -> logical NanosInstant (java.time.Instant)
 * ClassLabel -> INT64          Sequence -> ARRAY     ArrayND(rank r) -> ARRAY nested r levels     Struct -> ROW
 * Image, Audio -> ROW {bytes: BYTES, path: STRING}    Translation -> ROW of STRING per language (sorted)
 * TranslationVariableLanguages -> ROW {language: ARRAY of STRING, translation: ARRAY of STRING}
 * </pre>
 *
 * Timestamps are exact in every unit (see {@link Timestamps}); a value finer than its feature's
 * unit fails where it is read instead of being cut. A zone ({@code timestamp[us, tz=UTC]}) is kept
 * in the field's {@link BeamMapping#FEATURE} option.
 *
 * <p>{@link #fromBeamSchema} is the inverse. Fields whose feature the Beam type cannot say carry
 * options ({@link BeamMapping#FEATURE} and friends), read back exactly; a field without options
 * maps BYTE -> int8, INT16 -> int16, INT32 -> int32, INT64 -> int64, FLOAT -> float32, DOUBLE ->
 * float64, DATETIME -> timestamp[ms], MicrosInstant -> timestamp[us], NanosInstant ->
 * timestamp[ns], ARRAY/ITERABLE -> Sequence, ROW -> Struct.
 */
public final class Features implements Serializable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper FEATURES_FILE =
      new ObjectMapper(
          new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()
              .disable(
                  com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature
                      .WRITE_DOC_START_MARKER)
              .enable(com.fasterxml.jackson.dataformat.yaml.YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private final LinkedHashMap<String, Feature> fields;

  private Features(LinkedHashMap<String, Feature> fields) {
    this.fields = new LinkedHashMap<>(fields);
  }

  public static Features of(LinkedHashMap<String, Feature> fields) {
    Objects.requireNonNull(fields, "fields");
    fields.forEach((k, v) -> Objects.requireNonNull(v, () -> "feature of '" + k + "'"));
    return new Features(fields);
  }

  public List<String> names() {
    return List.copyOf(fields.keySet());
  }

  /** The feature called {@code name}, or null. */
  public Feature get(String name) {
    return fields.get(name);
  }

  public int size() {
    return fields.size();
  }

  /** A copy of the fields in declared order. */
  public LinkedHashMap<String, Feature> asMap() {
    return new LinkedHashMap<>(fields);
  }

  /**
   * The datasets JSON dict, e.g. {@code {"a": {"dtype": "int8", "_type": "Value"}}}, in Python's
   * spacing.
   */
  public String toJson() {
    return PyJson.toString(FeatureCodec.structJson(fields));
  }

  /** Parses any form accepted by {@link #parse(JsonNode)} from JSON text. */
  public static Features fromJson(String json) {
    try {
      return parse(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("features: not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Accepts the datasets JSON dict (incl. List/LargeList/Sequence, one-element array lists,
   * Array2D..5D, ClassLabel, nested dicts), the README {@code dataset_info.features} list, and the
   * shorthand map ({@code list<string>}, {@code list<float32>[3]}, {@code array2d<int8>(10,69)},
   * {@code class_label(a,b)}).
   */
  public static Features parse(JsonNode node) {
    return new Features(FeatureCodec.parseTop(node));
  }

  /** The README {@code dataset_info.features} list as datasets 5 writes it. */
  public ArrayNode toYamlList() {
    return FeatureCodec.toYamlList(fields);
  }

  /**
   * The features as a YAML features file ({@code convert --features FILE} reads it back to the same
   * features): one {@code name: type} line per column in the shorthand where it is exact.
   */
  public String toFeaturesFile() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    fields.forEach((name, f) -> root.set(name, FeatureCodec.toShorthand(f)));
    try {
      return FEATURES_FILE.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One feature's type as a features file writes it, on one line (for tables and messages). */
  public static String typeText(Feature f) {
    JsonNode n = FeatureCodec.toShorthand(f);
    return n.isTextual() ? n.textValue() : PyJson.toString(n);
  }

  /**
   * A few words on what a feature holds ("8-bit integer", "list of 3 32-bit floats", "label: 0 =
   * neg, 1 = pos").
   */
  public static String describe(Feature f) {
    return FeatureCodec.describe(f);
  }

  /** The value of the Parquet key-value metadata entry {@code huggingface}. */
  public String huggingfaceMetadata() {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.putObject("info").set("features", FeatureCodec.structJson(fields));
    return PyJson.toString(root);
  }

  public Schema beamSchema() {
    return BeamMapping.schema(fields);
  }

  public static Features fromBeamSchema(Schema schema) {
    return new Features(BeamMapping.fromSchema(schema));
  }

  public MessageType parquetSchema() {
    return ParquetMapping.messageType(fields);
  }

  /** Estimated uncompressed Arrow bytes of one row, for {@code dataset_info.splits[].num_bytes}. */
  public long arrowBytes(Row row) {
    return ArrowSize.rowBytes(row, fields);
  }

  @Override
  public boolean equals(Object o) {
    // LinkedHashMap.equals ignores order; field order is part of a dataset's identity.
    return o instanceof Features other
        && fields.equals(other.fields)
        && List.copyOf(fields.keySet()).equals(List.copyOf(other.fields.keySet()));
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return toJson();
  }
}
