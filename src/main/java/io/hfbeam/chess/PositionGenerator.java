package io.hfbeam.chess;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One game to its samples: replays the mainline, encodes every position, builds its window, chooses
 * which positions to keep ({@code all} or the seeded {@code chesspos} sampler) and fills the
 * scalars. The one per-game function behind both the fused chess-positions workflow and the public
 * position-generator transform, so both give the same samples.
 */
public final class PositionGenerator implements Serializable {
  /** Which positions to keep. */
  public enum Sampling {
    ALL,
    CHESSPOS
  }

  /** How the window is filled. */
  public enum Window {
    REPEAT,
    HISTORY
  }

  /**
   * What the three scalars hold: zeros (reserved), or side to move, result for the mover, mover's
   * Elo bucket.
   */
  public enum Scalars {
    ZEROS,
    FEATURES
  }

  /**
   * Receives each kept sample; the sample is reused for the next position, so copy what you keep.
   */
  @FunctionalInterface
  public interface Sink {
    void sample(ChessSample sample);
  }

  private final PositionEncoding encoding;
  private final Window window;
  private final int windowSize;
  private final Scalars scalars;
  private final Sampling sampling;
  private final ChessposSampler sampler;

  public PositionGenerator(
      PositionEncoding encoding,
      Window window,
      int windowSize,
      Scalars scalars,
      Sampling sampling,
      double rate,
      int minPly,
      int maxPly,
      long seed) {
    if (windowSize < 1)
      throw new IllegalArgumentException("window size must be >= 1, got " + windowSize);
    this.encoding = encoding;
    this.window = window;
    this.windowSize = windowSize;
    this.scalars = scalars;
    this.sampling = sampling;
    this.sampler = new ChessposSampler(seed, rate, minPly, maxPly);
  }

  /** A sample of the right shape, to be reused across games. */
  public ChessSample newSample() {
    return new ChessSample(windowSize * encoding.size(), encoding.isLong());
  }

  /** Whether the sampling keeps this game at all (always, with {@link Sampling#ALL}). */
  public boolean keepGame(String gameId, PgnGame game) {
    return sampling == Sampling.ALL || sampler.keepGame(gameId, game.tags());
  }

  /**
   * Emits the kept positions of a kept game (see {@link #keepGame}) in ply order, with the game's
   * metadata set.
   *
   * @return the number of positions emitted
   */
  public long positions(
      PgnGame game, String gameId, String sourceFile, ChessSample sample, Sink out) {
    Integer whiteElo = elo(game.tags().get("WhiteElo"));
    Integer blackElo = elo(game.tags().get("BlackElo"));
    String result = game.result();
    int per = encoding.size();
    // history window: encoded positions so far, oldest first, starting as padding
    if (sample.window != null) Arrays.fill(sample.window, (byte) PositionEncoding.PAD);
    else Arrays.fill(sample.windowLong, PositionEncoding.PAD);
    Board board = game.startBoard();
    int[] moves = game.moves();
    long kept = 0;
    for (int i = 0; i < moves.length; i++) {
      board.play(moves[i]);
      int last = (windowSize - 1) * per;
      if (window == Window.HISTORY) {
        shiftLeft(sample, per);
        encoding.encode(board, sample.window, sample.windowLong, last);
      }
      if (sampling == Sampling.CHESSPOS && !sampler.keepPosition(gameId, i)) continue;
      if (window == Window.REPEAT) {
        encoding.encode(board, sample.window, sample.windowLong, 0);
        for (int k = 1; k < windowSize; k++) copy(sample, 0, k * per, per);
      }
      fillScalars(sample, board, result, whiteElo, blackElo);
      sample.gameId = gameId;
      sample.ply = i + 1;
      sample.whiteElo = whiteElo;
      sample.blackElo = blackElo;
      sample.result = result;
      sample.sourceFile = sourceFile;
      out.sample(sample);
      kept++;
    }
    return kept;
  }

  private void fillScalars(
      ChessSample sample, Board board, String result, Integer whiteElo, Integer blackElo) {
    if (scalars == Scalars.ZEROS) return;
    int mover = board.sideToMove();
    sample.scalars[0] = (byte) mover;
    int whiteScore =
        switch (result == null ? "*" : result) {
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

  /** An Elo tag as a number; null when missing or not a number. */
  public static Integer elo(String tag) {
    if (tag == null) return null;
    try {
      return Integer.parseInt(tag.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
