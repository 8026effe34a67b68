package io.hfbeam.format.parquet.tensor;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Feature.ArrayND;
import io.hfbeam.hf.Feature.Sequence;
import io.hfbeam.hf.Feature.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The fixed shape and dtype of one column as the tensor writer sees it: a scalar {@code Value} has
 * no dimensions, a fixed-length Sequence (possibly nested) or an ArrayND with a fixed first
 * dimension has one per list level. Because every cell holds exactly {@link #cellValues()} values,
 * its repetition levels are one constant pattern, computed here once.
 */
record TensorShape(String name, int[] dims, String dtype) {
  private static final Set<String> TENSOR_DTYPES =
      Set.of("int8", "int16", "int32", "int64", "uint8", "float32", "float64");
  private static final Set<String> SCALAR_DTYPES =
      Set.of("bool", "int8", "int16", "int32", "int64", "uint8", "float32", "float64", "string");

  static TensorShape of(String name, Feature f) {
    List<Integer> dims = new ArrayList<>();
    Feature inner = f;
    while (true) {
      if (inner instanceof Sequence s) {
        if (s.length() < 1) throw unsupported(name, f, "Sequence needs a fixed length >= 1");
        dims.add(s.length());
        inner = s.feature();
      } else if (inner instanceof ArrayND a) {
        if (a.shape().get(0) == null)
          throw unsupported(name, f, "the first ArrayND dimension must be fixed");
        dims.addAll(a.shape());
        inner = new Value(a.dtype());
      } else {
        break;
      }
    }
    if (!(inner instanceof Value v)) throw unsupported(name, f, "elements must be a Value");
    Set<String> allowed = dims.isEmpty() ? SCALAR_DTYPES : TENSOR_DTYPES;
    if (!allowed.contains(v.dtype()))
      throw unsupported(name, f, "dtype " + v.dtype() + " is not one of " + allowed);
    return new TensorShape(name, dims.stream().mapToInt(Integer::intValue).toArray(), v.dtype());
  }

  private static IllegalArgumentException unsupported(String name, Feature f, String why) {
    return new IllegalArgumentException(
        "column '" + name + "' (" + f + ") is not supported by TensorParquetWriter: " + why);
  }

  boolean scalar() {
    return dims.length == 0;
  }

  int cellValues() {
    int n = 1;
    for (int d : dims) n = Math.multiplyExact(n, d);
    return n;
  }

  /** Every list level adds a repeated and an optional element level below the optional column. */
  int maxDefinitionLevel() {
    return 1 + 2 * dims.length;
  }

  int maxRepetitionLevel() {
    return dims.length;
  }

  /**
   * Repetition levels of one full cell, row-major: 0 starts the row, otherwise the outermost list
   * level whose index advances at this value.
   */
  int[] repetitionLevels() {
    int n = cellValues();
    int[] strides = new int[dims.length];
    int s = 1;
    for (int j = dims.length - 1; j >= 0; j--) {
      strides[j] = s;
      s *= dims[j];
    }
    int[] levels = new int[n];
    for (int i = 1; i < n; i++) {
      int level = dims.length;
      for (int j = 1; j < dims.length; j++) {
        if (i % strides[j - 1] == 0) {
          level = j;
          break;
        }
      }
      levels[i] = level;
    }
    return levels;
  }
}
