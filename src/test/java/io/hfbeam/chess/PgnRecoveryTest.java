package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broken PGN never hangs the reader and costs only the game it is in; cutting a file into ranges
 * changes nothing.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PgnRecoveryTest {
  @TempDir Path tmp;

  static List<PgnRecord> read(String pgn) {
    return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> PgnReaderTest.read(pgn));
  }

  @Test
  void aStrayClosingBraceFailsItsGameAndTheNextGameIsRead() {
    String pgn = "[Event \"a\"]\n\n1. e4 } e5 *\n\n[Event \"b\"]\n\n1. d4 *\n";
    List<PgnRecord> records = read(pgn);
    assertThat(records, hasSize(2));
    PgnError bad = PgnReaderTest.error(records.get(0));
    assertThat(bad.gameNumber(), equalTo(1L));
    assertThat(bad.byteOffset(), equalTo(0L));
    assertThat(bad.moveText(), equalTo("}"));
    assertThat(bad.reason(), containsString("'}' outside a comment at byte " + pgn.indexOf('}')));
    assertThat(PgnReaderTest.game(records.get(1)).sanMoves(), contains("d4"));
  }

  @Test
  void strayBracesBetweenAndWithoutGamesEnd() {
    assertThat(read("}"), hasSize(1));
    assertThat(read("}}}\n}\n"), hasSize(1));
    assertThat(read("1. e4 e5 1-0 }\n\n1. d4 *\n"), hasSize(2));
  }

  @Test
  void anUnclosedCommentFailsItsGameAndReadingResumesAtTheNextTagSectionAfterABlankLine() {
    String pgn =
        """
        [Event "a"]

        1. e4 { never closed e5 1-0
        [Event "still the comment"]

        [Event "b"]

        1. d4 d5 *

        [Event "c"]

        1. c4 *
        """;
    List<PgnRecord> records = read(pgn);
    assertThat(records, hasSize(3));
    PgnError a = PgnReaderTest.error(records.get(0));
    assertThat(
        a.reason(), containsString("unclosed '{' comment opened at byte " + pgn.indexOf('{')));
    assertThat(a.moveText(), equalTo("{ never closed e5 1-0"));
    PgnGame b = PgnReaderTest.game(records.get(1));
    assertThat(b.tags().get("Event"), equalTo("b"));
    assertThat(b.gameNumber(), equalTo(2L));
    assertThat(b.byteOffset(), equalTo((long) pgn.indexOf("[Event \"b\"]")));
    assertThat(PgnReaderTest.game(records.get(2)).sanMoves(), contains("c4"));
  }

  @Test
  void anUnclosedCommentAtTheEndIsReported() {
    List<PgnRecord> records = read("[Event \"a\"]\n\n1. e4 e5 1-0\n\n{ trailing\n");
    assertThat(records, hasSize(2));
    PgnReaderTest.game(records.get(0));
    assertThat(
        PgnReaderTest.error(records.get(1)).reason(), containsString("unclosed '{' comment"));
  }

  /** Valid PGN whose comments hold tag-like lines, and broken games, one after another. */
  static String tricky() throws IOException {
    try (InputStream in = PgnRecoveryTest.class.getResourceAsStream("/pgn/tricky.pgn")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyCutGivesTheGamesOfTheWholeFile() throws IOException {
    Path file = Files.write(tmp.resolve("tricky.pgn"), tricky().getBytes(StandardCharsets.UTF_8));
    assertEveryCutMatchesWhole(file);
    Path crlf =
        Files.write(
            tmp.resolve("crlf.pgn"),
            tricky().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8));
    assertEveryCutMatchesWhole(crlf);
  }

  @Test
  void theCommentWithATagLineIsOneValidGameWhereverTheFileIsCut() throws IOException {
    String pgn = tricky().substring(0, tricky().indexOf("[Event \"b\"]"));
    Path file = Files.write(tmp.resolve("one.pgn"), pgn.getBytes(StandardCharsets.UTF_8));
    for (long cut = 0; cut <= pgn.length(); cut++) {
      List<String> got = readRanges(file, new long[] {0, cut, pgn.length()});
      assertThat("cut at " + cut, got, hasSize(1));
      assertThat(
          "cut at " + cut, got.get(0), containsString("[e4, e5, Qh5, Nc6, Bc4, Nf6, Qxf7#]"));
    }
  }

  static void assertEveryCutMatchesWhole(Path file) throws IOException {
    long size = Files.size(file);
    List<String> whole = new ArrayList<>();
    try (PgnReader r = PgnReader.open(file)) {
      r.forEachRemaining(rec -> whole.add(describe(rec, 0)));
    }
    assertThat(readRanges(file, new long[] {0, size}), equalTo(whole));
    for (long cut = 0; cut <= size; cut++) {
      assertThat("one cut at " + cut, readRanges(file, new long[] {0, cut, size}), equalTo(whole));
    }
    for (int chunk : new int[] {1, 2, 7, 31, 100, 257}) {
      for (int phase = 0; phase < chunk && phase < size; phase++) {
        List<Long> cuts = new ArrayList<>(List.of(0L));
        for (long c = phase; c < size; c += chunk) if (c > 0) cuts.add(c);
        cuts.add(size);
        long[] a = cuts.stream().mapToLong(Long::longValue).toArray();
        assertThat("chunks of " + chunk + " from " + phase, readRanges(file, a), equalTo(whole));
      }
    }
  }

  /**
   * Reads consecutive ranges [cuts[i], cuts[i+1]); game numbers count on from the ranges before, as
   * the runs do.
   */
  static List<String> readRanges(Path file, long[] cuts) throws IOException {
    List<String> out = new ArrayList<>();
    long before = 0;
    for (int i = 1; i < cuts.length; i++) {
      long n = 0;
      try (PgnReader r = PgnRanges.read(file, cuts[i - 1], cuts[i])) {
        while (r.hasNext()) {
          out.add(describe(r.next(), before));
          n++;
        }
      }
      before += n;
    }
    return out;
  }

  static String describe(PgnRecord rec, long before) {
    String head = "#" + (before + rec.gameNumber()) + " @" + rec.byteOffset() + " ";
    if (rec instanceof PgnGame g)
      return head + g.tags() + " " + g.startFen() + " " + g.sanMoves() + " " + g.result();
    PgnError e = (PgnError) rec;
    return head + "error " + e.reason() + " '" + e.moveText() + "' " + e.tags();
  }

  @Test
  void aLineLongerThanTheLimitFailsItsGameAndTheGamesAroundItAreRead() throws IOException {
    String longMoves = "1. e4 e5 ".repeat(LineInput.DEFAULT_MAX_LINE / 9 + 10);
    String pgn =
        "[Event \"a\"]\n\n1. d4 *\n\n[Event \"long\"]\n\n"
            + longMoves
            + "*\n\n[Event \"c\"]\n\n1. c4 *\n";
    List<PgnRecord> records = read(pgn);
    assertThat(records, hasSize(3));
    assertThat(PgnReaderTest.game(records.get(0)).sanMoves(), contains("d4"));
    PgnError bad = PgnReaderTest.error(records.get(1));
    assertThat(bad.gameNumber(), equalTo(2L));
    assertThat(bad.reason(), containsString("longer than 16 MiB"));
    assertThat(bad.moveText().length() <= 200, equalTo(true));
    assertThat(PgnReaderTest.game(records.get(2)).sanMoves(), contains("c4"));
    // a range cut inside the long line starts at the next game, as the whole-file reader sees it
    Path f = tmp.resolve("long.pgn");
    Files.writeString(f, pgn);
    try (var ch = Files.newByteChannel(f)) {
      assertThat(
          PgnRanges.nextGameStart(ch, pgn.indexOf(longMoves) + 1000),
          equalTo((long) pgn.indexOf("[Event \"c\"]")));
    }
  }
}
