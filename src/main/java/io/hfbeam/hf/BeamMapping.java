package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.Schema.Options;
import org.apache.beam.sdk.schemas.Schema.TypeName;

/**
 * Feature <-> Beam {@link FieldType}; the table is documented on {@link Features}.
 *
 * <p>A field whose feature the Beam type alone cannot say (a widened dtype, ClassLabel, a fixed
 * length, ArrayND, Image, Audio, Translation) carries field options, so that {@link #fromSchema}
 * rebuilds the features exactly: {@link #FEATURE} (the datasets JSON of the field's feature, the
 * one the inverse reads) and, for people and tools that read schemas, {@link #DTYPE}, {@link
 * #CLASS_LABEL_NAMES}, {@link #LENGTH}, {@link #SHAPE}. A field the Beam type says exactly has no
 * options, so schemas of plain features stay plain; a struct's fields carry their own.
 */
public final class BeamMapping {
  /** The field's feature in datasets JSON, e.g. {@code {"names": ["a"], "_type": "ClassLabel"}}. */
  public static final String FEATURE = "hf:feature";

  /** The datasets dtype of a Value or ArrayND field (uint8, float16, timestamp[us], ...). */
  public static final String DTYPE = "hf:dtype";

  /** A ClassLabel's names in label order (ARRAY of STRING). */
  public static final String CLASS_LABEL_NAMES = "hf:class_label_names";

  /** A fixed-length Sequence's length (INT32). */
  public static final String LENGTH = "hf:length";

  /** An ArrayND's shape (ARRAY of nullable INT32; null for a dynamic first dimension). */
  public static final String SHAPE = "hf:shape";

  private static final ObjectMapper JSON = new ObjectMapper();

  private BeamMapping() {}

  /** The Beam type of one feature; always nullable, list elements too. */
  public static FieldType fieldType(Feature f) {
    f = Feature.storageOf(f);
    FieldType t;
    if (f instanceof Value v) {
      t = valueType(v.dtype());
    } else if (f instanceof ClassLabel) {
      t = FieldType.INT64;
    } else if (f instanceof Sequence s) {
      t = FieldType.array(fieldType(s.feature()));
    } else if (f instanceof ArrayND a) {
      t = FieldType.array(fieldType(a.element()));
    } else {
      t = FieldType.row(schema(((Struct) f).fields()));
    }
    return t.withNullable(true);
  }

  /** The Beam field of one named feature, with the options that make it exact. */
  public static Field field(String name, Feature f) {
    Field field = Field.of(name, fieldType(f));
    Options options = options(f, field.getType());
    return options == null ? field : field.withOptions(options);
  }

  static Schema schema(LinkedHashMap<String, Feature> fields) {
    Schema.Builder b = Schema.builder();
    fields.forEach((name, f) -> b.addField(field(name, f)));
    return b.build();
  }

  /** Null when the Beam type alone gives the feature back. */
  private static Options options(Feature f, FieldType type) {
    if (f instanceof Struct || f.equals(inferred(type))) return null;
    Options.Builder o =
        Options.builder().setOption(FEATURE, FieldType.STRING, FeatureCodec.toJson(f).toString());
    if (f instanceof Value v) {
      o.setOption(DTYPE, FieldType.STRING, v.dtype());
    } else if (f instanceof ClassLabel c) {
      o.setOption(CLASS_LABEL_NAMES, FieldType.array(FieldType.STRING), c.names());
    } else if (f instanceof Sequence s && s.length() >= 0) {
      o.setOption(LENGTH, FieldType.INT32, s.length());
    } else if (f instanceof ArrayND a) {
      o.setOption(SHAPE, FieldType.array(FieldType.INT32.withNullable(true)), a.shape());
      o.setOption(DTYPE, FieldType.STRING, a.dtype());
    }
    return o.build();
  }

  private static FieldType valueType(String dtype) {
    if (dtype.startsWith("timestamp[")) return Timestamps.fieldType(dtype);
    return switch (dtype) {
      case "bool" -> FieldType.BOOLEAN;
      case "int8" -> FieldType.BYTE;
      case "int16", "uint8" -> FieldType.INT16;
      case "int32", "uint16" -> FieldType.INT32;
      case "int64", "uint32", "uint64" -> FieldType.INT64;
      case "float16", "float32" -> FieldType.FLOAT;
      case "float64" -> FieldType.DOUBLE;
      case "string", "large_string" -> FieldType.STRING;
      case "binary" -> FieldType.BYTES;
      default -> throw new IllegalArgumentException("no Beam type for dtype " + dtype);
    };
  }

