package io.hfbeam.format.parquet;

import io.hfbeam.format.RangedSource;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/** Files and sources for the ranged-read tests (here and in the hub tests). */
public final class RangedFixtures {
  private RangedFixtures() {}

  /**
   * Ten float64 columns c0..c9 of random (incompressible) values: each about a tenth of the file.
   */
  public static final Features TEN =
      Features.fromJson(
          "{\"c0\": \"float64\", \"c1\": \"float64\", \"c2\": \"float64\", \"c3\": \"float64\","
              + " \"c4\": \"float64\", \"c5\": \"float64\", \"c6\": \"float64\", \"c7\": \"float64\","
              + " \"c8\": \"float64\", \"c9\": \"float64\"}");

  /** Writes {@code rows} rows of {@link #TEN} in row groups of about {@code rowGroupBytes}. */
  public static Path writeTen(Path file, int rows, long rowGroupBytes) throws IOException {
    Schema s = TEN.beamSchema();
    Random r = new Random(42);
    try (HfParquetWriter w =
        HfParquetWriter.create(
            file,
            TEN,
            ParquetSettings.builder()
                .codec("snappy")
                .rowGroupBytes(rowGroupBytes)
                .pageBytes(8192)
                .build())) {
      for (int i = 0; i < rows; i++) {
        Object[] v = new Object[10];
        for (int c = 0; c < 10; c++) v[c] = r.nextDouble();
        w.write(Row.withSchema(s).addValues(v).build());
      }
    }
    return file;
  }

  /** Writes the many-typed rows of {@link ParquetFixtures} in small row groups. */
  public static Path writeMixed(Path file, int rows) throws IOException {
    try (HfParquetWriter w =
        HfParquetWriter.create(
            file,
            ParquetFixtures.FEATURES,
            ParquetSettings.builder().rowGroupBytes(16 * 1024).pageBytes(4096).build())) {
      for (Row row : ParquetFixtures.rows(rows)) w.write(row);
    }
    return file;
  }

  /** Every row of a local file, through the plain reader. */
  public static List<Row> readLocal(Path file) throws IOException {
    List<Row> out = new ArrayList<>();
    try (HfParquetReader r = HfParquetReader.open(file)) {
      while (r.hasNext()) out.add(r.next());
    }
    return out;
  }

  /** Every row of a selection, through the ranged reader. */
  public static List<Row> readRanged(RangedParquetFile f, ParquetSelection selection)
      throws IOException {
    List<Row> out = new ArrayList<>();
    RangedParquetFile.Rows rows = f.read(selection);
    while (rows.hasNext()) out.add(rows.next());
    return out;
  }

  /** The rows with only the fields of {@code schema}, in its order. */
  public static List<Row> project(List<Row> rows, Schema schema) {
    List<Row> out = new ArrayList<>();
    for (Row row : rows) {
      Row.Builder b = Row.withSchema(schema);
      for (Schema.Field f : schema.getFields()) b.addValue(row.getValue(f.getName()));
      out.add(b.build());
    }
    return out;
  }

  /** An in-memory file that counts the bytes and requests asked of it. */
  public static final class BytesSource implements RangedSource {
    private final String name;
    private final byte[] bytes;
    public final AtomicLong bytesRead = new AtomicLong();
    public final AtomicLong requests = new AtomicLong();

    public BytesSource(String name, byte[] bytes) {
      this.name = name;
      this.bytes = bytes;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
      checkRange(offset, len);
      System.arraycopy(bytes, (int) offset, buf, off, len);
      bytesRead.addAndGet(len);
      requests.incrementAndGet();
    }

    @Override
    public void close() {}
  }
}
