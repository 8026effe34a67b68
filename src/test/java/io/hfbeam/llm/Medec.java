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

  /** Finds shared/data/medec by walking up from the working directory; fails loudly if absent. */
  static Path csv() {
    String override = System.getProperty("hfbeam.shared");
    if (override != null) {
      return Path.of(override, "data", "medec", CSV);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path c = p.resolve("shared").resolve("data").resolve("medec").resolve(CSV);
      if (Files.isRegularFile(c)) {
        return c;
      }
    }
    throw new AssertionError(
        "shared/data/medec/" + CSV + " not found above " + Path.of("").toAbsolutePath());
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
