package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FenTest {
  @Test
  void everyPerftPositionRoundTrips() throws IOException {
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                FenTest.class.getResourceAsStream("/chess/perft.epd"), StandardCharsets.UTF_8))) {
      int checked = 0;
      for (String line; (line = r.readLine()) != null; ) {
        String fen = line.split(";")[0].trim();
        Board b = Board.fromFen(fen);
        // The suite writes en-passant squares even when no capture is legal; compare through a
        // second parse.
        assertThat(Board.fromFen(b.fen()).fen(), equalTo(b.fen()));
        if (b.legalEpSquare() == b.epSquare()) assertThat(b.fen(), equalTo(fen));
        checked++;
      }
      assertThat(checked, equalTo(138));
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        // en-passant written only when a capture is legal (python-chess Board.fen())
        "rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1 | rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1",
        "rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1 | rnbqkbnr/ppp1pppp/8/8/3pP3/8/PPPP1PPP/RNBQKBNR b KQkq e3 0 1",
        // capture would expose the king along the rank: not legal, so not written
        "8/8/8/8/k2pP2R/8/8/4K3 b - e3 0 1 | 8/8/8/8/k2pP2R/8/8/4K3 b - - 0 1",
        // counters default when missing; castling rights without their rook are dropped
        "4k3/8/8/8/8/8/8/4K2R w KQ - | 4k3/8/8/8/8/8/8/4K2R w K - 0 1",
      })
  void writesLikePythonChess(String in, String out) {
    assertThat(Board.fromFen(in).fen(), equalTo(out));
  }

  @Test
  void countersFollowMoves() {
    Board b = Board.startingPosition();
    for (String san : "Nf3 Nf6 Ng1 Ng8 e4".split(" ")) b.play(San.parse(b, san));
    assertThat(b.fen(), equalTo("rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 3"));
    b.play(San.parse(b, "Nc6"));
    assertThat(b.fen(), equalTo("r1bqkbnr/pppppppp/2n5/8/4P3/8/PPPP1PPP/RNBQKBNR w KQkq - 1 4"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "8/8/8/8/8/8/8/8 w - - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP w KQkq - 0 1",
        "rnbqkbnr/pppppppp/9/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR x KQkq - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkz - 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq e3 0 1",
        "rnbqkbnr/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - x 1",
        "rnbqkbnX/pppppppp/8/8/8/8/PPPPPPPP/RNBQKBNR w KQkq - 0 1",
        "4k3/8/8/8/8/8/8/4K2P w - - 0 1",
        "4k3/4R3/8/8/8/8/8/4K3 w - - 0 1",
      })
  void rejectsBadFen(String fen) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Board.fromFen(fen));
    assertThat(e.getMessage(), containsString("invalid FEN"));
  }
}
