package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;

/**
 * Tokens and FENs of every position of the 50-game file equal the python-chess golden file, row by
 * row.
 */
class GoldenTokensTest {
  @Test
  void everyRowMatches() throws IOException {
    List<String> ours = new ArrayList<>();
    try (PgnReader reader =
        new PgnReader(
            getClass()
                .getResourceAsStream("/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn"))) {
      while (reader.hasNext()) {
        PgnRecord record = reader.next();
        assertThat(record.toString(), record, instanceOf(PgnGame.class));
        PgnGame game = (PgnGame) record;
        ours.add(row(game.gameNumber(), 0, game.startBoard()));
        GamePositions.forEach(
            game, (ply, move, board) -> ours.add(row(game.gameNumber(), ply, board)));
      }
    }
    List<String> golden = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                getClass().getResourceAsStream("/chess/tokens_lichess_2013-01_truncated_50.tsv"),
                StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) golden.add(line);
    }
    assertThat(golden.size(), equalTo(3441));
    for (int i = 0; i < golden.size(); i++) {
      assertThat("row " + (i + 1), ours.get(i), equalTo(golden.get(i)));
    }
    assertThat(ours.size(), equalTo(golden.size()));
  }

  private static String row(long game, int ply, Board board) {
    StringJoiner tokens = new StringJoiner(",");
    for (byte t : TokenSequence.encode(board)) tokens.add(Integer.toString(t));
    return game + "\t" + ply + "\t" + board.fen() + "\t" + tokens;
  }
}
