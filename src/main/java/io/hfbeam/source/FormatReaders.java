package io.hfbeam.source;

import java.util.List;

/** The reader of each packaged builder hf-beam supports. */
public final class FormatReaders {
  private FormatReaders() {}

  /** The builders {@link #forBuilder} knows. */
  public static final List<String> SUPPORTED = List.of("parquet");

  /** The reader of a builder; one line naming the supported ones for another. */
  public static FormatReader forBuilder(String builder) {
    return switch (builder) {
      case "parquet" -> ParquetReader.INSTANCE;
      default ->
          throw new IllegalArgumentException(
              "datasets reads this config with its '"
                  + builder
                  + "' builder, which hf-beam does not read; it reads "
                  + String.join(", ", SUPPORTED));
    };
  }
}
