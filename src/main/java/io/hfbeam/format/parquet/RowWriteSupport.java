package io.hfbeam.format.parquet;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import io.hfbeam.hf.Features;
import io.hfbeam.hf.Timestamps;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;

/**
 * Writes Beam rows straight to a {@link RecordConsumer} following {@link Features#parquetSchema()}.
 * The only footer metadata is the {@code huggingface} entry, so equal rows give byte-identical
 * files.
 */
final class RowWriteSupport extends WriteSupport<Row> {
  static final String HF_KEY = "huggingface";

  private final Features features;
  private final LinkedHashMap<String, Feature> fields;
  private RecordConsumer out;

  RowWriteSupport(Features features) {
    this.features = features;
    this.fields = features.asMap();
  }

  @Override
  public WriteContext init(Configuration configuration) {
    return new WriteContext(
        features.parquetSchema(), Map.of(HF_KEY, features.huggingfaceMetadata()));
  }

  @Override
  public void prepareForWrite(RecordConsumer recordConsumer) {
    this.out = recordConsumer;
  }

  @Override
  public void write(Row row) {
    out.startMessage();
    writeFields(row, fields);
    out.endMessage();
  }

  private void writeFields(Row row, LinkedHashMap<String, Feature> fs) {
    int i = 0;
    for (Map.Entry<String, Feature> e : fs.entrySet()) {
      Object v = row.getValue(e.getKey());
      if (v != null) {
        out.startField(e.getKey(), i);
        writeValue(v, e.getValue(), e.getKey());
        out.endField(e.getKey(), i);
      }
      i++;
    }
  }

  private void writeValue(Object v, Feature f, String path) {
    f = Feature.storageOf(f);
    if (f instanceof Value val) {
      writeScalar(v, val);
    } else if (f instanceof ClassLabel) {
      out.addLong(((Number) v).longValue());
    } else if (f instanceof Sequence s) {
      writeList((Collection<?>) v, s.feature(), path);
    } else if (f instanceof ArrayND a) {
      writeList((Collection<?>) v, a.element(), path);
    } else {
      out.startGroup();
      writeFields((Row) v, ((Struct) f).fields());
      out.endGroup();
    }
  }

  /**
   * 3-level list: group (LIST) { repeated group list { optional element } }; a null element is an
   * empty group.
   */
  private void writeList(Collection<?> items, Feature element, String path) {
    out.startGroup();
    if (!items.isEmpty()) {
      out.startField("list", 0);
      for (Object item : items) {
        out.startGroup();
        if (item != null) {
          out.startField("element", 0);
          writeValue(item, element, path + "[]");
          out.endField("element", 0);
        }
        out.endGroup();
      }
      out.endField("list", 0);
    }
    out.endGroup();
  }

  private void writeScalar(Object v, Value f) {
    if (f.isTimestamp()) {
      // s and ms are both stored as milliseconds (Parquet has no seconds unit, see ParquetMapping)
      String unit = f.timestampUnit().equals("s") ? "ms" : f.timestampUnit();
      try {
        out.addLong(Timestamps.toEpoch(v, unit));
      } catch (ArithmeticException e) {
        throw new IllegalArgumentException(
            "timestamp " + v + " does not fit an int64 of " + unit + " (" + f.dtype() + ")");
      }
      return;
    }
    switch (f.dtype()) {
      case "bool" -> out.addBoolean((Boolean) v);
      case "int8", "int16", "int32", "uint8", "uint16", "uint32" ->
          out.addInteger(((Number) v).intValue());
      case "int64", "uint64" -> out.addLong(((Number) v).longValue());
      case "float16", "float32" -> out.addFloat(((Number) v).floatValue());
      case "float64" -> out.addDouble(((Number) v).doubleValue());
      case "string", "large_string" -> out.addBinary(Binary.fromString((String) v));
      case "binary" -> out.addBinary(Binary.fromConstantByteArray((byte[]) v));
      default -> throw new IllegalArgumentException("cannot write dtype " + f.dtype());
    }
  }
}
