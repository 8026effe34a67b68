package io.hfbeam.chess;

/**
 * Strictly legal move generation. Instead of playing each pseudo-legal move and testing for check,
 * it computes checkers and pinned pieces once per position: in double check only the king moves; in
 * single check other pieces must capture the checker or block; a pinned piece stays on the line
 * through its king. King moves are tested against attacks computed without the king on the board,
 * so it cannot step back along a checking ray. En passant, the one move that removes two pieces
 * from a line, is checked by recomputing slider attacks.
 */
final class MoveGenerator {
  private static final long RANK_1 = 0xFFL, RANK_8 = 0xFFL << 56;
  private static final long RANK_3 = 0xFFL << 16, RANK_6 = 0xFFL << 40;
  private static final long FILE_A = 0x0101010101010101L, FILE_H = FILE_A << 7;

  private MoveGenerator() {}

  static boolean inCheck(Board b) {
    int us = b.side;
    return attackers(
            b, Long.numberOfTrailingZeros(b.pieces[us * 6 + Board.KING]), us ^ 1, b.occupied)
        != 0;
  }

  /**
   * Pieces of color {@code by} attacking {@code sq}, with sliders seeing through to {@code occ}.
   */
  static long attackers(Board b, int sq, int by, long occ) {
    long[] p = b.pieces;
    int o = by * 6;
    return (Attacks.PAWN[by ^ 1][sq] & p[o + Board.PAWN])
        | (Attacks.KNIGHT[sq] & p[o + Board.KNIGHT])
        | (Attacks.KING[sq] & p[o + Board.KING])
        | (Attacks.bishop(sq, occ) & (p[o + Board.BISHOP] | p[o + Board.QUEEN]))
        | (Attacks.rook(sq, occ) & (p[o + Board.ROOK] | p[o + Board.QUEEN]));
  }

  static int generate(Board b, int[] moves) {
    return generate(b, moves, -1L);
  }

  /**
   * The legal moves whose target square is in {@code toMask}; castling only when the mask is every
   * square. SAN parsing asks for one target square, which skips most of the generation (replaying
   * games is mostly SAN parsing).
   */
  static int generate(Board b, int[] moves, long toMask) {
    int us = b.side, them = us ^ 1;
    long[] p = b.pieces;
    long own = b.byColor[us], enemy = b.byColor[them], occ = b.occupied;
    int king = Long.numberOfTrailingZeros(p[us * 6 + Board.KING]);
    long checkers = attackers(b, king, them, occ);
    int n = 0;

    long occWithoutKing = occ ^ (1L << king);
    for (long t = Attacks.KING[king] & ~own & toMask; t != 0; t &= t - 1) {
      int to = Long.numberOfTrailingZeros(t);
      if (attackers(b, to, them, occWithoutKing) == 0)
        moves[n++] = Move.of(king, to, 0, Move.NORMAL);
    }
    if ((checkers & (checkers - 1)) != 0) return n;

    long target =
        (checkers == 0
                ? ~own
                : checkers | Attacks.BETWEEN[king][Long.numberOfTrailingZeros(checkers)])
            & toMask;
    long pinned = pinned(b, king, us, them, own, occ);

    int o = us * 6;
    for (long s = p[o + Board.KNIGHT] & ~pinned; s != 0; s &= s - 1) {
      int from = Long.numberOfTrailingZeros(s);
      n = emit(moves, n, from, Attacks.KNIGHT[from] & target & ~own);
    }
    for (long s = p[o + Board.BISHOP] | p[o + Board.QUEEN]; s != 0; s &= s - 1) {
      int from = Long.numberOfTrailingZeros(s);
      long t = Attacks.bishop(from, occ) & target & ~own;
      if ((pinned & (1L << from)) != 0) t &= Attacks.LINE[king][from];
      n = emit(moves, n, from, t);
    }
    for (long s = p[o + Board.ROOK] | p[o + Board.QUEEN]; s != 0; s &= s - 1) {
      int from = Long.numberOfTrailingZeros(s);
      long t = Attacks.rook(from, occ) & target & ~own;
      if ((pinned & (1L << from)) != 0) t &= Attacks.LINE[king][from];
      n = emit(moves, n, from, t);
    }
    n = pawnMoves(b, moves, n, us, king, pinned, target & ~own, enemy);
    if (checkers == 0 && toMask == -1L) n = castling(b, moves, n, us, them, king);
    return n;
  }

  private static int emit(int[] moves, int n, int from, long targets) {
    for (; targets != 0; targets &= targets - 1) {
      moves[n++] = Move.of(from, Long.numberOfTrailingZeros(targets), 0, Move.NORMAL);
    }
    return n;
  }

  /** Own pieces that are the only piece between the king and an enemy slider on a line. */
  private static long pinned(Board b, int king, int us, int them, long own, long occ) {
    long[] p = b.pieces;
    int o = them * 6;
    long snipers =
        (Attacks.rookRays(king) & (p[o + Board.ROOK] | p[o + Board.QUEEN]))
            | (Attacks.bishopRays(king) & (p[o + Board.BISHOP] | p[o + Board.QUEEN]));
    long pinned = 0;
    for (; snipers != 0; snipers &= snipers - 1) {
      long between = Attacks.BETWEEN[king][Long.numberOfTrailingZeros(snipers)] & occ;
      if (between != 0 && (between & (between - 1)) == 0) pinned |= between & own;
    }
    return pinned;
  }

