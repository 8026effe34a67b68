package io.hfbeam.chess;

/**
 * FEN reading and writing. Writing follows python-chess {@code Board.fen()}: the en-passant field
 * names a square only when an en-passant capture is legal. Reading accepts 4 to 6 fields (missing
 * counters default to 0 and 1), drops castling rights whose king or rook is not on its home square
 * (as python-chess's clean castling rights do), and rejects positions the move generator cannot
 * work from: missing or extra kings, pawns on the back ranks, the side not to move in check, or an
 * en-passant square without the pawn that just passed it.
 */
final class Fen {
  private static final String PIECE_CHARS = "PNBRQKpnbrqk";

  private Fen() {}

  static Board parse(String fen) {
    String[] f = fen.trim().split("\\s+");
    if (f.length < 4 || f.length > 6) throw bad(fen, "expected 4 to 6 fields, got " + f.length);
    Board b = new Board();
    placePieces(b, f[0], fen);
    switch (f[1]) {
      case "w" -> b.side = Board.WHITE;
      case "b" -> b.side = Board.BLACK;
      default -> throw bad(fen, "side to move must be w or b");
    }
    b.castling = castling(b, f[2], fen);
    b.epSquare = epSquare(b, f[3], fen);
    b.halfmoveClock = f.length > 4 ? counter(f[4], fen) : 0;
    b.fullmoveNumber = f.length > 5 ? Math.max(1, counter(f[5], fen)) : 1;
    checkPlayable(b, fen);
    return b;
  }

  private static void placePieces(Board b, String placement, String fen) {
    String[] ranks = placement.split("/", -1);
    if (ranks.length != 8) throw bad(fen, "board needs 8 ranks");
    for (int i = 0; i < 8; i++) {
      int rank = 7 - i, file = 0;
      for (char c : ranks[i].toCharArray()) {
        if (c >= '1' && c <= '8') {
          file += c - '0';
        } else {
          int piece = PIECE_CHARS.indexOf(c);
          if (piece < 0) throw bad(fen, "unknown piece '" + c + "'");
          if (file > 7) throw bad(fen, "rank " + (rank + 1) + " has more than 8 squares");
          b.put(piece, rank * 8 + file++);
        }
      }
      if (file != 8) throw bad(fen, "rank " + (rank + 1) + " does not have 8 squares");
    }
  }

  private static int castling(Board b, String field, String fen) {
    if (field.equals("-")) return 0;
    int rights = 0;
    for (char c : field.toCharArray()) {
      int bit = "KQkq".indexOf(c);
      if (bit < 0) throw bad(fen, "castling field may only hold K, Q, k, q or -");
      rights |= 1 << bit;
    }
    long[] p = b.pieces;
    if ((p[Board.KING] & (1L << 4)) == 0) rights &= ~(Board.WHITE_KINGSIDE | Board.WHITE_QUEENSIDE);
    if ((p[Board.ROOK] & (1L << 7)) == 0) rights &= ~Board.WHITE_KINGSIDE;
    if ((p[Board.ROOK] & 1L) == 0) rights &= ~Board.WHITE_QUEENSIDE;
    if ((p[6 + Board.KING] & (1L << 60)) == 0)
      rights &= ~(Board.BLACK_KINGSIDE | Board.BLACK_QUEENSIDE);
    if ((p[6 + Board.ROOK] & (1L << 63)) == 0) rights &= ~Board.BLACK_KINGSIDE;
    if ((p[6 + Board.ROOK] & (1L << 56)) == 0) rights &= ~Board.BLACK_QUEENSIDE;
    return rights;
  }

  private static int epSquare(Board b, String field, String fen) {
    if (field.equals("-")) return -1;
    int sq = Squares.parse(field);
    if (sq < 0) throw bad(fen, "bad en-passant square '" + field + "'");
    int forward = b.side == Board.WHITE ? 8 : -8;
    int expectedRank = b.side == Board.WHITE ? 5 : 2;
    int pawnSq = sq - forward;
    if (sq >> 3 != expectedRank
        || b.pieceAt(pawnSq) != (b.side ^ 1) * 6 + Board.PAWN
        || b.pieceAt(sq) != Board.EMPTY
        || b.pieceAt(sq + forward) != Board.EMPTY) {
      throw bad(fen, "en-passant square " + field + " does not follow a double pawn push");
    }
    return sq;
  }

  private static int counter(String s, String fen) {
    try {
      int v = Integer.parseInt(s);
      if (v < 0) throw bad(fen, "negative move counter");
      return v;
    } catch (NumberFormatException e) {
      throw bad(fen, "move counter '" + s + "' is not a number");
    }
  }

  private static void checkPlayable(Board b, String fen) {
    if (Long.bitCount(b.pieces[Board.KING]) != 1 || Long.bitCount(b.pieces[6 + Board.KING]) != 1) {
      throw bad(fen, "each side needs exactly one king");
    }
    if (((b.pieces[Board.PAWN] | b.pieces[6 + Board.PAWN]) & 0xFF000000000000FFL) != 0) {
      throw bad(fen, "pawns on the first or last rank");
    }
    int theirKing = Long.numberOfTrailingZeros(b.pieces[(b.side ^ 1) * 6 + Board.KING]);
    if (MoveGenerator.attackers(b, theirKing, b.side, b.occupied) != 0) {
      throw bad(fen, "the side not to move is in check");
    }
  }

  private static IllegalArgumentException bad(String fen, String why) {
    return new IllegalArgumentException("invalid FEN '" + fen + "': " + why);
  }

  static String write(Board b) {
    StringBuilder s = new StringBuilder(90);
    for (int rank = 7; rank >= 0; rank--) {
      int empty = 0;
      for (int file = 0; file < 8; file++) {
        int piece = b.pieceAt(rank * 8 + file);
        if (piece == Board.EMPTY) {
          empty++;
          continue;
        }
        if (empty > 0) s.append(empty);
        empty = 0;
        s.append(PIECE_CHARS.charAt(piece));
      }
      if (empty > 0) s.append(empty);
      if (rank > 0) s.append('/');
    }
    s.append(b.side == Board.WHITE ? " w " : " b ");
    if (b.castling == 0) s.append('-');
    for (int bit = 0; bit < 4; bit++) {
      if ((b.castling & (1 << bit)) != 0) s.append("KQkq".charAt(bit));
    }
    int ep = b.legalEpSquare();
    s.append(' ').append(ep < 0 ? "-" : Squares.name(ep));
    s.append(' ').append(b.halfmoveClock).append(' ').append(b.fullmoveNumber);
    return s.toString();
  }
}
