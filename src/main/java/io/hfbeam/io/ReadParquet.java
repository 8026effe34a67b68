package io.hfbeam.io;

import io.hfbeam.hf.Features;
import io.hfbeam.runner.Progress;
import io.hfbeam.transform.RecordKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/** Reads Parquet files (ours, pyarrow's, DuckDB's, datasets') as Rows of their features, keyed by row index. */
public final class ReadParquet extends PTransform<PBegin, PCollection<KV<RecordKey, Row>>> {
  private final List<String> files;
  private final String featuresJson;

  private ReadParquet(List<String> files, Features features) {
    this.files = files;
    this.featuresJson = features.toJson();
  }

  /** {@code features}: what the files hold (all files must share it), e.g. from {@link #features(Path)}. */
  public static ReadParquet of(List<Path> files, Features features) {
    return new ReadParquet(files.stream().map(Path::toString).toList(), features);
  }

  public static Features features(Path file) {
    try (HfParquetReader r = HfParquetReader.open(file)) {
      return r.features();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read Parquet " + file + ": " + e.getMessage());
    }
  }

  @Override
  public PCollection<KV<RecordKey, Row>> expand(PBegin input) {
    List<InputFiles.Chunk> chunks = IntStream.range(0, files.size())
        .mapToObj(i -> new InputFiles.Chunk(files.get(i), i, 0, 0, -1, true)).toList();
    Features features = Features.fromJson(featuresJson);
    return input
        .apply("PlanFiles", Create.of(chunks).withCoder(SerializableCoder.of(InputFiles.Chunk.class)))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("ReadRows", ParDo.of(new ReadFn()))
        .setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(features.beamSchema())));
  }

  static final class ReadFn extends DoFn<InputFiles.Chunk, KV<RecordKey, Row>> {
    private final Counter records = Metrics.counter("read", "records_in");
    private final Counter bytes = Metrics.counter("read", "bytes_in");

    @ProcessElement
    public void process(@Element InputFiles.Chunk chunk, OutputReceiver<KV<RecordKey, Row>> out) throws IOException {
      Path file = Path.of(chunk.path());
      long i = 0;
      try (HfParquetReader r = HfParquetReader.open(file)) {
        while (r.hasNext()) {
          out.output(KV.of(RecordKey.of(chunk.id(), i++), r.next()));
          records.inc();
        }
      }
      Progress.addRecords(i);
      long size = Files.size(file);
      bytes.inc(size);
      Progress.addBytes(size);
    }
  }
}
