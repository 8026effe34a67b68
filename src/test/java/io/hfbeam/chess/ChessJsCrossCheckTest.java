package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.testing.NodeEnv;
import io.hfbeam.testing.PythonEnv;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent implementation, chess.js ({@code loadPgn}, then its verbose history), replays all
 * 5000 games of the 5000-game file; every FEN after every move (327,416 positions) must equal ours.
 * chess.js writes "game TAB ply TAB fen" lines to a file that is then compared line by line with
 * our replay, so neither side holds all positions in memory.
 */
class ChessJsCrossCheckTest {
  private static final String SCRIPT =
      """
      import { Chess } from 'chess.js';
      import fs from 'node:fs';
      const text = fs.readFileSync(process.env.PGN, 'utf8');
      const games = text.split(/\\n\\n(?=\\[Event )/).filter(g => g.trim().length > 0);
      const out = fs.openSync(process.env.OUT, 'w');
      let buf = [];
      games.forEach((pgn, i) => {
        const chess = new Chess();
        chess.loadPgn(pgn);
        // Verbose history replays the game inside chess.js; each move carries the FEN after it.
        chess.history({ verbose: true }).forEach((m, ply) => buf.push(`${i + 1}\\t${ply + 1}\\t${m.after}`));
        if (buf.length > 10000) { fs.writeSync(out, buf.join('\\n') + '\\n'); buf = []; }
      });
      if (buf.length) fs.writeSync(out, buf.join('\\n') + '\\n');
      fs.closeSync(out);
      console.log(`games ${games.length}`);
      """;

  @Test
  void everyPositionMatchesChessJs(@TempDir Path dir) throws IOException {
    assumeTrue(NodeEnv.available(), "node/npm missing: " + NodeEnv.skipReason());
    Path pgn = PgnRangesTest.FILE_5000;
    Path theirs = dir.resolve("chessjs.tsv");
    long t0 = System.nanoTime();
    PythonEnv.Result run =
        NodeEnv.runScript(SCRIPT, Map.of("PGN", pgn.toString(), "OUT", theirs.toString()), 300);
    assertThat(run.output(), run.exitCode(), equalTo(0));
    System.out.printf("chess.js replayed the file in %.1f s%n", (System.nanoTime() - t0) / 1e9);

    List<String> mismatches = new ArrayList<>();
    long[] compared = {0};
    try (BufferedReader expected = Files.newBufferedReader(theirs, StandardCharsets.UTF_8);
        PgnReader reader = PgnReader.open(pgn)) {
      while (reader.hasNext()) {
        PgnGame game = PgnReaderTest.game(reader.next());
        GamePositions.forEach(
            game,
            (ply, move, board) -> {
              String ours = game.gameNumber() + "\t" + ply + "\t" + board.fen();
              String line = readLine(expected);
              compared[0]++;
              if (!ours.equals(line) && mismatches.size() < 10)
                mismatches.add("ours " + ours + " / chess.js " + line);
            });
      }
      assertThat("chess.js has extra positions", expected.readLine(), equalTo(null));
    }
    assertThat(mismatches, empty());
    assertThat(compared[0], equalTo(327_416L));
  }

  private static String readLine(BufferedReader r) {
    try {
      return r.readLine();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
