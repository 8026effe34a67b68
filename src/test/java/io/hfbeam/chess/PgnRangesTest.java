package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgnRangesTest {
  static final Path FILE_5000 =
      Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn")
          .toAbsolutePath(); // the sample users run, one copy

  static Path resource(String name) {
    try {
      return Path.of(PgnRangesTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads every range and checks that together they give each game once, with all positions. */
  private static void assertCoversAllGamesOnce(List<PgnRanges.ByteRange> ranges)
      throws IOException {
    Set<Long> offsets = new HashSet<>();
    long games = 0, positions = 0;
    for (PgnRanges.ByteRange range : ranges) {
      try (PgnReader reader = PgnRanges.read(FILE_5000, range.start(), range.end())) {
        while (reader.hasNext()) {
          PgnRecord record = reader.next();
          assertThat(record.toString(), record, instanceOf(PgnGame.class));
          assertThat(
              "game at " + record.byteOffset() + " read twice",
              offsets.add(record.byteOffset()),
              equalTo(true));
          games++;
          positions += ((PgnGame) record).moves().length;
        }
      }
    }
    assertThat(games, equalTo(5000L));
    assertThat(positions, equalTo(327_416L));
  }

  @Test
  void sevenRangesYieldEveryGameOnce() throws IOException {
    List<PgnRanges.ByteRange> ranges = PgnRanges.split(FILE_5000, 7);
    assertThat(ranges.size(), equalTo(7));
    assertThat(ranges.get(0).start(), equalTo(0L));
    assertThat(ranges.get(6).end(), equalTo(Files.size(FILE_5000)));
    for (int i = 1; i < ranges.size(); i++)
      assertThat(ranges.get(i).start(), equalTo(ranges.get(i - 1).end()));
    assertCoversAllGamesOnce(ranges);
  }

  @Test
  void arbitraryCutPointsMeetAtTheSameGameBoundaries() throws IOException {
    long size = Files.size(FILE_5000);
    long[] cuts = {0, 1, 12_345, 12_346, 1_000_000, 1_000_001, 2_222_222, size - 10, size};
    List<PgnRanges.ByteRange> ranges = new ArrayList<>();
    for (int i = 1; i < cuts.length; i++) ranges.add(new PgnRanges.ByteRange(cuts[i - 1], cuts[i]));
    assertCoversAllGamesOnce(ranges);
  }

  @Test
  void nextGameStartFindsTheEventLine() throws IOException {
    byte[] bytes = Files.readAllBytes(FILE_5000);
    try (FileChannel ch = FileChannel.open(FILE_5000)) {
      long start = PgnRanges.nextGameStart(ch, 100);
      assertThat(new String(bytes, (int) start, 7), equalTo("[Event "));
      assertThat(bytes[(int) start - 1], equalTo((byte) '\n'));
      assertThat(PgnRanges.nextGameStart(ch, start), equalTo(start));
      assertThat(PgnRanges.nextGameStart(ch, start + 1) > start, equalTo(true));
    }
  }

  @Test
  void boundaryAfterTaglessGameIsTheFirstTagLineAfterABlankLine(@TempDir Path dir)
      throws IOException {
    String pgn = "1. e4 e5 *\n\n[White \"x\"]\n\n1. d4 *\n";
    Path file = Files.writeString(dir.resolve("t.pgn"), pgn);
    try (FileChannel ch = FileChannel.open(file)) {
      assertThat(PgnRanges.nextGameStart(ch, 1), equalTo((long) pgn.indexOf("[White")));
    }
  }
}
