package io.hfbeam.chess;

import java.util.Arrays;

/**
 * A mutable chess position: 12 piece bitboards plus a square-to-piece array (for O(1) "what is on
 * this square"), side to move, castling rights, en-passant square and move counters.
 *
 * <p>Piece codes are {@code type + 6 * color}: 0..5 = white P N B R Q K, 6..11 = black p n b r q k,
 * the order every encoder uses. {@link #epSquare()} is the square a pawn just skipped, set after
 * every double push whether or not a capture there is legal (as python-chess's {@code ep_square});
 * FEN output and the encoders use {@link #legalEpSquare()}.
 */
public final class Board {
  public static final int WHITE = 0, BLACK = 1;
  public static final int PAWN = 0, KNIGHT = 1, BISHOP = 2, ROOK = 3, QUEEN = 4, KING = 5;
  public static final int EMPTY = -1;

  /** Castling-right bits, in the K Q k q order of FEN and of the token encoding. */
  public static final int WHITE_KINGSIDE = 1,
      WHITE_QUEENSIDE = 2,
      BLACK_KINGSIDE = 4,
      BLACK_QUEENSIDE = 8;

  public static final String STARTING_FEN =
      "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1";

  /**
   * Rights that survive a move touching a square: moving a king or rook, or capturing a rook,
   * clears them.
   */
  private static final int[] CASTLING_KEPT = new int[64];

  static {
    Arrays.fill(CASTLING_KEPT, 15);
    CASTLING_KEPT[4] = 15 & ~(WHITE_KINGSIDE | WHITE_QUEENSIDE);
    CASTLING_KEPT[7] = 15 & ~WHITE_KINGSIDE;
    CASTLING_KEPT[0] = 15 & ~WHITE_QUEENSIDE;
    CASTLING_KEPT[60] = 15 & ~(BLACK_KINGSIDE | BLACK_QUEENSIDE);
    CASTLING_KEPT[63] = 15 & ~BLACK_KINGSIDE;
    CASTLING_KEPT[56] = 15 & ~BLACK_QUEENSIDE;
  }

  final long[] pieces = new long[12];
  final long[] byColor = new long[2];
  long occupied;
  private final byte[] mailbox = new byte[64];
  int side;
  int castling;
  int epSquare = -1;
  int halfmoveClock;
  int fullmoveNumber = 1;

  Board() {
    Arrays.fill(mailbox, (byte) EMPTY);
  }

  public static Board startingPosition() {
    return Fen.parse(STARTING_FEN);
  }

  /**
   * Parses a FEN; throws {@link IllegalArgumentException} with the reason when it is malformed or
   * impossible.
   */
  public static Board fromFen(String fen) {
    return Fen.parse(fen);
  }

  /**
   * FEN in python-chess's {@code Board.fen()} convention (en-passant square only when a capture is
   * legal).
   */
  public String fen() {
    return Fen.write(this);
  }

  public Board copy() {
    Board b = new Board();
    System.arraycopy(pieces, 0, b.pieces, 0, 12);
    System.arraycopy(byColor, 0, b.byColor, 0, 2);
    System.arraycopy(mailbox, 0, b.mailbox, 0, 64);
    b.occupied = occupied;
    b.side = side;
    b.castling = castling;
    b.epSquare = epSquare;
    b.halfmoveClock = halfmoveClock;
    b.fullmoveNumber = fullmoveNumber;
    return b;
  }

  /** Piece code on the square, or {@link #EMPTY}. */
  public int pieceAt(int square) {
    return mailbox[square];
  }

  /** Bitboard of one piece code (bit i = square i). */
  public long pieces(int pieceCode) {
    return pieces[pieceCode];
  }

  public int sideToMove() {
    return side;
  }

  /** Castling-right bits ({@link #WHITE_KINGSIDE} ...). */
  public int castlingRights() {
    return castling;
  }

  public int epSquare() {
    return epSquare;
  }

  /** The en-passant square only when some legal move captures en passant, else -1. */
  public int legalEpSquare() {
    return epSquare >= 0 && MoveGenerator.hasLegalEnPassant(this) ? epSquare : -1;
  }

  public int halfmoveClock() {
    return halfmoveClock;
  }

  public int fullmoveNumber() {
    return fullmoveNumber;
  }

