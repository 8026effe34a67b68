package io.hfbeam.format.parquet;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.LinkedHashMap;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Features implied by a Parquet schema alone (files without the {@code huggingface} entry), the way
 * Arrow reads them: INT32 INTEGER(8,true) -> int8, LIST -> Sequence, group -> Struct. Handles the
 * list encodings pyarrow, DuckDB, parquet-avro and old writers use (Parquet LogicalTypes.md,
 * "backward-compatibility rules").
 */
final class ParquetFeatures {
  private ParquetFeatures() {}

  static LinkedHashMap<String, Feature> of(MessageType schema) {
    return fields(schema);
  }

  private static LinkedHashMap<String, Feature> fields(GroupType g) {
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (Type t : g.getFields()) out.put(t.getName(), field(t));
    return out;
  }

  /** A field including its repetition: an un-annotated repeated field is a list of itself. */
  static Feature field(Type t) {
    Feature f = ofType(t);
    return t.isRepetition(Type.Repetition.REPEATED) ? new Sequence(f) : f;
  }

  private static Feature ofType(Type t) {
    if (t.isPrimitive()) return new Value(dtype(t.asPrimitiveType()));
    GroupType g = t.asGroupType();
    LogicalTypeAnnotation a = g.getLogicalTypeAnnotation();
    if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation)
      return new Sequence(ofType(listElement(g)));
    if (a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
      throw new IllegalArgumentException(
          "column '" + g.getName() + "': Parquet MAP has no Hugging Face feature");
    }
    return new Struct(fields(g));
  }

  /** The element type of a LIST group, for both the 3-level and the legacy 2-level encodings. */
  static Type listElement(GroupType list) {
    Type repeated = list.getType(0);
    return isThreeLevel(list) ? repeated.asGroupType().getType(0) : repeated;
  }

  /** True when the repeated child is the standard wrapper group around a single element. */
  static boolean isThreeLevel(GroupType list) {
    Type repeated = list.getType(0);
    if (repeated.isPrimitive()) return false;
    GroupType r = repeated.asGroupType();
    String name = r.getName();
    // name == list.getName() + "_tuple", without building that string for every list read
    boolean tuple =
        name.length() == list.getName().length() + 6
            && name.startsWith(list.getName())
            && name.endsWith("_tuple");
    return r.getFieldCount() == 1 && !name.equals("array") && !tuple;
  }

  private static String dtype(PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return "bool";
      case INT32:
        if (a instanceof IntLogicalTypeAnnotation i) {
          return (i.isSigned() ? "int" : "uint") + i.getBitWidth();
        }
        return "int32";
      case INT64:
        if (a instanceof IntLogicalTypeAnnotation i) return i.isSigned() ? "int64" : "uint64";
        if (a instanceof TimestampLogicalTypeAnnotation ts) {
          // Arrow reads an instant (adjusted to UTC) without ARROW:schema as zone UTC
          return "timestamp[" + unit(ts) + (ts.isAdjustedToUTC() ? ", tz=UTC" : "") + "]";
        }
        return "int64";
      case INT96:
        return "timestamp[ns]"; // legacy Impala/Spark timestamps; pyarrow reads them as ns
      case FLOAT:
        return "float32";
      case DOUBLE:
        return "float64";
      default: // BINARY, FIXED_LEN_BYTE_ARRAY
        boolean text =
            a instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                || a instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation;
        return text ? "string" : "binary";
    }
  }

  static String unit(TimestampLogicalTypeAnnotation ts) {
    return switch (ts.getUnit()) {
      case MILLIS -> "ms";
      case MICROS -> "us";
      case NANOS -> "ns";
    };
  }
}