  static LinkedHashMap<String, Feature> fromSchema(Schema schema) {
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (Field field : schema.getFields()) out.put(field.getName(), fromField(field));
    return out;
  }

  /**
   * The {@link #FEATURE} option when present (checked against the field's type, so a schema edited
   * after the fact cannot mislabel a column), else the feature the Beam type says.
   */
  private static Feature fromField(Field field) {
    String name = field.getName();
    Options options = field.getOptions();
    if (!options.hasOption(FEATURE)) return fromFieldType(field.getType(), name);
    Object text = options.getValue(FEATURE);
    Feature f;
    try {
      JsonNode node = JSON.readTree(String.valueOf(text));
      f = FeatureCodec.parseFeature(node, name);
    } catch (com.fasterxml.jackson.core.JsonProcessingException | IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "field '" + name + "': option " + FEATURE + " is no feature (" + oneLine(e) + ")");
    }
    FieldType expected = fieldType(f);
    if (!sameShape(expected, field.getType())) {
      throw new IllegalArgumentException(
          "field '"
              + name
              + "': option "
              + FEATURE
              + " says "
              + Features.typeText(f)
              + " (Beam "
              + expected.getTypeName()
              + ") but the field is Beam "
              + field.getType().getTypeName());
    }
    return f;
  }

  private static String oneLine(Exception e) {
    String m =
        e instanceof com.fasterxml.jackson.core.JsonProcessingException j
            ? j.getOriginalMessage()
            : e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.replaceAll("\\s+", " ");
  }

  /** Same type tree (names and order of row fields included), ignoring nullability and options. */
  private static boolean sameShape(FieldType a, FieldType b) {
    if (a.getTypeName() != b.getTypeName()) return false;
    if (a.getTypeName() == TypeName.LOGICAL_TYPE) {
      return a.getLogicalType().getIdentifier().equals(b.getLogicalType().getIdentifier());
    }
    if (a.getTypeName().isCollectionType()) {
      return sameShape(a.getCollectionElementType(), b.getCollectionElementType());
    }
    if (a.getTypeName() == TypeName.ROW) {
      List<Field> fa = a.getRowSchema().getFields();
      List<Field> fb = b.getRowSchema().getFields();
      if (fa.size() != fb.size()) return false;
      for (int i = 0; i < fa.size(); i++) {
        if (!fa.get(i).getName().equals(fb.get(i).getName())
            || !sameShape(fa.get(i).getType(), fb.get(i).getType())) return false;
      }
    }
    return true;
  }

  /** The feature a Beam type says by itself (no options); null when it has none. */
  private static Feature inferred(FieldType t) {
    try {
      return fromFieldType(t, "");
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Feature fromFieldType(FieldType t, String path) {
    TypeName n = t.getTypeName();
    return switch (n) {
      case BYTE -> new Value("int8");
      case INT16 -> new Value("int16");
      case INT32 -> new Value("int32");
      case INT64 -> new Value("int64");
      case FLOAT -> new Value("float32");
      case DOUBLE -> new Value("float64");
      case BOOLEAN -> new Value("bool");
      case STRING -> new Value("string");
      case BYTES -> new Value("binary");
      // Beam DATETIME is a Joda instant: millisecond precision.
      case DATETIME -> new Value("timestamp[ms]");
      case LOGICAL_TYPE -> {
        String unit = Timestamps.unitOf(t.getLogicalType().getIdentifier());
        if (unit == null) {
          throw new IllegalArgumentException(
              "field '"
                  + path
                  + "': Beam logical type "
                  + t.getLogicalType().getIdentifier()
                  + " has no Hugging Face feature (timestamps: "
                  + Timestamps.MICROS
                  + ", "
                  + Timestamps.NANOS
                  + ")");
        }
        yield new Value("timestamp[" + unit + "]");
      }
      case ARRAY, ITERABLE ->
          new Sequence(fromFieldType(t.getCollectionElementType(), path + "[]"));
      case ROW -> new Struct(fromSchema(t.getRowSchema()));
      default ->
          throw new IllegalArgumentException(
              "field '" + path + "': Beam type " + n + " has no Hugging Face feature");
    };
  }
}
