package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.lessThan;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** chess-positions end to end on the DirectRunner, read back with DuckDB. */
class ChessPositionsWorkflowTest {
  static final Path PGN50 =
      Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");
  static final Path PGN5000 =
      Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn");

  @TempDir Path tmp;

  /**
   * Small chunks so that one file is read as many parallel ranges and batches cut through parts.
   */
  Path smallChunks() throws Exception {
    Path yaml = tmp.resolve("chess.yaml");
    Files.writeString(yaml, "chunk_mb: 0.01\n");
    return yaml;
  }

  @Test
  void everyPositionMatchesTheGoldenTokensInInputOrder() throws Exception {
    Path out = tmp.resolve("golden");
    Cli run =
        Cli.run(
            "chess-positions",
            "--config",
            smallChunks().toString(),
            "--data-path",
            PGN50.toString(),
            "--output",
            out.toString(),
            "--metadata",
            "--train-ratio",
            "1.0",
            "--batch-size",
            "1000");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    // golden rows: game, ply, fen, tokens; ply 0 (start position) is not a sample
    Map<String, String> golden = new HashMap<>();
    for (String line :
        Files.readAllLines(
            Path.of("src/test/resources/chess/tokens_lichess_2013-01_truncated_50.tsv"))) {
      String[] c = line.split("\t");
      if (!c[1].equals("0")) golden.put(c[0] + ":" + c[1], c[3]);
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet t =
          st.executeQuery(
              "SELECT typeof(\"window\"), typeof(scalars) FROM '"
                  + out
                  + "/train/batch_001.parquet' LIMIT 1");
      t.next();
      assertThat(t.getString(1), equalTo("TINYINT[][]"));
      assertThat(t.getString(2), equalTo("TINYINT[]"));
      ResultSet rs =
          st.executeQuery(
              "SELECT \"window\"[1], \"window\"[10], ply, scalars, filename FROM read_parquet('"
                  + out
                  + "/train/*.parquet', filename=true, file_row_number=true) ORDER BY filename, file_row_number");
      int game = 0;
      int n = 0;
      String lastSplitKey = "";
      List<String> mismatches = new ArrayList<>();
      while (rs.next()) {
        int ply = rs.getInt(3);
        if (ply == 1) game++;
        String first = join(rs.getArray(1));
        assertThat(join(rs.getArray(2)), equalTo(first));
        assertThat(join(rs.getArray(4)), equalTo("0,0,0"));
        if (!first.equals(golden.get(game + ":" + ply))) mismatches.add(game + ":" + ply);
        n++;
        lastSplitKey = rs.getString(5);
      }
      assertThat(mismatches.toString(), mismatches.isEmpty(), equalTo(true));
      assertThat(n, equalTo(3391));
      assertThat(lastSplitKey, containsString("batch_004.parquet"));
    }
  }

