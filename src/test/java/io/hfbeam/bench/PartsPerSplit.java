package io.hfbeam.bench;

import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.PartFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * The plain loops' emitter: one part per split under {@code dir} (named after the split), opened on
 * its first record, with the rows written per split; failures are counted, not written.
 */
final class PartsPerSplit<T> implements ChunkProcessor.Emitter<T> {
  private final PartFormat<T> format;
  private final Path dir;
  private final Map<String, PartFormat.Writer<T>> writers = new LinkedHashMap<>();
  final Map<String, Long> rows = new LinkedHashMap<>();
  long records;
  long failures;

  PartsPerSplit(PartFormat<T> format, Path dir) {
    this.format = format;
    this.dir = dir;
  }

  @Override
  public void record(String split, T record) {
    try {
      PartFormat.Writer<T> w = writers.get(split);
      if (w == null) {
        w = format.open(dir.resolve(split));
        writers.put(split, w);
      }
      w.write(record);
      rows.merge(split, 1L, Long::sum);
      records++;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void failure(Row failure) {
    failures++;
  }

  void close() throws IOException {
    for (PartFormat.Writer<T> w : writers.values()) w.close();
  }
}
