package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Features;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;

/**
 * The rows of one stage of a checkpoint set, in order: its data files by name (the shard names sort
 * in write order), each file's rows as written. Streams a row group at a time (HfParquetReader).
 */
final class StageData implements Iterator<StageData.StageRow>, Closeable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A row with where it is: the data file (relative to the stage) and its 0-based row there. */
  record StageRow(String file, long index, Row row, Features features) {
    /** The row as a JSON tree of the stage's features (what StageRows reads). */
    JsonNode json() {
      try {
        return JSON.readTree(JsonlRowWriter.toJsonLine(row, features));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return file + " row " + index;
    }
  }

  private final Path stageDir;
  private final List<Path> files;
  private int fileIndex = -1;
  private HfParquetReader reader;
  private long index;
  private final Features features;

  private StageData(Path stageDir, List<Path> files) throws IOException {
    this.stageDir = stageDir;
    this.files = files;
    if (files.isEmpty()) throw new IOException(stageDir + ": no data files under data/");
    try (HfParquetReader r = HfParquetReader.open(files.get(0))) {
      this.features = r.features();
    }
  }

  /** Opens a complete stage's rows; a stage without data files is refused. */
  static StageData open(Path root, String stage) throws IOException {
    Path dir = CheckpointLayout.stageDir(root, stage);
    return new StageData(dir, dataFiles(dir));
  }

  /** The stage's Parquet data files in name order. */
  static List<Path> dataFiles(Path stageDir) throws IOException {
    Path data = stageDir.resolve("data");
    if (!Files.isDirectory(data)) return List.of();
    try (Stream<Path> s = Files.list(data)) {
      List<Path> out =
          new ArrayList<>(
              s.filter(p -> p.getFileName().toString().endsWith(".parquet"))
                  .filter(Files::isRegularFile)
                  .sorted()
                  .toList());
      return out;
    }
  }

  Features features() {
    return features;
  }

  @Override
  public boolean hasNext() {
    try {
      while (reader == null || !reader.hasNext()) {
        if (reader != null) reader.close();
        reader = null;
        if (++fileIndex >= files.size()) return false;
        reader = HfParquetReader.open(files.get(fileIndex));
        if (!reader.features().equals(features)) {
          throw new IOException(
              files.get(fileIndex) + ": features differ from the stage's first data file");
        }
        index = 0;
      }
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public StageRow next() {
    if (!hasNext()) throw new NoSuchElementException();
    try {
      String rel = stageDir.relativize(files.get(fileIndex)).toString().replace('\\', '/');
      return new StageRow(rel, index++, reader.next(), features);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws IOException {
    if (reader != null) reader.close();
    reader = null;
  }
}