  @Test
  void batchesHoldExactlyNPositionsBeforeTheSplitAndNoGameLeaks() throws Exception {
    Path out = tmp.resolve("batches");
    Cli run =
        Cli.run(
            "chess-positions",
            "--config",
            smallChunks().toString(),
            "--data-path",
            PGN5000.toString(),
            "--output",
            out.toString(),
            "--metadata",
            "--batch-size",
            "30000",
            "--batches",
            "4",
            "--first-batch",
            "7");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      for (int b = 7; b <= 10; b++) {
        ResultSet rs =
            st.executeQuery(
                String.format(
                    "SELECT (SELECT count(*) FROM '%1$s/train/batch_%2$03d.parquet') + "
                        + "(SELECT count(*) FROM '%1$s/test/batch_%2$03d.parquet')",
                    out, b));
        rs.next();
        assertThat("batch " + b, rs.getLong(1), equalTo(30000L));
      }
      assertThat(Files.exists(out.resolve("train/batch_011.parquet")), equalTo(false));
      ResultSet leak =
          st.executeQuery(
              "SELECT count(*) FROM (SELECT DISTINCT game_id FROM '"
                  + out
                  + "/train/*.parquet') a "
                  + "JOIN (SELECT DISTINCT game_id FROM '"
                  + out
                  + "/test/*.parquet') b USING (game_id)");
      leak.next();
      assertThat("games in both splits", leak.getLong(1), equalTo(0L));
      ResultSet share = st.executeQuery("SELECT count(*) FROM '" + out + "/test/*.parquet'");
      share.next();
      assertThat(share.getLong(1), greaterThan(3000L));
      assertThat(share.getLong(1), lessThan(9000L));
    }
    String card = Files.readString(out.resolve("README.md"));
    assertThat(card, containsString("array2_d"));
    assertThat(card, containsString("Squares a1=0"));
  }

  @Test
  void reRunsAreByteIdenticalAndChessposIsSeeded() throws Exception {
    String[] args = {
      "chess-positions",
      "--config",
      smallChunks().toString(),
      "--data-path",
      PGN5000.toString(),
      "--sampling",
      "chesspos",
      "--window",
      "history",
      "--scalars",
      "features",
      "--metadata"
    };
    Path a = tmp.resolve("a/ds");
    Path b = tmp.resolve("b/ds");
    assertThat(Cli.run(concat(args, "--output", a.toString())).exitCode, equalTo(0));
    assertThat(
        Cli.run(concat(args, "--output", b.toString(), "--runner", "direct")).exitCode, equalTo(0));
    assertThat(Files2.hashes(a), equalTo(Files2.hashes(b)));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs =
          st.executeQuery(
              "SELECT count(*), min(ply), count(DISTINCT game_id) FROM '" + a + "/*/*.parquet'");
      rs.next();
      long kept = rs.getLong(1);
      assertThat("chesspos keeps a fraction", kept, lessThan(327_416L / 3));
      assertThat(kept, greaterThan(1000L));
      // history window: the window of ply 1 is 9 pad positions then the position
      ResultSet w =
          st.executeQuery(
              "SELECT \"window\"[1][1], \"window\"[9][1], \"window\"[10][65] FROM '"
                  + a
                  + "/*/*.parquet' WHERE ply = 1 LIMIT 1");
      if (w.next()) {
        assertThat(w.getInt(1), equalTo(0));
        assertThat(w.getInt(2), equalTo(0));
        assertThat(w.getInt(3), equalTo(30));
      }
    }
  }

  @Test
  void aBadGameGoesToErrorsWithItsNumberOffsetAndMoveAndTheRestIsKept() throws Exception {
    String pgn = Files.readString(PGN50);
    int second = pgn.indexOf("[Event ", 10);
    int movetext = pgn.indexOf("\n1. ", second);
    String broken = pgn.substring(0, movetext) + "\n1. e4 e5 2. Ke3 " + pgn.substring(movetext + 4);
    Path in = tmp.resolve("broken.pgn");
    Files.writeString(in, broken);
    Path out = tmp.resolve("bad");
    Cli run =
        Cli.run(
            "chess-positions",
            "--data-path",
            in.toString(),
            "--output",
            out.toString(),
            "--train-ratio",
            "1.0");
    assertThat(run.toString(), run.exitCode, equalTo(0));
    List<String> errors = Files.readAllLines(out.resolve("_errors/errors.jsonl"));
    assertThat(errors.size(), equalTo(1));
    assertThat(errors.get(0), containsString("\"record\": 2"));
    assertThat(errors.get(0), containsString("\"offset\": " + second));
    assertThat(errors.get(0), containsString("Ke3"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM '" + out + "/train/*.parquet'");
      rs.next();
      assertThat(rs.getLong(1), lessThan(3391L));
      assertThat(rs.getLong(1), greaterThan(3200L));
    }
    Cli usage = Cli.run("chess-positions", "--data-path", in.toString(), "--encoding", "fen");
    assertThat(usage.exitCode, equalTo(2));
    assertThat(
        usage.err.strip(),
        equalTo("error: --encoding must be one of token_sequence, bitboard, planes, got fen"));
  }

  static String join(Array a) throws Exception {
    Object[] values = (Object[]) a.getArray();
    StringBuilder sb = new StringBuilder();
    for (Object v : values) sb.append(sb.length() == 0 ? "" : ",").append(v);
    return sb.toString();
  }

  static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
