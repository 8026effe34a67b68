package io.hfbeam.chess;

/**
 * The bitboard encoding: 12 int64 piece bitboards in the order P N B R Q K p n b r q k (bit i =
 * square i, a1 = bit 0, h8 = bit 63), the side to move, the castling rights as 4 bits (K = 1, Q =
 * 2, k = 4, q = 8) and the en-passant square, -1 when none. The en-passant square follows FEN
 * output: it is set only when an en-passant capture is legal, so equal positions encode equally.
 */
public record Bitboards(long[] pieces, boolean whiteToMove, int castling, int epSquare) {
  public static Bitboards encode(Board board) {
    long[] pieces = new long[12];
    for (int p = 0; p < 12; p++) pieces[p] = board.pieces(p);
    return new Bitboards(
        pieces, board.sideToMove() == Board.WHITE, board.castlingRights(), board.legalEpSquare());
  }
}
