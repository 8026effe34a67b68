package io.hfbeam.io;

import io.hfbeam.hf.Features;
import io.hfbeam.transform.Split;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/** Reads a Parquet file (ours, pyarrow's, DuckDB's) as Rows of its features and assigns each a split. */
public final class ParquetRows implements ChunkProcessor<Row> {
  private final String featuresJson;
  private final Split.Settings split;

  public ParquetRows(Features features, Split.Settings split) {
    this.featuresJson = features.toJson();
    this.split = split;
  }

  /** The features a Parquet file holds (from its `huggingface` metadata, else its schema). */
  public static Features features(Path file) {
    try (HfParquetReader r = HfParquetReader.open(file)) {
      return r.features();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read Parquet " + file + ": " + e.getMessage());
    }
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<Row> out) throws IOException {
    Counter in = Metrics.counter("read", "records_in");
    Path file = chunk.file();
    Split.Assigner assigner = split.assigner(Features.fromJson(featuresJson).beamSchema());
    String name = file.getFileName().toString();
    try (HfParquetReader r = HfParquetReader.open(file)) {
      if (!r.features().equals(Features.fromJson(featuresJson))) {
        throw new IOException(file + " has features " + r.features().toJson() + ", expected " + featuresJson);
      }
      long i = 0;
      while (r.hasNext()) {
        Row row = r.next();
        in.inc();
        out.record(assigner.assign(row, name + ":" + i++), row);
      }
    }
    return 0;
  }
}
