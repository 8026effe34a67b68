package io.hfbeam.bench;

import io.hfbeam.format.parquet.tensor.RowSink;
import io.hfbeam.format.parquet.tensor.TensorParquetWriter;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes N chess-like rows ({@code window} Array2D((10, 69), int8), {@code scalars} Sequence(int8,
 * 3)) with {@link TensorParquetWriter} and ZSTD, and prints rows/s, seconds and Parquet bytes per
 * row. Row generation (a few random squares per row and ten 69-byte copies) is included in the
 * time; it is small next to the writer.
 *
 * <pre>
 * mvn -q -o compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/classes:target/test-classes:$(cat target/cp.txt) io.hfbeam.bench.TensorWriteBench [rows=327416] [out=target/bench-tensor.parquet] [zstdLevel=3] [repeats=3]
 * </pre>
 *
 * The comparison with DuckDB ({@code COPY ... TO ... (FORMAT parquet, COMPRESSION zstd)}) and with
 * parquet-java's {@code ExampleParquetWriter} on the same rows is {@code TensorWriteVsDuckDbTest},
 * run with {@code mvn -q -o test -Dtest=TensorWriteVsDuckDbTest -Dbench=true} (DuckDB JDBC is a
 * test dependency).
 */
public final class TensorWriteBench {
  public static final Features CHESS =
      Features.fromJson("{\"window\": \"array2d<int8>(10,69)\", \"scalars\": \"list<int8>[3]\"}");

  private TensorWriteBench() {}

  public static void main(String[] args) throws IOException {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 327_416;
    Path out = Path.of(args.length > 1 ? args[1] : "target/bench-tensor.parquet");
    int level = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    for (int r = 0; r < repeats; r++) {
      long t0 = System.nanoTime();
      write(out, rows, TensorParquetWriter.Options.defaults().zstdLevel(level));
      double s = (System.nanoTime() - t0) / 1e9;
      long bytes = Files.size(out);
      System.out.printf(
          Locale.ROOT,
          "run %d: %d rows in %.3f s = %,.0f rows/s, %d bytes = %.2f bytes/row (zstd %d)%n",
          r + 1,
          rows,
          s,
          rows / s,
          bytes,
          (double) bytes / rows,
          level);
    }
  }

  /** Writes {@code rows} rows of {@link ChessLikeWindows} (seed 1) to {@code file}. */
  public static void write(Path file, int rows, TensorParquetWriter.Options options)
      throws IOException {
    ChessLikeWindows positions = new ChessLikeWindows(1);
    byte[] window = new byte[ChessLikeWindows.WINDOW];
    byte[] scalars = new byte[3];
    try (TensorParquetWriter w = TensorParquetWriter.create(file, CHESS, options)) {
      RowSink row = w.row();
      for (int i = 0; i < rows; i++) {
        positions.next(window, 0);
        row.tensor(0, window, 0).tensor(1, scalars, 0).end();
      }
    }
  }
}
