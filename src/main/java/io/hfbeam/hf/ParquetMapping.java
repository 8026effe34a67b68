package io.hfbeam.hf;

import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Type.Repetition;
import org.apache.parquet.schema.Types;

/**
 * Feature -> Parquet schema, shaped the way pyarrow writes it: every column and list element
 * OPTIONAL (datasets keeps metadata features only when the Arrow field matches exactly, nullability
 * included; hub-protocol.md E.4) and the standard 3-level LIST.
 */
final class ParquetMapping {
  private ParquetMapping() {}

  static MessageType messageType(Map<String, Feature> fields) {
    List<Type> columns = new ArrayList<>();
    fields.forEach((name, f) -> columns.add(type(name, f)));
    return new MessageType("schema", columns);
  }

  static Type type(String name, Feature f) {
    if (f instanceof Feature.Json) {
      return Types.optional(PrimitiveTypeName.BINARY)
          .as(LogicalTypeAnnotation.jsonType())
          .named(name);
    }
    f = Feature.storageOf(f);
    if (f instanceof Value v) return primitive(name, v.dtype());
    if (f instanceof ClassLabel) return Types.optional(PrimitiveTypeName.INT64).named(name);
    if (f instanceof Sequence s) return list(name, s.feature());
    if (f instanceof ArrayND a) return list(name, a.element());
    List<Type> children = new ArrayList<>();
    ((Struct) f).fields().forEach((n, sub) -> children.add(type(n, sub)));
    return new GroupType(Repetition.OPTIONAL, name, children);
  }

  private static Type list(String name, Feature element) {
    return Types.optionalGroup()
        .as(LogicalTypeAnnotation.listType())
        .addField(new GroupType(Repetition.REPEATED, "list", type("element", element)))
        .named(name);
  }

  private static Type primitive(String name, String dtype) {
    if (dtype.startsWith("timestamp[")) {
      // Parquet has no seconds unit; pyarrow also stores timestamp[s] as milliseconds.
      TimeUnit unit =
          switch (Value.timestampUnit(dtype)) {
            case "us" -> TimeUnit.MICROS;
            case "ns" -> TimeUnit.NANOS;
            default -> TimeUnit.MILLIS;
          };
      // a zoned timestamp is an instant (adjusted to UTC), as pyarrow writes it; the zone's name
      // lives in the huggingface metadata
      boolean zoned = new Value(dtype).timeZone().isPresent();
      return Types.optional(PrimitiveTypeName.INT64)
          .as(LogicalTypeAnnotation.timestampType(zoned, unit))
          .named(name);
    }
    return switch (dtype) {
      case "bool" -> Types.optional(PrimitiveTypeName.BOOLEAN).named(name);
      case "int8" -> int32(name, 8, true);
      case "int16" -> int32(name, 16, true);
      case "int32" -> int32(name, 32, true);
      case "uint8" -> int32(name, 8, false);
      case "uint16" -> int32(name, 16, false);
      case "uint32" -> int32(name, 32, false);
      case "uint64" ->
          Types.optional(PrimitiveTypeName.INT64)
              .as(LogicalTypeAnnotation.intType(64, false))
              .named(name);
      case "int64" -> Types.optional(PrimitiveTypeName.INT64).named(name);
      case "float16", "float32" -> Types.optional(PrimitiveTypeName.FLOAT).named(name);
      case "float64" -> Types.optional(PrimitiveTypeName.DOUBLE).named(name);
      case "string", "large_string" ->
          Types.optional(PrimitiveTypeName.BINARY)
              .as(LogicalTypeAnnotation.stringType())
              .named(name);
      case "binary" -> Types.optional(PrimitiveTypeName.BINARY).named(name);
      default -> throw new IllegalArgumentException("no Parquet type for dtype " + dtype);
    };
  }

  private static Type int32(String name, int bits, boolean signed) {
    return Types.optional(PrimitiveTypeName.INT32)
        .as(LogicalTypeAnnotation.intType(bits, signed))
        .named(name);
  }
}
