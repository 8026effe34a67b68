package io.hfbeam.chess;

import java.util.Map;

/**
 * The "chesspos" selection: keeps stronger games more often and later positions more often.
 *
 * <p>A game is kept with probability {@code 1 / (1 + exp(-0.005 * (min(WhiteElo, BlackElo) -
 * 2000)))}, reading the Elo from that game's own tags ({@code ?}, missing or non-numeric counts as
 * 1500). The position after move {@code i} (0-based; ply {@code i + 1}) is kept with probability
 * {@code min((i / 30)^2, 1) * rate} when its ply lies in [minPly, maxPly].
 *
 * <p>Every draw is a hash of (seed, game id, draw index) rather than the next value of a shared
 * generator, so decisions do not depend on the order games are processed in, on parallelism, or on
 * which other positions were asked about: re-runs select exactly the same positions.
 */
public final class ChessposSampler implements java.io.Serializable {
  public static final double DEFAULT_RATE = 0.33;
  private static final int UNKNOWN_ELO = 1500;
  private static final long GAME_DRAW = -1;

  private final long seed;
  private final double rate;
  private final int minPly;
  private final int maxPly;

  public ChessposSampler(long seed, double rate, int minPly, int maxPly) {
    if (rate < 0 || rate > 1) throw new IllegalArgumentException("rate must be in [0, 1]: " + rate);
    if (minPly > maxPly)
      throw new IllegalArgumentException("minPly " + minPly + " > maxPly " + maxPly);
    this.seed = seed;
    this.rate = rate;
    this.minPly = minPly;
    this.maxPly = maxPly;
  }

  /** Default rate 0.33, no ply bounds. */
  public ChessposSampler(long seed) {
    this(seed, DEFAULT_RATE, 1, Integer.MAX_VALUE);
  }

  public static double gameProbability(Map<String, String> tags) {
    int elo = Math.min(elo(tags.get("WhiteElo")), elo(tags.get("BlackElo")));
    return 1 / (1 + Math.exp(-0.005 * (elo - 2000)));
  }

  public double positionProbability(int moveIndex) {
    int ply = moveIndex + 1;
    if (ply < minPly || ply > maxPly) return 0;
    return Math.min(Math.pow(moveIndex / 30.0, 2), 1) * rate;
  }

  public boolean keepGame(String gameId, Map<String, String> tags) {
    return draw(gameId, GAME_DRAW) < gameProbability(tags);
  }

  public boolean keepPosition(String gameId, int moveIndex) {
    return draw(gameId, moveIndex) < positionProbability(moveIndex);
  }

  private double draw(String gameId, long index) {
    return Mix.unit(Mix.mix64(seed ^ GameId.hash(gameId)) + index * 0x9E3779B97F4A7C15L);
  }

  private static int elo(String value) {
    if (value == null) return UNKNOWN_ELO;
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      return UNKNOWN_ELO;
    }
  }
}
