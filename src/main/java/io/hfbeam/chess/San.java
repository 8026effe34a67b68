package io.hfbeam.chess;

/**
 * Parses Standard Algebraic Notation against a position, tolerant the way real PGN needs: {@code
 * O-O} or {@code 0-0}, {@code e8=Q} or {@code e8Q}, a missing or superfluous {@code x}, check/mate
 * marks and the annotation suffixes {@code ! ? !? ?! !! ??}. The marks are not verified; the move
 * itself must be legal and unique, and a pawn move without a source file must be a straight push
 * (so {@code d5} never means {@code exd5}).
 */
public final class San {
  private static final String PIECE_LETTERS = "PNBRQK";
  private static final ThreadLocal<int[]> BUFFER = ThreadLocal.withInitial(() -> new int[256]);

  private San() {}

  /**
   * The legal move the SAN denotes; throws {@link SanException} saying whether it is unparseable,
   * illegal or ambiguous.
   */
  public static int parse(Board board, String san) {
    String s = stripSuffixes(san);
    int[] moves = BUFFER.get();
    if (s.equals("O-O") || s.equals("0-0"))
      return castle(board, moves, board.legalMoves(moves), 6, san);
    if (s.equals("O-O-O") || s.equals("0-0-0"))
      return castle(board, moves, board.legalMoves(moves), 2, san);

    int end = s.length();
    int promotion = 0;
    if (end >= 3
        && "NBRQ".indexOf(s.charAt(end - 1)) >= 0
        && (isRank(s.charAt(end - 2)) || s.charAt(end - 2) == '=')) {
      promotion = PIECE_LETTERS.indexOf(s.charAt(end - 1));
      end -= s.charAt(end - 2) == '=' ? 2 : 1;
    }
    if (end < 2) throw new SanException(san, "unparseable move");
    int to = Squares.parse(s.substring(end - 2, end));
    if (to < 0) throw new SanException(san, "unparseable move (no target square)");

    int start = 0;
    int pieceType = Board.PAWN;
    if (end > 2 && PIECE_LETTERS.indexOf(s.charAt(0)) > 0) {
      pieceType = PIECE_LETTERS.indexOf(s.charAt(0));
      start = 1;
    }
    int fromFile = -1, fromRank = -1;
    for (int i = start; i < end - 2; i++) {
      char c = s.charAt(i);
      if (c >= 'a' && c <= 'h' && fromFile < 0 && fromRank < 0) fromFile = c - 'a';
      else if (isRank(c) && fromRank < 0) fromRank = c - '1';
      else if (c == 'x' && i == end - 3) continue;
      else throw new SanException(san, "unparseable move");
    }
    if (pieceType == Board.PAWN && fromFile < 0) fromFile = to & 7;
    if (pieceType != Board.PAWN && promotion != 0)
      throw new SanException(san, "only pawns promote");
    int n = MoveGenerator.generate(board, moves, 1L << to);

    int found = 0, match = 0;
    for (int i = 0; i < n; i++) {
      int m = moves[i];
      int from = Move.from(m);
      if (Move.to(m) != to
          || board.pieceAt(from) % 6 != pieceType
          || Move.promotion(m) != promotion) continue;
      if (fromFile >= 0 && (from & 7) != fromFile) continue;
      if (fromRank >= 0 && (from >> 3) != fromRank) continue;
      match = m;
      found++;
    }
    if (found == 1) return match;
    if (found > 1) throw new SanException(san, "ambiguous move");
    if (pieceType == Board.PAWN && promotion == 0 && (to >> 3 == 0 || to >> 3 == 7)) {
      throw new SanException(san, "illegal move (a pawn reaching the last rank must promote)");
    }
    throw new SanException(san, "illegal move");
  }

  private static boolean isRank(char c) {
    return c >= '1' && c <= '8';
  }

  private static String stripSuffixes(String san) {
    int end = san.length();
    while (end > 0 && "!?".indexOf(san.charAt(end - 1)) >= 0) end--;
    if (end > 0 && "+#".indexOf(san.charAt(end - 1)) >= 0) end--;
    return san.substring(0, end);
  }

  private static int castle(Board board, int[] moves, int n, int kingToFile, String san) {
    for (int i = 0; i < n; i++) {
      if (Move.kind(moves[i]) == Move.CASTLE && (Move.to(moves[i]) & 7) == kingToFile)
        return moves[i];
    }
    throw new SanException(san, "illegal move (castling not possible)");
  }
}
