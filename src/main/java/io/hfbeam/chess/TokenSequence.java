package io.hfbeam.chess;

/**
 * The 69-token int8 encoding of a position: tokens 0..63 are squares a1..h8 (empty 15, white P N B
 * R Q K 17..22, black p n b r q k 23..28), token 64 the side to move (white 29, black 30), tokens
 * 65..68 the castling rights K, Q, k, q (32 present, 31 absent). En-passant and move counters are
 * not encoded.
 */
public final class TokenSequence {
  public static final int LENGTH = 69;
  public static final byte EMPTY = 15;
  private static final byte FIRST_PIECE = 17;
  private static final byte WHITE_TO_MOVE = 29, BLACK_TO_MOVE = 30;
  private static final byte RIGHT_ABSENT = 31, RIGHT_PRESENT = 32;

  private TokenSequence() {}

  public static byte[] encode(Board board) {
    byte[] tokens = new byte[LENGTH];
    encodeInto(board, tokens, 0);
    return tokens;
  }

  /**
   * Writes the 69 tokens at {@code offset}, so windows of several positions fill one array without
   * copies.
   */
  public static void encodeInto(Board board, byte[] dst, int offset) {
    for (int sq = 0; sq < 64; sq++) {
      int piece = board.pieceAt(sq);
      dst[offset + sq] = piece == Board.EMPTY ? EMPTY : (byte) (FIRST_PIECE + piece);
    }
    dst[offset + 64] = board.sideToMove() == Board.WHITE ? WHITE_TO_MOVE : BLACK_TO_MOVE;
    int rights = board.castlingRights();
    for (int bit = 0; bit < 4; bit++) {
      dst[offset + 65 + bit] = (rights & (1 << bit)) != 0 ? RIGHT_PRESENT : RIGHT_ABSENT;
    }
  }
}
