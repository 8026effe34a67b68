package io.hfbeam.bench;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.dataset.Batch;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.chess.ChessPartFormat;
import io.hfbeam.workflow.chess.PgnPositions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The no-Beam limit for benchmarks: the same PGN reader, encoder, sampler and Parquet writer as
 * chess-positions, in one plain loop on one thread (whole files, one Parquet file per split).
 *
 * <p>Usage: {@code java -cp target/hfbeam.jar io.hfbeam.workflow.bench.ChessPlainLoop OUT_DIR
 * FILE...}
 */
public final class ChessPlainLoop {
  private ChessPlainLoop() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args[0]);
    List<Path> files = new ArrayList<>();
    for (int i = 1; i < args.length; i++) files.add(Path.of(args[i]));
    Files.createDirectories(out);
    PgnPositions.Settings s =
        new PgnPositions.Settings(
            PositionEncoding.TOKEN_SEQUENCE,
            io.hfbeam.chess.PositionGenerator.Window.REPEAT,
            10,
            io.hfbeam.chess.PositionGenerator.Scalars.ZEROS,
            false,
            io.hfbeam.chess.PositionGenerator.Sampling.ALL,
            0.33,
            0,
            100_000,
            42,
            true,
            Split.Settings.builder().build());
    ChessPartFormat format =
        new ChessPartFormat(s.encoding(), s.windowSize(), false, ParquetSettings.defaults());
    long t0 = System.nanoTime();
    PartsPerSplit<ChessSample> parts = new PartsPerSplit<>(format, out);
    PgnPositions positions = new PgnPositions(s);
    for (InputFiles.Chunk chunk : InputFiles.wholeFiles(files)) positions.process(chunk, parts);
    parts.close();
    for (Map.Entry<String, Long> e : parts.rows.entrySet()) {
      Path samples = out.resolve(e.getKey());
      long rows = e.getValue(); // parts are compact (frames by reference): count, not size
      format.assembleParquet(
          List.of(new Batch.Piece(samples.toString(), 0, rows, rows, 0)),
          Path.of(samples + ".parquet"));
      Files.delete(Path.of(samples + ".samples"));
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "plain loop: %,d positions in %.2f s = %,.0f positions/s%n",
        parts.records, secs, parts.records / secs);
  }
}
