package io.hfbeam.workflow.bench;

import io.hfbeam.io.ChunkProcessor;
import io.hfbeam.io.InputFiles;
import io.hfbeam.io.JsonSource;
import io.hfbeam.io.PartFormat;
import io.hfbeam.io.RowPartFormat;
import io.hfbeam.transform.FieldMapping;
import io.hfbeam.transform.MapRecords;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;

/**
 * The no-Beam limit for the qa-export benchmark: the same JSON-lines reader, field mapping and JSONL writer as
 * qa-export, in one plain loop on one thread (one output file per split, failures counted, not written).
 *
 * <p>Usage: {@code java -cp target/hfbeam.jar io.hfbeam.workflow.bench.QaPlainLoop MAPPING.yaml OUT_DIR FILE...}
 */
public final class QaPlainLoop {
  private QaPlainLoop() {}

  public static void main(String[] args) throws IOException {
    FieldMapping mapping = FieldMapping.load(Path.of(args[0]));
    Path out = Path.of(args[1]);
    List<Path> files = new ArrayList<>();
    for (int i = 2; i < args.length; i++) files.add(Path.of(args[i]));
    Files.createDirectories(out);
    RowPartFormat format = new RowPartFormat(mapping.features(), null, true);
    MapRecords map = new MapRecords(JsonSource.jsonLines(), mapping, null);
    Map<String, PartFormat.Writer<Row>> writers = new LinkedHashMap<>();
    long[] n = {0, 0};
    long bytes = 0;
    long t0 = System.nanoTime();
    for (InputFiles.Chunk chunk : InputFiles.chunks(files, 32L << 20)) {
      bytes += chunk.end() - chunk.start();
      map.process(chunk, new ChunkProcessor.Emitter<>() {
        @Override
        public void record(String split, Row row) {
          try {
            PartFormat.Writer<Row> w = writers.get(split);
            if (w == null) {
              w = format.open(out.resolve(split));
              writers.put(split, w);
            }
            w.write(row);
            n[0]++;
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }

        @Override
        public void failure(Row failure) {
          n[1]++;
        }
      });
    }
    for (PartFormat.Writer<Row> w : writers.values()) w.close();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("%,d records (%,d failed), %,d bytes in %.2f s: %,.0f records/s, %.1f MB/s%n", n[0], n[1], bytes,
        secs, n[0] / secs, bytes / secs / 1e6);
  }
}
