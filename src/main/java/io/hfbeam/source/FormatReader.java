package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the data files of one {@code datasets} packaged builder ({@code parquet}, {@code json},
 * {@code csv}, {@code text}) into Beam rows of the config's features, as {@code load_dataset}
 * would. Stateless and serializable: one instance plans on the launcher and reads on the workers.
 */
public interface FormatReader extends Serializable {

  /**
   * The features of a config whose card declares none, taken or inferred from its files the way
   * {@code datasets} does it (Parquet: the {@code huggingface} metadata or the schema of the first
   * file; JSON and CSV: inferred from the first file's first block).
   *
   * @param kwargs the config's builder kwargs ({@code sep}, {@code field}, ...)
   */
  Features features(DatasetFiles files, List<DataFile> dataFiles, Map<String, JsonNode> kwargs)
      throws IOException;

  /**
   * Splits one file into units. Compressed files are whole-file units.
   *
   * @param firstOrder the order number of the file's first unit
   * @param unitBytes the byte-range size to aim at
   * @param kwargs the config's builder kwargs (a JSON {@code field} or text read by paragraph
   *     cannot be split)
   */
  List<ReadUnit> plan(
      DatasetFiles files,
      DataFile file,
      long firstOrder,
      long unitBytes,
      Map<String, JsonNode> kwargs)
      throws IOException;

  /**
   * Reads one unit. A record that does not fit the features is a located failure on the sink and
   * the reader goes on; an error that stops the unit (unreadable file, network) is thrown.
   *
   * @param columns the columns to read, or empty for all
   */
  void read(
      DatasetFiles files,
      ReadUnit unit,
      Features features,
      Map<String, JsonNode> kwargs,
      List<String> columns,
      RowSink sink)
      throws IOException;

  /** The row count of a file when its format states it without reading the data (Parquet). */
  default Optional<Long> rowCount(DatasetFiles files, DataFile file) throws IOException {
    return Optional.empty();
  }
}