  public boolean inCheck() {
    return MoveGenerator.inCheck(this);
  }

  /** Fills {@code moves} with the legal moves and returns how many; 256 slots always suffice. */
  public int legalMoves(int[] moves) {
    return MoveGenerator.generate(this, moves);
  }

  /**
   * Number of leaf nodes of the legal move tree of that depth (perft), counting the last ply in
   * bulk.
   */
  public long perft(int depth) {
    return Perft.count(this, depth);
  }

  /** Plays a legal move (from {@link #legalMoves} or {@link San#parse}); no legality check here. */
  public void play(int move) {
    make(move);
  }

  void put(int piece, int sq) {
    long bit = 1L << sq;
    pieces[piece] |= bit;
    byColor[piece / 6] |= bit;
    occupied |= bit;
    mailbox[sq] = (byte) piece;
  }

  private void remove(int piece, int sq) {
    long bit = 1L << sq;
    pieces[piece] ^= bit;
    byColor[piece / 6] ^= bit;
    occupied ^= bit;
    mailbox[sq] = (byte) EMPTY;
  }

  private void shift(int piece, int from, int to) {
    long bits = (1L << from) | (1L << to);
    pieces[piece] ^= bits;
    byColor[piece / 6] ^= bits;
    occupied ^= bits;
    mailbox[from] = (byte) EMPTY;
    mailbox[to] = (byte) piece;
  }

  /**
   * Plays a move and returns what {@link #unmake} needs to take it back, packed in a long so perft
   * keeps it in a local variable: captured piece, castling rights, en-passant square, halfmove
   * clock.
   */
  long make(int move) {
    int from = Move.from(move), to = Move.to(move), kind = Move.kind(move);
    int piece = mailbox[from];
    int captured = mailbox[to];
    long undo =
        (captured + 1)
            | (long) castling << 4
            | (long) (epSquare + 1) << 8
            | (long) halfmoveClock << 16;
    halfmoveClock++;
    epSquare = -1;
    if (captured != EMPTY) {
      remove(captured, to);
      halfmoveClock = 0;
    }
    shift(piece, from, to);
    if (piece % 6 == PAWN) {
      halfmoveClock = 0;
      if (kind == Move.DOUBLE_PUSH) {
        epSquare = (from + to) >> 1;
      } else if (kind == Move.EN_PASSANT) {
        remove((side ^ 1) * 6 + PAWN, to ^ 8);
      } else if (Move.promotion(move) != 0) {
        remove(piece, to);
        put(side * 6 + Move.promotion(move), to);
      }
    } else if (kind == Move.CASTLE) {
      shift(side * 6 + ROOK, rookFrom(to), rookTo(to));
    }
    castling &= CASTLING_KEPT[from] & CASTLING_KEPT[to];
    if (side == BLACK) fullmoveNumber++;
    side ^= 1;
    return undo;
  }

  void unmake(int move, long undo) {
    side ^= 1;
    if (side == BLACK) fullmoveNumber--;
    int from = Move.from(move), to = Move.to(move), kind = Move.kind(move);
    int piece = mailbox[to];
    if (Move.promotion(move) != 0) {
      remove(piece, to);
      piece = side * 6 + PAWN;
      put(piece, to);
    }
    shift(piece, to, from);
    int captured = (int) (undo & 15) - 1;
    if (captured != EMPTY) {
      put(captured, to);
    } else if (kind == Move.EN_PASSANT) {
      put((side ^ 1) * 6 + PAWN, to ^ 8);
    } else if (kind == Move.CASTLE) {
      shift(side * 6 + ROOK, rookTo(to), rookFrom(to));
    }
    castling = (int) (undo >>> 4) & 15;
    epSquare = (int) ((undo >>> 8) & 127) - 1;
    halfmoveClock = (int) (undo >>> 16);
  }

  /**
   * Castling is encoded as the king's move to g1/c1/g8/c8; the rook's squares follow from that
   * target.
   */
  private static int rookFrom(int kingTo) {
    return (kingTo & 7) == 6 ? kingTo + 1 : kingTo - 2;
  }

  private static int rookTo(int kingTo) {
    return (kingTo & 7) == 6 ? kingTo - 1 : kingTo + 1;
  }
}
