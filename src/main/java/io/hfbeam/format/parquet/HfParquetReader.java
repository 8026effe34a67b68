package io.hfbeam.format.parquet;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.Timestamps;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Reads any Parquet file (ours, pyarrow, DuckDB, datasets) as Beam rows of {@link #features()}.
 * Streams one row group at a time, so memory is bounded by the largest row group.
 */
public final class HfParquetReader implements Closeable {
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private final ParquetFileReader file;
  private final MessageType parquet;
  private final Features features;
  private final LinkedHashMap<String, Feature> fields; // taken once: asMap() copies
  private final Schema schema;
  private final long rowCount;
  private RecordReader<Group> records;
  private long leftInGroup;

  private HfParquetReader(ParquetFileReader file) {
    this.file = file;
    this.parquet = file.getFooter().getFileMetaData().getSchema();
    this.features =
        resolveFeatures(parquet, file.getFooter().getFileMetaData().getKeyValueMetaData());
    this.fields = features.asMap();
    this.schema = features.beamSchema();
    this.rowCount = file.getRecordCount();
  }

  public static HfParquetReader open(Path path) throws IOException {
    return new HfParquetReader(ParquetFileReader.open(LocalFiles.input(path)));
  }

  /**
   * From the {@code huggingface} entry when it parses and names exactly the file's columns;
   * otherwise derived from the Parquet schema. Image, Audio, Translation and Json features are kept
   * (they read as their storage types); falling back (instead of failing) matters for datasets
   * files that use features we do not model (Video, Pdf, Mesh, Nifti): the columns still read with
   * their storage types.
   */
  static Features resolveFeatures(MessageType parquet, Map<String, String> kv) {
    Features derived = Features.of(ParquetFeatures.of(parquet));
    String hf = kv.get(RowWriteSupport.HF_KEY);
    if (hf == null) return derived;
    try {
      Features declared = Features.fromJson(hf.isBlank() ? "{}" : extractFeatures(hf));
      return declared.names().equals(derived.names()) ? declared : derived;
    } catch (IllegalArgumentException e) {
      return derived;
    }
  }

  private static String extractFeatures(String hfJson) {
    try {
      var node =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(hfJson)
              .path("info")
              .path("features");
      if (node.isMissingNode())
        throw new IllegalArgumentException("no info.features in huggingface metadata");
      return node.toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("huggingface metadata is not JSON", e);
    }
  }

  public Features features() {
    return features;
  }

  /** Number of rows, from the footer. */
  public long rowCount() {
    return rowCount;
  }

  public boolean hasNext() throws IOException {
    while (leftInGroup == 0) {
      PageReadStore pages = file.readNextRowGroup();
      if (pages == null) return false;
      MessageColumnIO io = new ColumnIOFactory().getColumnIO(parquet);
      records = io.getRecordReader(pages, new GroupRecordConverter(parquet));
      leftInGroup = pages.getRowCount();
    }
    return true;
  }

  public Row next() throws IOException {
    if (!hasNext()) throw new NoSuchElementException();
    leftInGroup--;
    return toRow(records.read(), fields, schema);
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  /**
   * One record as a row of {@code schema} (the Beam schema of {@code fields}, in their order). The
   * values are attached without Beam's per-row verification, which cost more than the decoding:
   * every scalar is checked against its field's type here instead ({@link #checked}), lists and
   * nested rows are built to their schema, and every field is nullable.
   */
  static Row toRow(Group g, LinkedHashMap<String, Feature> fields, Schema schema) {
    List<Object> values = new ArrayList<>(fields.size());
    GroupType type = g.getType();
    int i = 0;
    for (Map.Entry<String, Feature> e : fields.entrySet()) {
      int idx = type.getFieldIndex(e.getKey());
      Type t = type.getType(idx);
      Feature f = e.getValue();
      FieldType ft = schema.getField(i++).getType();
      if (t.isRepetition(Type.Repetition.REPEATED)) {
        // legacy un-annotated repeated field: the repetitions are the list
        values.add(repeated(g, idx, t, elementOf(f), ft.getCollectionElementType()));
      } else {
        values.add(g.getFieldRepetitionCount(idx) == 0 ? null : value(g, idx, 0, t, f, ft));
      }
    }
    return Row.withSchema(schema).attachValues(values);
  }

  private static List<Object> repeated(
      Group g, int idx, Type t, Feature element, FieldType elementType) {
    List<Object> out = new ArrayList<>();
    for (int j = 0; j < g.getFieldRepetitionCount(idx); j++)
      out.add(value(g, idx, j, t, element, elementType));
    return out;
  }

  private static Feature elementOf(Feature f) {
    f = Feature.storageOf(f);
    if (f instanceof Sequence s) return s.feature();
    if (f instanceof ArrayND a) return a.element();
    throw new IllegalArgumentException("a repeated Parquet column needs a list feature, got " + f);
  }

  private static Object value(Group g, int idx, int rep, Type t, Feature f, FieldType ft) {
    f = Feature.storageOf(f);
    if (f instanceof Sequence || f instanceof ArrayND) {
      return list(
          g.getGroup(idx, rep), t.asGroupType(), elementOf(f), ft.getCollectionElementType());
    }
    if (f instanceof Struct st) {
      return toRow(g.getGroup(idx, rep), st.fields(), ft.getRowSchema());
    }
    return checked(scalar(g, idx, rep, t.asPrimitiveType(), f), ft, t.asPrimitiveType());
  }

  /**
   * The value when it is of the Java type that {@code ft} holds in a Row, else the mismatch (a file
   * whose features say float64 over a FLOAT column): what Beam's verification would refuse.
   */
  private static Object checked(Object v, FieldType ft, PrimitiveType p) {
    boolean ok =
        switch (ft.getTypeName()) {
          case BOOLEAN -> v instanceof Boolean;
          case BYTE -> v instanceof Byte;
          case INT16 -> v instanceof Short;
          case INT32 -> v instanceof Integer;
          case INT64 -> v instanceof Long;
          case FLOAT -> v instanceof Float;
          case DOUBLE -> v instanceof Double;
          case STRING -> v instanceof String;
          case BYTES -> v instanceof byte[];
          case DATETIME -> v instanceof org.joda.time.ReadableInstant;
          // the timestamp[us]/[ns] logical types hold java.time instants
          case LOGICAL_TYPE -> v instanceof java.time.Instant;
          default -> false;
        };
    if (!ok) {
      throw new IllegalArgumentException(
          "column '" + p.getName() + "' (" + p + ") cannot be read as " + ft.getTypeName());
    }
    return v;
  }

  private static List<Object> list(Group list, GroupType listType, Feature element, FieldType ft) {
    List<Object> out = new ArrayList<>();
    int n = list.getFieldRepetitionCount(0);
    if (ParquetFeatures.isThreeLevel(listType)) {
      Type elementType = listType.getType(0).asGroupType().getType(0);
      for (int j = 0; j < n; j++) {
        Group wrapper = list.getGroup(0, j);
        out.add(
            wrapper.getFieldRepetitionCount(0) == 0
                ? null
                : value(wrapper, 0, 0, elementType, element, ft));
      }
    } else {
      Type elementType = listType.getType(0);
      for (int j = 0; j < n; j++) out.add(value(list, 0, j, elementType, element, ft));
    }
    return out;
  }

  /** Reads the physical value and converts it to the Java type the feature's Beam field expects. */
  private static Object scalar(Group g, int idx, int rep, PrimitiveType p, Feature f) {
    String dtype = f instanceof ClassLabel ? "int64" : ((Value) f).dtype();
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return g.getBoolean(idx, rep);
      case INT32:
        {
          int v = g.getInteger(idx, rep);
          return switch (dtype) {
            case "int8" -> (byte) v;
            case "int16", "uint8" -> (short) v;
            case "int32", "uint16" -> v;
            case "uint32" -> Integer.toUnsignedLong(v);
            case "int64", "uint64" -> (long) v;
            default -> throw mismatch(p, dtype);
          };
        }
      case INT64:
        {
          long v = g.getLong(idx, rep);
          if (dtype.startsWith("timestamp[")) return timestamp(v, p, dtype);
          if (dtype.equals("uint64") && v < 0) {
            // Beam has no unsigned 64-bit type: a value past int64 fails instead of wrapping
            throw new IllegalArgumentException(
                "column '"
                    + p.getName()
                    + "': uint64 value "
                    + Long.toUnsignedString(v)
                    + " is above 9223372036854775807, which Beam INT64 cannot hold");
          }
          if (dtype.equals("int64") || dtype.equals("uint64") || dtype.equals("uint32")) return v;
          throw mismatch(p, dtype);
        }
      case INT96:
        return int96(g.getInt96(idx, rep).getBytes(), p, dtype);
      case FLOAT:
        return g.getFloat(idx, rep);
      case DOUBLE:
        return g.getDouble(idx, rep);
      default:
        return dtype.equals("binary")
            ? g.getBinary(idx, rep).getBytes()
            : g.getBinary(idx, rep).toStringUsingUTF8();
    }
  }

  /**
   * The column's own unit wins over the feature's (timestamp[s] is stored as ms, see
   * ParquetMapping); the value is exact in the feature's unit or fails (see hf.Timestamps).
   */
  private static Object timestamp(long v, PrimitiveType p, String dtype) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    String unit =
        a instanceof TimestampLogicalTypeAnnotation ts
            ? ParquetFeatures.unit(ts)
            : Value.timestampUnit(dtype);
    try {
      return Timestamps.value(v, unit, dtype);
    } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "column '" + p.getName() + "': timestamp " + v + " " + unit + ": " + e.getMessage());
    }
  }

  /** A legacy INT96 timestamp (nanoseconds of the day, then the Julian day; little-endian). */
  private static Object int96(byte[] b, PrimitiveType p, String dtype) {
    if (!dtype.startsWith("timestamp[")) throw mismatch(p, dtype);
    ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    long nanosOfDay = buf.getLong();
    long julianDay = buf.getInt() & 0xffffffffL;
    try {
      // seconds first: days * ns per day leaves int64 outside 1677..2262
      java.time.Instant t =
          java.time.Instant.ofEpochSecond(
              Math.multiplyExact(julianDay - JULIAN_EPOCH_DAY, 86_400L), nanosOfDay);
      return Timestamps.value(t, dtype);
    } catch (IllegalArgumentException | java.time.DateTimeException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "column '"
              + p.getName()
              + "': INT96 timestamp (day "
              + julianDay
              + ", "
              + nanosOfDay
              + " ns): "
              + e.getMessage());
    }
  }

  private static IllegalArgumentException mismatch(PrimitiveType p, String dtype) {
    return new IllegalArgumentException(
        "column '" + p.getName() + "' (" + p + ") cannot be read as " + dtype);
  }
}
