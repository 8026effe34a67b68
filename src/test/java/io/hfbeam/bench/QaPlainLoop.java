package io.hfbeam.bench;

import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.mapping.MapRecords;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.values.Row;

/**
 * The no-Beam limit for the qa-export benchmark: the same JSON-lines reader, field mapping and
 * JSONL writer as qa-export, in one plain loop on one thread (one output file per split, failures
 * counted, not written).
 *
 * <p>Usage: {@code java -cp target/hfbeam.jar io.hfbeam.workflow.bench.QaPlainLoop MAPPING.yaml
 * OUT_DIR FILE...}
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
    PartsPerSplit<Row> parts = new PartsPerSplit<>(format, out);
    long bytes = 0;
    long t0 = System.nanoTime();
    for (InputFiles.Chunk chunk : InputFiles.chunks(files, 32L << 20)) {
      bytes += chunk.end() - chunk.start();
      map.process(chunk, parts);
    }
    parts.close();
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "%,d records (%,d failed), %,d bytes in %.2f s: %,.0f records/s, %.1f MB/s%n",
        parts.records, parts.failures, bytes, secs, parts.records / secs, bytes / secs / 1e6);
  }
}