  private static int pawnMoves(
      Board b, int[] moves, int n, int us, int king, long pinned, long target, long enemy) {
    long pawns = b.pieces[us * 6 + Board.PAWN];
    long empty = ~b.occupied;
    int forward = us == Board.WHITE ? 8 : -8;
    long single, dbl, capLeft, capRight;
    if (us == Board.WHITE) {
      single = (pawns << 8) & empty;
      dbl = ((single & RANK_3) << 8) & empty;
      capLeft = ((pawns & ~FILE_A) << 7) & enemy;
      capRight = ((pawns & ~FILE_H) << 9) & enemy;
    } else {
      single = (pawns >>> 8) & empty;
      dbl = ((single & RANK_6) >>> 8) & empty;
      capLeft = ((pawns & ~FILE_A) >>> 9) & enemy;
      capRight = ((pawns & ~FILE_H) >>> 7) & enemy;
    }
    n = pawnTargets(moves, n, single & target, forward, king, pinned, Move.NORMAL);
    n = pawnTargets(moves, n, dbl & target, 2 * forward, king, pinned, Move.DOUBLE_PUSH);
    n = pawnTargets(moves, n, capLeft & target, forward - 1, king, pinned, Move.NORMAL);
    n = pawnTargets(moves, n, capRight & target, forward + 1, king, pinned, Move.NORMAL);
    int ep = b.epSquare;
    if (ep >= 0) {
      for (long s = Attacks.PAWN[us ^ 1][ep] & pawns; s != 0; s &= s - 1) {
        int from = Long.numberOfTrailingZeros(s);
        if (enPassantIsLegal(b, from, ep, king)) moves[n++] = Move.of(from, ep, 0, Move.EN_PASSANT);
      }
    }
    return n;
  }

  private static int pawnTargets(
      int[] moves, int n, long targets, int delta, int king, long pinned, int kind) {
    for (; targets != 0; targets &= targets - 1) {
      int to = Long.numberOfTrailingZeros(targets);
      int from = to - delta;
      if ((pinned & (1L << from)) != 0 && (Attacks.LINE[king][from] & (1L << to)) == 0) continue;
      if (((1L << to) & (RANK_1 | RANK_8)) != 0) {
        for (int promo = Board.QUEEN; promo >= Board.KNIGHT; promo--)
          moves[n++] = Move.of(from, to, promo, kind);
      } else {
        moves[n++] = Move.of(from, to, 0, kind);
      }
    }
    return n;
  }

  /** Plays the capture on a scratch occupancy and asks whether anything then attacks the king. */
  private static boolean enPassantIsLegal(Board b, int from, int ep, int king) {
    int them = b.side ^ 1;
    int capturedSq = ep ^ 8;
    long occ = (b.occupied ^ (1L << from) ^ (1L << capturedSq)) | (1L << ep);
    long[] p = b.pieces;
    int o = them * 6;
    long attackers =
        (Attacks.bishop(king, occ) & (p[o + Board.BISHOP] | p[o + Board.QUEEN]))
            | (Attacks.rook(king, occ) & (p[o + Board.ROOK] | p[o + Board.QUEEN]))
            | (Attacks.KNIGHT[king] & p[o + Board.KNIGHT])
            | (Attacks.PAWN[b.side][king] & p[o + Board.PAWN] & ~(1L << capturedSq));
    return attackers == 0;
  }

  static boolean hasLegalEnPassant(Board b) {
    int ep = b.epSquare;
    int king = Long.numberOfTrailingZeros(b.pieces[b.side * 6 + Board.KING]);
    for (long s = Attacks.PAWN[b.side ^ 1][ep] & b.pieces[b.side * 6 + Board.PAWN];
        s != 0;
        s &= s - 1) {
      if (enPassantIsLegal(b, Long.numberOfTrailingZeros(s), ep, king)) return true;
    }
    return false;
  }

  private static int castling(Board b, int[] moves, int n, int us, int them, int king) {
    int rights = b.castling >> (2 * us);
    int base = us == Board.WHITE ? 0 : 56;
    long occ = b.occupied;
    if ((rights & 1) != 0
        && (occ & (0x60L << base)) == 0
        && attackers(b, base + 5, them, occ) == 0
        && attackers(b, base + 6, them, occ) == 0) {
      moves[n++] = Move.of(king, base + 6, 0, Move.CASTLE);
    }
    if ((rights & 2) != 0
        && (occ & (0x0EL << base)) == 0
        && attackers(b, base + 3, them, occ) == 0
        && attackers(b, base + 2, them, occ) == 0) {
      moves[n++] = Move.of(king, base + 2, 0, Move.CASTLE);
    }
    return n;
  }
}
