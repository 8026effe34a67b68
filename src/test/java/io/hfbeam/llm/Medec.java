package io.hfbeam.llm;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The real MEDEC CSV from shared/ (beside the checkout, in CI too), read as published. */
final class Medec {
  static final String CSV = "MEDEC-MS-ValidationSet-with-GroundTruth-and-ErrorType.csv";

  private Medec() {}

  /**
   * The copy in the test resources (CC BY 4.0, see samples/medec/SOURCES.md), so a fresh clone has
   * it; fails loudly if absent.
   */
  static Path csv() {
    Path c = Path.of("samples", "medec", CSV).toAbsolutePath();
    if (!Files.isRegularFile(c)) throw new AssertionError(c + " not found");
    return c;
  }

  static List<Map<String, String>> rows() throws IOException {
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<Map<String, String>> it =
        mapper
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv().toFile())) {
      return new ArrayList<>(it.readAll());
    }
  }

  static List<String> header() throws IOException {
    CsvMapper mapper = new CsvMapper();
    try (MappingIterator<List<String>> it =
        mapper
            .readerForListOf(String.class)
            .with(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
            .readValues(csv().toFile())) {
      return it.next();
    }
  }
}
