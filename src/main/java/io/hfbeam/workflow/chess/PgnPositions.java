package io.hfbeam.workflow.chess;

import io.hfbeam.beam.PgnIO;
import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.GameId;
import io.hfbeam.chess.PgnError;
import io.hfbeam.chess.PgnFiles;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnRanges;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.chess.PositionGenerator.Sampling;
import io.hfbeam.chess.PositionGenerator.Scalars;
import io.hfbeam.chess.PositionGenerator.Window;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.mapping.Split;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * PGN games to samples, per chunk: read the games that start in the chunk, replay each mainline,
 * encode every position, build its window, choose which positions to keep ({@code all} or the
 * seeded {@code chesspos} sampler), and assign the game's split. A game that cannot be read or
 * replayed becomes one failure (file, game number, byte offset, the failing move) and the rest of
 * the chunk goes on.
 */
public final class PgnPositions implements ChunkProcessor<ChessSample> {
  /** Settings of the sample generation. */
  public record Settings(
      PositionEncoding encoding,
      Window window,
      int windowSize,
      Scalars scalars,
      boolean metadata,
      Sampling sampling,
      double rate,
      int minPly,
      int maxPly,
      long seed,
      boolean splitByGame,
      Split.Settings split)
      implements Serializable {
    public int windowValues() {
      return windowSize * encoding.size();
    }

    /** The per-game function these settings describe. */
    public PositionGenerator generator() {
      return new PositionGenerator(
          encoding, window, windowSize, scalars, sampling, rate, minPly, maxPly, seed);
    }
  }

  private final Settings s;

  public PgnPositions(Settings settings) {
    this.s = settings;
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<ChessSample> out) throws IOException {
    Games games = games(out);
    Path file = chunk.file();
    String sourceFile = file.getFileName().toString();
    long n = 0;
    PgnReader opened;
    try {
      opened =
          chunk.whole() ? PgnReader.open(file) : PgnRanges.read(file, chunk.start(), chunk.end());
    } catch (IOException | RuntimeException e) {
      if (PgnFiles.isSplittable(file)) throw e;
      // a compressed file whose header is not its format: the file is one located failure, the
      // others go on
      games.unreadable(
          Failures.of(
              chunk.path(),
              null,
              0L,
              1L,
              "ReadPgn",
              "not a readable compressed file: "
                  + e.getClass().getSimpleName()
                  + (e.getMessage() == null ? "" : ": " + e.getMessage()),
              null));
      return 1;
    }
    try (PgnReader reader = opened) {
      while (reader.hasNext()) {
        n++;
        games.accept(reader.next(), sourceFile, e -> PgnIO.failure(chunk.path(), e));
      }
    }
    return n;
  }

  /** The per-game step for one chunk's output; every source of games (files, rows) feeds it. */
  Games games(Emitter<ChessSample> out) {
    return new Games(out);
  }

  /**
   * Replays, encodes, samples and splits games one at a time for one chunk, keeping the counters
   * and a reused sample.
   */
  final class Games {
    private final Counter games = Metrics.counter("ReadPgn", "records_in");
    private final Counter failed = Metrics.counter("ReadPgn", "records_failed");
    private final Counter positions = Metrics.counter("Encode", "records_in");
    private final Counter kept = Metrics.counter("Sample", "records_out");
    private final PositionGenerator generator = s.generator();
    private final ChessSample sample = generator.newSample();
    private final Emitter<ChessSample> out;

    private Games(Emitter<ChessSample> out) {
      this.out = out;
    }

    /**
     * One record read: a failed game becomes {@code failure}'s row; a game its kept positions, each
     * with its split.
     */
    void accept(PgnRecord rec, String sourceFile, Function<PgnError, Row> failure) {
      games.inc();
      if (rec instanceof PgnError e) {
        failed.inc();
        out.failure(failure.apply(e));
        return;
      }
      PgnGame game = (PgnGame) rec;
      String gameId = GameId.of(game);
      if (!generator.keepGame(gameId, game)) return;
      String gameSplit = s.split().assign(gameId);
      // counters once per game: per-position increments cost as much as encoding
      positions.inc(game.moves().length);
      kept.inc(
          generator.positions(
              game,
              gameId,
              sourceFile,
              sample,
              smp ->
                  out.record(
                      s.splitByGame() ? gameSplit : s.split().assign(gameId + ":" + smp.ply),
                      smp)));
    }

    /**
     * Input that holds no game to read (a file that cannot be opened, an empty row): one game
     * failed.
     */
    void unreadable(Row failure) {
      games.inc();
      failed.inc();
      out.failure(failure);
    }
  }
}
