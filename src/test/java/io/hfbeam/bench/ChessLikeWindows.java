package io.hfbeam.bench;

import java.util.Random;

/**
 * Synthetic positions shaped like the chess workflow's token encoding (issue 3): 64 squares (15
 * empty, 17..28 pieces), side to move (29/30) and four castling flags (31/32); a window is 10
 * stacked copies of the 69 tokens. Games start from the initial position and make random piece
 * moves, so consecutive rows differ in a few squares as real positions do. Seeded: the same seed
 * gives the same rows.
 */
public final class ChessLikeWindows {
  public static final int TOKENS = 69;
  public static final int WINDOW = 10 * TOKENS;
  private static final String START =
      "RNBQKBNRPPPPPPPP................................pppppppprnbqkbnr";
  private static final String PIECES = "PNBRQKpnbrqk";

  private final Random rnd;
  private final byte[] tokens = new byte[TOKENS];
  private int ply;
  private int gameLength;
  private int game;

  public ChessLikeWindows(long seed) {
    rnd = new Random(seed);
    newGame();
  }

  /** Advances to the next position and writes its window into {@code window} at {@code offset}. */
  public void next(byte[] window, int offset) {
    if (++ply > gameLength) newGame();
    else move();
    for (int copy = 0; copy < 10; copy++)
      System.arraycopy(tokens, 0, window, offset + copy * TOKENS, TOKENS);
  }

  /** Games started so far (the current game's number). */
  public int game() {
    return game;
  }

  public int ply() {
    return ply;
  }

  private void newGame() {
    game++;
    ply = 1;
    gameLength = 20 + rnd.nextInt(100);
    for (int sq = 0; sq < 64; sq++) {
      char c = START.charAt(sq);
      tokens[sq] = (byte) (c == '.' ? 15 : 17 + PIECES.indexOf(c));
    }
    for (int i = 65; i < 69; i++) tokens[i] = 32;
    move();
  }

  /**
   * Moves a random piece of the side to move to an empty square or onto an opposing piece other
   * than the king, so each side always keeps at least its king and a move always exists.
   */
  private void move() {
    boolean white = ply % 2 == 1;
    int from;
    do {
      from = rnd.nextInt(64);
    } while (tokens[from] == 15 || (tokens[from] <= 22) != white);
    int to;
    do {
      to = rnd.nextInt(64);
    } while (tokens[to] != 15
        && ((tokens[to] <= 22) == white || tokens[to] == 22 || tokens[to] == 28));
    tokens[to] = tokens[from];
    tokens[from] = 15;
    tokens[64] = (byte) (white ? 30 : 29);
    if (rnd.nextInt(20) == 0) tokens[65 + rnd.nextInt(4)] = 31;
  }
}
