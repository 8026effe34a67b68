package io.hfbeam.hf;

import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.LinkedHashMap;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.Field;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.Schema.TypeName;

/** Feature <-> Beam {@link FieldType}; the table is documented on {@link Features}. */
public final class BeamMapping {
  private BeamMapping() {}

  /** The Beam type of one feature; always nullable, list elements too. */
  public static FieldType fieldType(Feature f) {
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

  static Schema schema(LinkedHashMap<String, Feature> fields) {
    Schema.Builder b = Schema.builder();
    fields.forEach((name, f) -> b.addField(Field.of(name, fieldType(f))));
    return b.build();
  }

  private static FieldType valueType(String dtype) {
    if (dtype.startsWith("timestamp[")) return FieldType.DATETIME;
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
    for (Field field : schema.getFields()) {
      out.put(field.getName(), fromFieldType(field.getType(), field.getName()));
    }
    return out;
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
      case ARRAY, ITERABLE ->
          new Sequence(fromFieldType(t.getCollectionElementType(), path + "[]"));
      case ROW -> new Struct(fromSchema(t.getRowSchema()));
      default ->
          throw new IllegalArgumentException(
              "field '" + path + "': Beam type " + n + " has no Hugging Face feature");
    };
  }
}
