package io.hfbeam.chess;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a game's mainline: the positions after ply 1 .. n (the start position is not included).
 */
public final class GamePositions {
  /**
   * Receives each position; the board is reused and changes after the call returns, so copy what
   * you keep.
   */
  @FunctionalInterface
  public interface Visitor {
    void position(int ply, int move, Board board);
  }

  private GamePositions() {}

  public static void forEach(PgnGame game, Visitor visitor) {
    Board board = game.startBoard();
    int[] moves = game.moves();
    for (int i = 0; i < moves.length; i++) {
      board.play(moves[i]);
      visitor.position(i + 1, moves[i], board);
    }
  }

  /**
   * Snapshots of every position; convenient for small games and tests, allocates a board per ply.
   */
  public static List<Board> list(PgnGame game) {
    List<Board> out = new ArrayList<>(game.moves().length);
    forEach(game, (ply, move, board) -> out.add(board.copy()));
    return out;
  }
}
