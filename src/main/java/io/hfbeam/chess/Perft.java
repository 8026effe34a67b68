package io.hfbeam.chess;

/**
 * Perft: the number of leaf nodes of the legal move tree. At depth 1 the legal move count is the
 * answer ("bulk counting"), so the last ply is generated but never played.
 */
final class Perft {
  private Perft() {}

  static long count(Board board, int depth) {
    if (depth == 0) return 1;
    return count(board, depth, new int[depth][256]);
  }

  private static long count(Board board, int depth, int[][] buffers) {
    int[] moves = buffers[depth - 1];
    int n = MoveGenerator.generate(board, moves);
    if (depth == 1) return n;
    long nodes = 0;
    for (int i = 0; i < n; i++) {
      long undo = board.make(moves[i]);
      nodes += count(board, depth - 1, buffers);
      board.unmake(moves[i], undo);
    }
    return nodes;
  }
}
