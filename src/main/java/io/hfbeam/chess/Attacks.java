package io.hfbeam.chess;

/**
 * Precomputed attack tables. Sliding pieces use classical ray attacks: the empty-board ray from a
 * square is cut behind its first blocker, found with one trailing/leading-zero count per direction.
 * This needs no magic numbers and is fast enough for bulk-counted perft.
 */
final class Attacks {
  // Directions whose square index increases (north, east, north-east, north-west) find their first
  // blocker with numberOfTrailingZeros; the opposite four use numberOfLeadingZeros.
  private static final int N = 0, E = 1, NE = 2, NW = 3, S = 4, W = 5, SW = 6, SE = 7;
  private static final int[][] STEPS = {
    {0, 1}, {1, 0}, {1, 1}, {-1, 1}, {0, -1}, {-1, 0}, {-1, -1}, {1, -1}
  };

  static final long[] KNIGHT = new long[64];
  static final long[] KING = new long[64];

  /** PAWN[color][sq]: squares a pawn of that color on sq attacks. */
  static final long[][] PAWN = new long[2][64];

  private static final long[][] RAY = new long[8][64];

  /** Squares strictly between two aligned squares, else 0. */
  static final long[][] BETWEEN = new long[64][64];

  /**
   * The full line (edge to edge) through two aligned squares, else 0; a pinned piece must stay on
   * it.
   */
  static final long[][] LINE = new long[64][64];

  static {
    for (int sq = 0; sq < 64; sq++) {
      KNIGHT[sq] =
          jumps(
              sq,
              new int[][] {{1, 2}, {2, 1}, {2, -1}, {1, -2}, {-1, -2}, {-2, -1}, {-2, 1}, {-1, 2}});
      KING[sq] =
          jumps(
              sq,
              new int[][] {{1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}});
      PAWN[Board.WHITE][sq] = jumps(sq, new int[][] {{-1, 1}, {1, 1}});
      PAWN[Board.BLACK][sq] = jumps(sq, new int[][] {{-1, -1}, {1, -1}});
      for (int d = 0; d < 8; d++) {
        RAY[d][sq] = ray(sq, STEPS[d]);
      }
    }
    for (int a = 0; a < 64; a++) {
      for (int d = 0; d < 8; d++) {
        long ray = RAY[d][a];
        for (long r = ray; r != 0; r &= r - 1) {
          int b = Long.numberOfTrailingZeros(r);
          BETWEEN[a][b] = ray & ~RAY[d][b] & ~(1L << b);
          LINE[a][b] = ray | RAY[(d + 4) % 8][a] | (1L << a);
        }
      }
    }
  }

  private Attacks() {}

  private static long jumps(int sq, int[][] deltas) {
    long bits = 0;
    for (int[] d : deltas) {
      int f = (sq & 7) + d[0], r = (sq >> 3) + d[1];
      if (f >= 0 && f < 8 && r >= 0 && r < 8) bits |= 1L << (r * 8 + f);
    }
    return bits;
  }

  private static long ray(int sq, int[] step) {
    long bits = 0;
    int f = (sq & 7) + step[0], r = (sq >> 3) + step[1];
    while (f >= 0 && f < 8 && r >= 0 && r < 8) {
      bits |= 1L << (r * 8 + f);
      f += step[0];
      r += step[1];
    }
    return bits;
  }

  private static long up(int d, int sq, long occ) {
    long ray = RAY[d][sq];
    long blockers = ray & occ;
    return blockers == 0 ? ray : ray ^ RAY[d][Long.numberOfTrailingZeros(blockers)];
  }

  private static long down(int d, int sq, long occ) {
    long ray = RAY[d][sq];
    long blockers = ray & occ;
    return blockers == 0 ? ray : ray ^ RAY[d][63 - Long.numberOfLeadingZeros(blockers)];
  }

  static long rook(int sq, long occ) {
    return up(N, sq, occ) | up(E, sq, occ) | down(S, sq, occ) | down(W, sq, occ);
  }

  static long bishop(int sq, long occ) {
    return up(NE, sq, occ) | up(NW, sq, occ) | down(SW, sq, occ) | down(SE, sq, occ);
  }

  /** Empty-board rook rays: candidates for pinners and x-ray checks. */
  static long rookRays(int sq) {
    return RAY[N][sq] | RAY[E][sq] | RAY[S][sq] | RAY[W][sq];
  }

  static long bishopRays(int sq) {
    return RAY[NE][sq] | RAY[NW][sq] | RAY[SW][sq] | RAY[SE][sq];
  }
}
