package io.hfbeam.workflow.chess;

import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;

import io.hfbeam.chess.Board;
import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.ChessposSampler;
import io.hfbeam.chess.GameId;
import io.hfbeam.chess.PgnError;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnRanges;
import io.hfbeam.chess.PgnFiles;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.mapping.Split;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * PGN games to samples, per chunk: read the games that start in the chunk, replay each mainline, encode every
 * position, build its window, choose which positions to keep ({@code all} or the seeded {@code chesspos}
 * sampler), and assign the game's split. A game that cannot be read or replayed becomes one failure (file, game
 * number, byte offset, the failing move) and the rest of the chunk goes on.
 */
public final class PgnPositions implements ChunkProcessor<ChessSample> {
  /** Which positions to keep. */
  public enum Sampling { ALL, CHESSPOS }

  /** How the window is filled. */
  public enum Window { REPEAT, HISTORY }

  /** What the three scalars hold: zeros (reserved), or side to move, result for the mover, mover's Elo bucket. */
  public enum Scalars { ZEROS, FEATURES }

  /** Settings of the sample generation. */
  public record Settings(PositionEncoding encoding, Window window, int windowSize, Scalars scalars,
      boolean metadata, Sampling sampling, double rate, int minPly, int maxPly, long seed,
      boolean splitByGame, Split.Settings split) implements Serializable {
    public int windowValues() {
      return windowSize * encoding.size();
    }
  }

  private final Settings s;

  public PgnPositions(Settings settings) {
    this.s = settings;
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<ChessSample> out) throws IOException {
    Counter games = Metrics.counter("ReadPgn", "records_in");
    Counter failed = Metrics.counter("ReadPgn", "records_failed");
    Counter positions = Metrics.counter("Encode", "records_in");
    Counter kept = Metrics.counter("Sample", "records_out");
    Path file = chunk.file();
    String sourceFile = file.getFileName().toString();
    ChessSample sample = new ChessSample(s.windowValues(), s.encoding().isLong());
    ChessposSampler sampler = new ChessposSampler(s.seed(), s.rate(), s.minPly(), s.maxPly());
    int per = s.encoding().size();
    long n = 0;
    PgnReader opened;
    try {
      opened = chunk.whole() ? PgnReader.open(file) : PgnRanges.read(file, chunk.start(), chunk.end());
    } catch (IOException | RuntimeException e) {
      if (PgnFiles.isSplittable(file)) throw e;
      // a compressed file whose header is not its format: the file is one located failure, the others go on
      games.inc();
      failed.inc();
      out.failure(Failures.of(chunk.path(), null, 0L, 1L, "ReadPgn", "not a readable compressed file: "
          + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), null));
      return 1;
    }
    try (PgnReader reader = opened) {
      while (reader.hasNext()) {
        PgnRecord rec = reader.next();
        n++;
        games.inc();
        if (rec instanceof PgnError e) {
          failed.inc();
          out.failure(Failures.of(chunk.path(), null, e.byteOffset(), e.gameNumber(), "ReadPgn",
              e.reason() + (e.moveText() == null || e.moveText().isEmpty() ? "" : " (move '" + e.moveText() + "')"), describe(e.tags(), e.moveText())));
          continue;
        }
        PgnGame game = (PgnGame) rec;
        String gameId = GameId.of(game);
        boolean keepGame = s.sampling() == Sampling.ALL || sampler.keepGame(gameId, game.tags());
        if (!keepGame) continue;
        String gameSplit = s.split().assign(gameId);
        Integer whiteElo = elo(game.tags().get("WhiteElo"));
        Integer blackElo = elo(game.tags().get("BlackElo"));
        String result = game.result();
        // history window: encoded positions so far, oldest first, starting as padding
        if (sample.window != null) Arrays.fill(sample.window, (byte) PositionEncoding.PAD);
        else Arrays.fill(sample.windowLong, PositionEncoding.PAD);
        Board board = game.startBoard();
        int[] moves = game.moves();
        positions.inc(moves.length); // counters once per game: per-position increments cost as much as encoding
        long keptInGame = 0;
        for (int i = 0; i < moves.length; i++) {
          board.play(moves[i]);
          int last = (s.windowSize() - 1) * per;
          if (s.window() == Window.HISTORY) {
            shiftLeft(sample, per);
            s.encoding().encode(board, sample.window, sample.windowLong, last);
          }
          if (s.sampling() == Sampling.CHESSPOS && !sampler.keepPosition(gameId, i)) continue;
          if (s.window() == Window.REPEAT) {
            s.encoding().encode(board, sample.window, sample.windowLong, 0);
            for (int k = 1; k < s.windowSize(); k++) copy(sample, 0, k * per, per);
          }
          fillScalars(sample, board, result, whiteElo, blackElo);
          sample.gameId = gameId;
          sample.ply = i + 1;
          sample.whiteElo = whiteElo;
          sample.blackElo = blackElo;
          sample.result = result;
          sample.sourceFile = sourceFile;
          String split = s.splitByGame() ? gameSplit : s.split().assign(gameId + ":" + (i + 1));
          out.record(split, sample);
          keptInGame++;
        }
        kept.inc(keptInGame);
      }
    }
    return n;
  }

  private void fillScalars(ChessSample sample, Board board, String result, Integer whiteElo, Integer blackElo) {
    if (s.scalars() == Scalars.ZEROS) return;
    int mover = board.sideToMove();
    sample.scalars[0] = (byte) mover;
    int whiteScore = switch (result == null ? "*" : result) {
      case "1-0" -> 1;
      case "0-1" -> -1;
      default -> 0;
    };
    sample.scalars[1] = (byte) (mover == Board.WHITE ? whiteScore : -whiteScore);
    Integer elo = mover == Board.WHITE ? whiteElo : blackElo;
    sample.scalars[2] = (byte) Math.min(127, (elo == null ? 1500 : elo) / 100);
  }

  private static void shiftLeft(ChessSample s, int per) {
    if (s.window != null) System.arraycopy(s.window, per, s.window, 0, s.window.length - per);
    else System.arraycopy(s.windowLong, per, s.windowLong, 0, s.windowLong.length - per);
  }

  private static void copy(ChessSample s, int from, int to, int n) {
    if (s.window != null) System.arraycopy(s.window, from, s.window, to, n);
    else System.arraycopy(s.windowLong, from, s.windowLong, to, n);
  }

  static Integer elo(String tag) {
    if (tag == null) return null;
    try {
      return Integer.parseInt(tag.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String describe(Map<String, String> tags, String move) {
    String site = tags == null ? null : tags.getOrDefault("Site", tags.get("Event"));
    return (site == null ? "" : site + " ") + (move == null ? "" : "at " + move);
  }
}
