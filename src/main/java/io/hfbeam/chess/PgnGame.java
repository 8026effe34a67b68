package io.hfbeam.chess;

import java.util.List;
import java.util.Map;

/**
 * A game whose mainline replays legally.
 *
 * @param tags tag pairs in file order (unmodifiable)
 * @param startFen the position before the first move: the FEN tag normalised, or the standard start
 * @param sanMoves the mainline moves as written (move numbers, comments and variations removed)
 * @param moves the same moves as {@link Move} ints, ready to {@link Board#play} from {@code
 *     startFen}
 * @param result the termination marker: {@code 1-0}, {@code 0-1}, {@code 1/2-1/2} or {@code *}
 */
public record PgnGame(
    long gameNumber,
    long byteOffset,
    Map<String, String> tags,
    String startFen,
    List<String> sanMoves,
    int[] moves,
    String result)
    implements PgnRecord {

  public Board startBoard() {
    return Board.fromFen(startFen);
  }
}
