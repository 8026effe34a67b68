package io.hfbeam.bench;

import io.hfbeam.beam.WriteFileAccess;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.Row;

/**
 * Heap of the dataset sink's file step (HuggingFaceIO's WriteFileFn) for one file's group: N rows
 * of about B bytes (an id, a number, text of words), in random key order, made as the group is read
 * (as Flink batch hands a group over: a one-shot iterable over its spilled sort), written as one
 * Parquet file. Run it under a small -Xmx to see whether the step fits:
 *
 * <pre>
 *   SortBench BUDGET|none [ROWS [ROW_BYTES [ROW_GROUP_MIB]]]   none: no spill, the group sorted in memory
 * </pre>
 *
 * <p>Prints one RESULT line: rows, spilled runs' total, seconds, the file's bytes, and the peak of
 * the heap pools (garbage included: the -Xmx that fits is the figure to trust).
 */
public final class SortBench {
  private static final String[] WORDS =
      ("the a to of and in is it you that for on with as be can this are or your have not at "
              + "coffee order latte milk sugar size large small python code function bug error list "
              + "sort travel hotel flight paris booking refund price essay poem story blog email "
              + "draft math equation probability triangle integral physics energy cell history war "
              + "empire economy market stock inflation contract law court health sleep assistant user")
          .split(" ");

  public static void main(String[] args) throws IOException {
    long budget = args[0].equals("none") ? Long.MAX_VALUE : Long.parseLong(args[0]);
    int rows = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int rowBytes = args.length > 2 ? Integer.parseInt(args[2]) : 1_500;
    ParquetSettings parquet = ParquetSettings.defaults();
    if (args.length > 3)
      parquet = parquet.toBuilder().rowGroupBytes(Long.parseLong(args[3]) << 20).build();
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("id", new Feature.Value("string"));
    f.put("n", new Feature.Value("int64"));
    f.put("text", new Feature.Value("string"));
    Features features = Features.of(f);
    Schema schema = features.beamSchema();
    SchemaCoder<Row> coder = SchemaCoder.of(schema);
    Iterable<KV<String, byte[]>> group =
        () ->
            new Iterator<>() {
              final Random r = new Random(42);
              int i;

              @Override
              public boolean hasNext() {
                return i < rows;
              }

              @Override
              public KV<String, byte[]> next() {
                String id = String.format("%016x", r.nextLong());
                StringBuilder text = new StringBuilder(rowBytes);
                while (text.length() < rowBytes - 40)
                  text.append(WORDS[r.nextInt(WORDS.length)]).append(' ');
                Row row = Row.withSchema(schema).addValues(id, (long) i++, text.toString()).build();
                ByteArrayOutputStream b = new ByteArrayOutputStream(rowBytes + 64);
                try {
                  coder.encode(row, b);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
                return KV.of(id, b.toByteArray());
              }
            };
    Path out = Files.createTempDirectory("sortbench");
    long t0 = System.nanoTime();
    List<WrittenFile> files = WriteFileAccess.writeFile(out, features, parquet, budget, group);
    double s = (System.nanoTime() - t0) / 1e9;
    long peak = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
      if (p.getType() == MemoryType.HEAP) peak += p.getPeakUsage().getUsed();
    System.out.printf(
        "RESULT budget=%s rows=%d row_bytes=%d xmx=%dMB seconds=%.1f file_bytes=%d"
            + " heap_pools_peak=%dMB%n",
        args[0],
        files.get(0).rows(),
        rowBytes,
        Runtime.getRuntime().maxMemory() >> 20,
        s,
        files.get(0).bytes(),
        peak >> 20);
  }
}
