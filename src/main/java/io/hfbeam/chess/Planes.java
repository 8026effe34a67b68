package io.hfbeam.chess;

/**
 * The planes encoding: an int8 tensor of shape (12, 8, 8) flattened to 768 bytes, 1 where a piece
 * stands. Planes follow P N B R Q K p n b r q k. Within a plane, rows are ranks from rank 1 (row 0)
 * to rank 8 (row 7) and columns are files a (column 0) to h (column 7): index = plane * 64 + rank *
 * 8 + file, which is also plane * 64 + square. The board is never flipped for the side to move.
 */
public final class Planes {
  public static final int LENGTH = 12 * 64;

  private Planes() {}

  public static byte[] encode(Board board) {
    byte[] planes = new byte[LENGTH];
    for (int sq = 0; sq < 64; sq++) {
      int piece = board.pieceAt(sq);
      if (piece != Board.EMPTY) planes[piece * 64 + sq] = 1;
    }
    return planes;
  }
}
