package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.instanceOf;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgnReaderTest {
  private static final String THREE_GAMES =
      """
      [Event "one"]
      [Site "https://lichess.org/aaaaaaaa"]
      [Result "1-0"]

      1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0

      [Event "two"]
      [Result "0-1"]

      1. d4 d5 2. Bf4 Kd7?? 3. Bxd5 Ke6 0-1

      [Event "three"]
      [Result "*"]

      1. c4 *
      """;

  static List<PgnRecord> read(String pgn) throws IOException {
    List<PgnRecord> out = new ArrayList<>();
    try (PgnReader r =
        new PgnReader(new ByteArrayInputStream(pgn.getBytes(StandardCharsets.UTF_8)))) {
      r.forEachRemaining(out::add);
    }
    return out;
  }

  static PgnGame game(PgnRecord r) {
    assertThat(r.toString(), r, instanceOf(PgnGame.class));
    return (PgnGame) r;
  }

  static PgnError error(PgnRecord r) {
    assertThat(r.toString(), r, instanceOf(PgnError.class));
    return (PgnError) r;
  }

  static String lastFen(PgnGame g) {
    List<Board> positions = GamePositions.list(g);
    return positions.isEmpty() ? g.startFen() : positions.get(positions.size() - 1).fen();
  }

  @Test
  void badMoveInGameTwoIsReportedAndGamesOneAndThreeAreRead() throws IOException {
    List<PgnRecord> records = read(THREE_GAMES);
    assertThat(records, hasSize(3));
    PgnGame one = game(records.get(0));
    assertThat(one.gameNumber(), equalTo(1L));
    assertThat(one.byteOffset(), equalTo(0L));
    assertThat(one.tags().keySet(), contains("Event", "Site", "Result"));
    assertThat(one.sanMoves(), contains("e4", "e5", "Qh5", "Nc6", "Bc4", "Nf6", "Qxf7#"));
    assertThat(one.result(), equalTo("1-0"));

    PgnError two = error(records.get(1));
    assertThat(two.gameNumber(), equalTo(2L));
    assertThat(two.byteOffset(), equalTo((long) THREE_GAMES.indexOf("[Event \"two\"]")));
    assertThat(two.moveText(), equalTo("Bxd5"));
    assertThat(two.reason(), containsString("illegal move"));
    assertThat(two.tags().get("Event"), equalTo("two"));

    PgnGame three = game(records.get(2));
    assertThat(three.gameNumber(), equalTo(3L));
    assertThat(three.byteOffset(), equalTo((long) THREE_GAMES.indexOf("[Event \"three\"]")));
    assertThat(three.sanMoves(), contains("c4"));
    assertThat(three.result(), equalTo("*"));
  }

  @Test
  void crlfGivesTheSameGamesAndOffsetsOfTheCrlfBytes() throws IOException {
    String crlf = THREE_GAMES.replace("\n", "\r\n");
    List<PgnRecord> records = read(crlf);
    assertThat(records, hasSize(3));
    assertThat(game(records.get(0)).sanMoves(), equalTo(game(read(THREE_GAMES).get(0)).sanMoves()));
    assertThat(game(records.get(0)).tags().get("Site"), equalTo("https://lichess.org/aaaaaaaa"));
    assertThat(records.get(2).byteOffset(), equalTo((long) crlf.indexOf("[Event \"three\"]")));
    assertThat(error(records.get(1)).moveText(), equalTo("Bxd5"));
  }

  @Test
  void commentsClocksNagsVariationsEscapesAndWrappedLines() throws IOException {
    String pgn =
        """
        % an escape line: 1. h4 is not a move
        [Event "busy"]
        [Result "1/2-1/2"]

        1. e4 { [%clk 0:03:00] [%eval 0.2] } 1... e5 $1 { a
        comment over [%clk 0:02:59]
        three lines } 2. Nf3 ; rest of line ignored: 2... a6
        2... Nc6 (2... d6 3. d4 (3. Bc4 Be7) exd4) 3. Bb5!? a6?! 4. Ba4 $14
        % 4... b5 skipped as an escape line
        4...
        Nf6 5. O-O Be7 6. Re1 b5 7. Bb3 d6 8. c3 O-O 1/2-1/2
        """;
    List<PgnRecord> records = read(pgn);
    assertThat(records, hasSize(1));
    PgnGame g = game(records.get(0));
    assertThat(g.byteOffset(), equalTo((long) pgn.indexOf("[Event")));
    assertThat(
        g.sanMoves(),
        contains(
            "e4", "e5", "Nf3", "Nc6", "Bb5!?", "a6?!", "Ba4", "Nf6", "O-O", "Be7", "Re1", "b5",
            "Bb3", "d6", "c3", "O-O"));
    assertThat(g.result(), equalTo("1/2-1/2"));
    assertThat(
        lastFen(g),
        equalTo("r1bq1rk1/2p1bppp/p1np1n2/1p2p3/4P3/1BP2N2/PP1P1PPP/RNBQR1K1 w - - 1 9"));
  }

  @Test
  void setUpAndFenStartFromThatPosition() throws IOException {
    List<PgnRecord> records =
        read(
            """
        [Event "from position"]
        [SetUp "1"]
        [FEN "4k3/8/8/8/8/8/4P3/4K3 w - - 0 40"]
        [Result "*"]

        40. e4 Kd7 41. e5 *
        """);
    PgnGame g = game(records.get(0));
    assertThat(g.startFen(), equalTo("4k3/8/8/8/8/8/4P3/4K3 w - - 0 40"));
    assertThat(lastFen(g), equalTo("8/3k4/8/4P3/8/8/8/4K3 b - - 0 41"));
  }

  @Test
  void badFenTagIsAnErrorAndTheNextGameIsRead() throws IOException {
    List<PgnRecord> records =
        read(
            """
        [FEN "4k3/8/8/8/8/8/8/8 w - - 0 1"]

        1. e4 *

        1. d4 d5 *
        """);
    assertThat(records, hasSize(2));
    assertThat(error(records.get(0)).reason(), containsString("bad FEN tag"));
    assertThat(error(records.get(0)).moveText(), equalTo("4k3/8/8/8/8/8/8/8 w - - 0 1"));
    assertThat(game(records.get(1)).sanMoves(), contains("d4", "d5"));
    assertThat(game(records.get(1)).gameNumber(), equalTo(2L));
  }

  @Test
  void gamesWithoutTags() throws IOException {
    String pgn = "1. e4 e5 1-0\n\n1. d4\n0-1\n";
    List<PgnRecord> records = read(pgn);
    assertThat(records, hasSize(2));
    assertThat(game(records.get(0)).tags().isEmpty(), equalTo(true));
    assertThat(game(records.get(0)).sanMoves(), contains("e4", "e5"));
    assertThat(game(records.get(1)).sanMoves(), contains("d4"));
    assertThat(records.get(1).byteOffset(), equalTo((long) pgn.indexOf("1. d4")));
  }

  @Test
  void truncatedFinalGameIsAnError() throws IOException {
    List<PgnRecord> records = read(THREE_GAMES + "\n[Event \"four\"]\n\n1. e4 e5 2. Nf3");
    assertThat(records, hasSize(4));
    PgnError four = error(records.get(3));
    assertThat(four.gameNumber(), equalTo(4L));
    assertThat(four.reason(), containsString("truncated"));
  }

  @Test
  void gameCutOffByTheNextGameIsAnError() throws IOException {
    List<PgnRecord> records = read("[Event \"a\"]\n\n1. e4 e5\n\n[Event \"b\"]\n\n1. d4 1-0\n");
    assertThat(records, hasSize(2));
    assertThat(error(records.get(0)).reason(), containsString("truncated"));
    assertThat(game(records.get(1)).sanMoves(), contains("d4"));
  }

  @Test
  void unparseableMoveAndMalformedTag() throws IOException {
    List<PgnRecord> records =
        read("[Event \"a\"]\n\n1. e4 e5 2. Xx9 Nf6 1-0\n\n[Event \"b\n\n1. d4 1-0\n");
    PgnError bad = error(records.get(0));
    assertThat(bad.moveText(), equalTo("Xx9"));
    assertThat(bad.reason(), containsString("unparseable"));
    assertThat(error(records.get(1)).reason(), containsString("malformed tag"));
  }

  @Test
  void tagValuesKeepEscapesAndUtf8() throws IOException {
    PgnGame g = game(read("[White \"Bj\u00f6rn \\\"the \\\\ rook\\\"\"]\n\n*\n").get(0));
    assertThat(g.tags().get("White"), equalTo("Bj\u00f6rn \"the \\ rook\""));
    assertThat(g.sanMoves(), empty());
    assertThat(g.result(), equalTo("*"));
  }

  @Test
  void moveNumbersGluedToMoves() throws IOException {
    PgnGame g = game(read("1.e4 e5 2.Nf3 2...Nc6 3.Bb5 *").get(0));
    assertThat(g.sanMoves(), contains("e4", "e5", "Nf3", "Nc6", "Bb5"));
  }
}
