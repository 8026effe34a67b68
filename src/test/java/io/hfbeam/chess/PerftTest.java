package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every entry of perft.epd at every depth whose expected node count is at most 10,000,000. */
class PerftTest {
  private static final long MAX_NODES = 10_000_000L;
  private static long totalNodes;
  private static long totalNanos;

  static Stream<Arguments> entries() throws IOException {
    List<Arguments> out = new ArrayList<>();
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(
                PerftTest.class.getResourceAsStream("/chess/perft.epd"), StandardCharsets.UTF_8))) {
      int lineNo = 0;
      for (String line; (line = r.readLine()) != null; ) {
        lineNo++;
        if (line.isBlank()) continue;
        String[] parts = line.split(";");
        for (int i = 1; i < parts.length; i++) {
          String[] dn = parts[i].trim().split("\\s+");
          long expected = Long.parseLong(dn[1]);
          if (expected <= MAX_NODES) {
            out.add(
                Arguments.of(
                    lineNo, parts[0].trim(), Integer.parseInt(dn[0].substring(1)), expected));
          }
        }
      }
    }
    return out.stream();
  }

  @ParameterizedTest(name = "line {0} depth {2}")
  @MethodSource("entries")
  void perftMatches(int line, String fen, int depth, long expected) {
    Board board = Board.fromFen(fen);
    long t0 = System.nanoTime();
    long nodes = board.perft(depth);
    synchronized (PerftTest.class) {
      totalNanos += System.nanoTime() - t0;
      totalNodes += nodes;
    }
    assertThat(fen + " depth " + depth, nodes, equalTo(expected));
    assertThat("perft leaves the board unchanged", board.fen(), equalTo(Board.fromFen(fen).fen()));
  }

  @Test
  void depthZeroIsOneNode() {
    assertThat(Board.startingPosition().perft(0), is(1L));
  }

  @AfterAll
  static void report() {
    if (totalNanos > 0) {
      System.out.printf(
          "perft: %,d nodes in %.1f s = %.1f M nodes/s%n",
          totalNodes, totalNanos / 1e9, totalNodes / (totalNanos / 1e3));
    }
  }
}
