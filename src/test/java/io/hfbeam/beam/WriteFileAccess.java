package io.hfbeam.beam;

import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.values.KV;
import org.joda.time.Instant;

/**
 * The sink's file step called on its own, for io.hfbeam.bench.SortBench: one group of (sort key,
 * encoded row) pairs, handed over as a runner hands a group (here a one-shot iterable that makes
 * its rows as it goes, as Flink batch's comes from its sorted spill), written as one Parquet file.
 */
public final class WriteFileAccess {
  private WriteFileAccess() {}

  public static List<WrittenFile> writeFile(
      Path output,
      Features features,
      ParquetSettings parquet,
      long sortBufferBytes,
      Iterable<KV<String, byte[]>> rows)
      throws IOException {
    HuggingFaceIO.WriteSettings s = HuggingFaceIO.WriteSettings.defaults();
    s.output = output.toAbsolutePath().normalize().toString();
    s.featuresJson = features.toJson();
    s.parquet = parquet;
    s.sortBufferBytes = sortBufferBytes;
    List<WrittenFile> out = new ArrayList<>();
    new HuggingFaceIO.WriteFileFn(s, features.beamSchema())
        .process(
            KV.of(KV.of("train", 0), rows),
            new DoFn.OutputReceiver<WrittenFile>() {
              @Override
              public void output(WrittenFile f) {
                out.add(f);
              }

              @Override
              public void outputWithTimestamp(WrittenFile f, Instant timestamp) {
                out.add(f);
              }
            });
    return out;
  }
}
