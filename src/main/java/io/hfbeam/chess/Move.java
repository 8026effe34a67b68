package io.hfbeam.chess;

/**
 * A move packed in an int, so move lists are plain int arrays with no allocation during search:
 * bits 0-5 from square, 6-11 to square, 12-14 promotion piece type (0 = none), 15-16 kind.
 */
public final class Move {
  public static final int NORMAL = 0;
  public static final int DOUBLE_PUSH = 1;
  public static final int EN_PASSANT = 2;
  public static final int CASTLE = 3;

  private Move() {}

  static int of(int from, int to, int promotion, int kind) {
    return from | to << 6 | promotion << 12 | kind << 15;
  }

  public static int from(int move) {
    return move & 63;
  }

  public static int to(int move) {
    return (move >>> 6) & 63;
  }

  /**
   * Promotion piece type ({@link Board#KNIGHT} .. {@link Board#QUEEN}), or 0 when the move is no
   * promotion.
   */
  public static int promotion(int move) {
    return (move >>> 12) & 7;
  }

  public static int kind(int move) {
    return (move >>> 15) & 3;
  }

  /**
   * UCI notation, e.g. {@code e2e4}, {@code e7e8q}; castling is written as the king's two-square
   * move.
   */
  public static String uci(int move) {
    String s = Squares.name(from(move)) + Squares.name(to(move));
    return promotion(move) == 0 ? s : s + "pnbrqk".charAt(promotion(move));
  }
}
