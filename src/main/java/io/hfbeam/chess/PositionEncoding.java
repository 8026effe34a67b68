package io.hfbeam.chess;

import java.util.List;

/**
 * The encodings a position can take in the dataset, each a fixed-shape vector or tensor of one
 * dtype, and the window of {@code size} positions built from them ({@code repeat}: the position
 * copied; {@code history}: the position and the ones before it in the same game, padded at the
 * start of the game with {@link #PAD}).
 */
public enum PositionEncoding {
  /**
   * 69 int8 tokens: a1..h8 (empty 15, white PNBRQK 17..22, black pnbrqk 23..28), side to move
   * (29/30), castling KQkq (32/31).
   */
  TOKEN_SEQUENCE(List.of(TokenSequence.LENGTH), "int8"),
  /** 12 piece planes of 8x8, int8 0/1, plane order P N B R Q K p n b r q k, rank 1 first. */
  PLANES(List.of(12, 8, 8), "int8"),
  /**
   * 12 piece bitboards (P N B R Q K p n b r q k, bit 0 = a1), side to move (0 white, 1 black),
   * castling bits (K=1 Q=2 k=4 q=8), en-passant square (-1 none).
   */
  BITBOARD(List.of(15), "int64");

  /** The value of every element of a padding position (before the first move of a game). */
  public static final int PAD = 0;

  private final List<Integer> shape;
  private final String dtype;

  PositionEncoding(List<Integer> shape, String dtype) {
    this.shape = shape;
    this.dtype = dtype;
  }

  public List<Integer> shape() {
    return shape;
  }

  public String dtype() {
    return dtype;
  }

  public boolean isLong() {
    return dtype.equals("int64");
  }

  /** Values in one encoded position. */
  public int size() {
    return shape.stream().reduce(1, (a, b) -> a * b);
  }

  /**
   * Encodes the board into {@code dst} (byte encodings) or {@code dstLong} (bitboard) at {@code
   * off}.
   */
  public void encode(Board board, byte[] dst, long[] dstLong, int off) {
    switch (this) {
      case TOKEN_SEQUENCE -> TokenSequence.encodeInto(board, dst, off);
      case PLANES -> System.arraycopy(Planes.encode(board), 0, dst, off, Planes.LENGTH);
      case BITBOARD -> {
        Bitboards b = Bitboards.encode(board);
        System.arraycopy(b.pieces(), 0, dstLong, off, 12);
        dstLong[off + 12] = b.whiteToMove() ? 0 : 1;
        dstLong[off + 13] = b.castling();
        dstLong[off + 14] = b.epSquare();
      }
    }
  }

  /** The markdown the dataset card shows for this encoding. */
  public String describe() {
    return switch (this) {
      case TOKEN_SEQUENCE ->
          "Each position is 69 int8 tokens. Squares a1=0 ... h8=63: empty 15, white P N B R Q K = 17..22, "
              + "black p n b r q k = 23..28; index 64 side to move (white 29, black 30); 65..68 castling rights K, Q, k, q "
              + "(32 present, 31 absent).";
      case PLANES ->
          "Each position is an int8 tensor (12, 8, 8): one 0/1 plane per piece in the order P N B R Q K p n b r q k, "
              + "indexed [plane][rank][file] with rank 0 = rank 1 and file 0 = the a-file, never flipped for the side to move.";
      case BITBOARD ->
          "Each position is 15 int64 values: 12 piece bitboards in the order P N B R Q K p n b r q k (bit 0 = a1, "
              + "bit 63 = h8), then side to move (0 white, 1 black), castling rights as bits (K=1, Q=2, k=4, q=8), and the "
              + "en-passant square (0..63, or -1 when no en-passant capture is legal).";
    };
  }
}
