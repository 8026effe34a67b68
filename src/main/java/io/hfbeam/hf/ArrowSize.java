package io.hfbeam.hf;

import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.ClassLabel;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Struct;
import io.hfbeam.hf.Feature.Value;
import java.util.Collection;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * Uncompressed Arrow size of rows, the number datasets reports as {@code num_bytes}: fixed widths,
 * variable-size values as data + 4-byte offset, lists as 4-byte offset + elements, plus one
 * validity bit per value. Counted in bits so that booleans and validity add up exactly before
 * rounding.
 */
final class ArrowSize {
  private ArrowSize() {}

  static long rowBytes(Row row, Map<String, Feature> fields) {
    return (structBits(row, fields) + 7) / 8;
  }

  private static long structBits(Row row, Map<String, Feature> fields) {
    long bits = 0;
    for (Map.Entry<String, Feature> e : fields.entrySet()) {
      bits += bits(row == null ? null : row.getValue(e.getKey()), e.getValue());
    }
    return bits;
  }

  private static long bits(Object v, Feature f) {
    f = Feature.storageOf(f);
    long validity = 1;
    if (f instanceof Value val) {
      return validity + valueBits(v, val.dtype());
    }
    if (f instanceof ClassLabel) return validity + 64;
    if (f instanceof Sequence || f instanceof ArrayND) {
      Feature element = f instanceof Sequence s ? s.feature() : ((ArrayND) f).element();
      long bits = validity + 32;
      if (v != null) {
        for (Object item : (Collection<?>) v) bits += bits(item, element);
      }
      return bits;
    }
    // A null struct still occupies its children's slots in Arrow.
    return validity + structBits((Row) v, ((Struct) f).fields());
  }

  private static long valueBits(Object v, String dtype) {
    return switch (dtype) {
      case "bool" -> 1;
      case "int8", "uint8" -> 8;
      case "int16", "uint16", "float16" -> 16;
      case "int32", "uint32", "float32" -> 32;
      case "string", "large_string" -> 32 + (v == null ? 0 : 8L * utf8Length((String) v));
      case "binary" -> 32 + (v == null ? 0 : 8L * ((byte[]) v).length);
      default -> 64; // int64, uint64, float64, timestamps
    };
  }

  static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
