package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SanTest {
  private static String uci(String fen, String san) {
    return Move.uci(San.parse(Board.fromFen(fen), san));
  }

  @ParameterizedTest(name = "{1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        // plain moves, captures with and without x, marks and annotations
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | e4 | e2e4",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | Nf3!? | g1f3",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | e3?! | e2e3",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | d4!! | d2d4",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | a3?? | a2a3",
        "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2 | exd5 | e4d5",
        "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2 | ed5 | e4d5",
        "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2 | Bb5+ | f1b5",
        "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2 | Qxh5 | d1h5",
        "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1 | Ra8# | a1a8",
        "6k1/5ppp/8/8/8/8/8/R5K1 w - - 0 1 | Ra8#! | a1a8",
        // disambiguation by file, rank and square
        "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1 | Nbd2 | b1d2",
        "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1 | Nfxd2 | f1d2",
        "4k3/R7/8/8/8/8/8/R3K3 w - - 0 1 | R1a4 | a1a4",
        "4k3/R7/8/8/8/8/8/R3K3 w - - 0 1 | R7a4 | a7a4",
        "1k6/8/8/8/4Q2Q/8/8/K6Q w - - 0 1 | Qh4e1 | h4e1",
        "1k6/8/8/8/4Q2Q/8/8/K6Q w - - 0 1 | Qe4e1 | e4e1",
        // castling in both notations
        "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1 | O-O | e1g1",
        "r3k2r/8/8/8/8/8/8/R3K2R w KQkq - 0 1 | 0-0-0 | e1c1",
        "r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1 | O-O-O+ | e8c8",
        "r3k2r/8/8/8/8/8/8/R3K2R b KQkq - 0 1 | 0-0 | e8g8",
        // promotions with and without '=', underpromotion, capture-promotion
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | a8=Q+ | a7a8q",
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | a8N | a7a8n",
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | axb8=R+ | a7b8r",
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | axb8B | a7b8b",
        // en passant
        "4k3/8/8/3pP3/8/8/8/4K3 w - d6 0 2 | exd6 | e5d6",
      })
  void parsesLegalMoves(String fen, String san, String expected) {
    assertThat(uci(fen, san), equalTo(expected));
  }

  @ParameterizedTest(name = "{1}: {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | e5 | illegal move",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | Ke2 | illegal move",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | O-O | castling not possible",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | Zf3 | unparseable",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | e9 | unparseable",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | -- | unparseable",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1 | Nf3xx | unparseable",
        "4k3/8/8/8/8/8/8/1N2KN2 w - - 0 1 | Nd2 | ambiguous",
        "1k6/8/8/8/4Q2Q/8/8/K6Q w - - 0 1 | Qe1 | ambiguous",
        "1k6/8/8/8/4Q2Q/8/8/K6Q w - - 0 1 | Qhe1 | ambiguous",
        "1k6/8/8/8/4Q2Q/8/8/K6Q w - - 0 1 | Q4e1 | ambiguous",
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | a8 | must promote",
        "1r2k3/P7/8/8/8/8/8/4K3 w - - 0 1 | a8=K | unparseable",
        "rnbqkbnr/ppp1pppp/8/3p4/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 0 2 | d5 | illegal move",
        // pinned knight cannot move; king cannot walk into check
        "4k3/4r3/8/8/8/8/4N3/4K3 w - - 0 1 | Nc3 | illegal move",
        "4k3/8/8/8/8/8/3r4/4K3 w - - 0 1 | Kd1 | illegal move",
      })
  void rejectsWithReason(String fen, String san, String reason) {
    SanException e = assertThrows(SanException.class, () -> San.parse(Board.fromFen(fen), san));
    assertThat(e.getMessage(), containsString(reason));
    assertThat(e.san(), equalTo(san));
  }

  @Test
  void playsAGameToCheckmate() {
    Board b = Board.startingPosition();
    for (String san : "f3 e5 g4 Qh4#".split(" ")) b.play(San.parse(b, san));
    assertThat(b.fen(), equalTo("rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3"));
    assertThat(b.inCheck(), equalTo(true));
    assertThat(b.legalMoves(new int[256]), equalTo(0));
  }
}
