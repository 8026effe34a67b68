package io.hfbeam.source;

import io.hfbeam.hf.Feature;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What pandas' {@code read_csv} makes of a cell's text with its default options: the missing-value
 * spellings ({@code keep_default_na}), its bools, ints and floats, and the dtype of a column from
 * its cells (ints -> int64, ints with a missing cell -> float64, numbers -> float64, bools -> bool,
 * all missing -> float64, else string), which {@code pa.Table.from_pandas} keeps.
 */
final class CsvTypes {
  private CsvTypes() {}

  /** pandas' default NA values (pandas 2.x {@code STR_NA_VALUES}). */
  static final Set<String> NA =
      Set.of(
          "",
          "#N/A",
          "#N/A N/A",
          "#NA",
          "-1.#IND",
          "-1.#QNAN",
          "-NaN",
          "-nan",
          "1.#IND",
          "1.#QNAN",
          "<NA>",
          "N/A",
          "NA",
          "NULL",
          "NaN",
          "None",
          "n/a",
          "nan",
          "null");

  private static final Pattern INT = Pattern.compile("\\s*[-+]?\\d+\\s*");
  private static final Pattern FLOAT =
      Pattern.compile("\\s*[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?\\s*");
  private static final Pattern INF = Pattern.compile("\\s*[-+]?(?i:inf|infinity)\\s*");

  static boolean missing(String cell) {
    return cell == null || NA.contains(cell);
  }

  /** pandas' default true/false values, or null. */
  static Boolean bool(String s) {
    return switch (s) {
      case "True", "TRUE", "true" -> Boolean.TRUE;
      case "False", "FALSE", "false" -> Boolean.FALSE;
      default -> null;
    };
  }

  static boolean isInt(String s) {
    return INT.matcher(s).matches();
  }

  /** The number a cell spells as pandas' float parser reads it, or null. */
  static Double number(String s) {
    if (FLOAT.matcher(s).matches()) return Double.parseDouble(s.strip());
    if (INF.matcher(s).matches()) {
      return s.strip().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    return null;
  }

  /** Accumulates one column's cells and gives its dtype the way pandas infers it. */
  static final class Column {
    private boolean allInt = true;
    private boolean allNumber = true;
    private boolean allBool = true;
    private boolean anyMissing;
    private boolean anyValue;

    void add(String cell) {
      if (missing(cell)) {
        anyMissing = true;
        return;
      }
      anyValue = true;
      if (allInt && !(isInt(cell) && fitsLong(cell))) allInt = false;
      if (allNumber && number(cell) == null) allNumber = false;
      if (allBool && bool(cell) == null) allBool = false;
    }

    Feature feature() {
      if (!anyValue) return new Feature.Value("float64");
      if (allInt) return new Feature.Value(anyMissing ? "float64" : "int64");
      if (allNumber) return new Feature.Value("float64");
      if (allBool) return new Feature.Value("bool");
      return new Feature.Value("string");
    }

    private static boolean fitsLong(String cell) {
      try {
        String t = cell.strip();
        Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
        return true;
      } catch (NumberFormatException e) {
        return false;
      }
    }
  }
}
