package io.hfbeam.source;

import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.util.LinkedHashMap;
import java.util.List;

/** The {@link FormatReader} of each {@code datasets} packaged builder hf-beam reads. */
public final class FormatReaders {
  private FormatReaders() {}

  /** The builders {@link #forBuilder} knows. */
  public static final List<String> SUPPORTED = List.of("parquet", "json", "csv", "text");

  /**
   * The reader of a builder name as {@code DatasetLayout} gives it.
   *
   * @throws IllegalArgumentException for a builder hf-beam does not read, naming those it does
   */
  public static FormatReader forBuilder(String builder) {
    return switch (builder) {
      case "json" -> JsonReader.INSTANCE;
      case "csv" -> CsvReader.INSTANCE;
      case "text" -> TextReader.INSTANCE;
      case "parquet" -> ParquetReader.INSTANCE;
      default ->
          throw new IllegalArgumentException(
              "datasets reads this config with its '"
                  + builder
                  + "' builder, which hf-beam does not read; it reads "
                  + String.join(", ", SUPPORTED));
    };
  }

  /**
   * The features a read gives: all of them, or the named columns in the order asked for.
   *
   * @throws IllegalArgumentException for a column that is not a feature, naming those that are
   */
  public static Features select(Features features, List<String> columns) {
    if (columns == null || columns.isEmpty()) return features;
    LinkedHashMap<String, Feature> out = new LinkedHashMap<>();
    for (String c : columns) {
      Feature f = features.get(c);
      if (f == null) {
        throw new IllegalArgumentException(
            "column '" + c + "' is not in the dataset; its columns are " + features.names());
      }
      out.put(c, f);
    }
    return Features.of(out);
  }
}
