package io.hfbeam.bench;

import io.hfbeam.chess.GamePositions;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.chess.TokenSequence;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The no-Beam limit of the chess workflow's CPU work: parse a PGN file (plain or compressed),
 * replay every game and token-encode every position after each move, on one thread. Prints
 * positions/s per round; the first rounds include JIT warm-up, so pass several rounds and read the
 * last.
 *
 * <p>Usage: {@code ChessThroughput FILE [ROUNDS]}
 */
public final class ChessThroughput {
  private ChessThroughput() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: ChessThroughput FILE [ROUNDS]");
      System.exit(2);
    }
    Path file = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    for (int round = 1; round <= rounds; round++) {
      long t0 = System.nanoTime();
      Result r = run(file);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "round %d: %,d games, %,d errors, %,d positions in %.3f s = %,.0f positions/s (checksum %d)%n",
          round, r.games, r.errors, r.positions, seconds, r.positions / seconds, r.checksum);
    }
  }

  private static final class Result {
    long games;
    long errors;
    long positions;
    long checksum;
  }

  private static Result run(Path file) throws IOException {
    Result r = new Result();
    byte[] tokens = new byte[TokenSequence.LENGTH];
    try (PgnReader reader = PgnReader.open(file)) {
      while (reader.hasNext()) {
        PgnRecord record = reader.next();
        if (!(record instanceof PgnGame game)) {
          r.errors++;
          continue;
        }
        r.games++;
        GamePositions.forEach(
            game,
            (ply, move, board) -> {
              TokenSequence.encodeInto(board, tokens, 0);
              r.positions++;
              // Folding the tokens into a checksum keeps the JIT from discarding the encoding work.
              r.checksum = r.checksum * 31 + tokens[ply % TokenSequence.LENGTH];
            });
      }
    }
    return r;
  }
}
