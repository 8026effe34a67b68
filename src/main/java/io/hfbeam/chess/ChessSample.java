package io.hfbeam.chess;

/**
 * One training sample, reused from position to position (a writer copies it out at once, so a chunk
 * allocates nothing per position): the window of encoded positions, the scalars, and optional
 * metadata.
 */
public final class ChessSample {
  /** int8 encodings (token_sequence, planes): the window, row-major, oldest position first. */
  public final byte[] window;

  /** int64 encoding (bitboard): the window, row-major. */
  public final long[] windowLong;

  public final byte[] scalars = new byte[3];
  public String gameId;
  public int ply;
  public Integer whiteElo;
  public Integer blackElo;
  public String result;
  public String sourceFile;

  public ChessSample(int windowValues, boolean longs) {
    this.window = longs ? null : new byte[windowValues];
    this.windowLong = longs ? new long[windowValues] : null;
  }
}
