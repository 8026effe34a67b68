package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.format.files.InputFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the PGN path: random bytes and random mutations of real games. Every run must
 * end (a deadline per case); a mutation confined to one game must leave every other game as it was;
 * and cutting the mutated file into chunks at random places must give the positions and failures of
 * the whole file.
 */
public class PgnFuzzTest {
  static final Path PGN50 =
      Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");
  static final long SEED = 20261204L;
  static final long DEADLINE_MS = 5_000;

  /** Stops early: each run that never ends leaves a spinning thread behind. */
  static final int MAX_PROBLEMS = 5;

  @TempDir Path tmp;
  ExecutorService worker = Executors.newSingleThreadExecutor(daemon());

  @AfterEach
  void stop() {
    worker.shutdownNow();
  }

  /**
   * The real games of the 50-game file, each its text from the first tag to the newline after its
   * result.
   */
  public static List<String> realGames() throws IOException {
    String all = Files.readString(PGN50);
    List<Integer> starts = new ArrayList<>();
    for (int i = all.indexOf("[Event "); i >= 0; i = all.indexOf("\n\n[Event ", i + 1))
      starts.add(i == 0 ? 0 : i + 2);
    List<String> games = new ArrayList<>();
    for (int k = 0; k < starts.size(); k++) {
      games.add(
          all.substring(
              starts.get(k), k + 1 < starts.size() ? starts.get(k + 1) - 1 : all.length()));
    }
    return games;
  }

  /**
   * A valid game with comments added after moves, as modern exports have: clocks, multi-line,
   * tag-like lines.
   */
  public static String withComments(String game, Random r) {
    int movetext = game.indexOf("\n\n") + 2;
    StringBuilder sb = new StringBuilder(game.substring(0, movetext));
    String[] tokens = game.substring(movetext, game.length() - 1).split(" ");
    for (int i = 0; i < tokens.length; i++) {
      String token = tokens[i];
      sb.append(token);
      if (i + 1 < tokens.length
          && !token.endsWith(".")
          && r.nextInt(3) == 0) { // the result ends the game's text
        sb.append(
            switch (r.nextInt(4)) {
              case 0 -> " { [%clk 0:00:10] }";
              case 1 -> " { a comment\nover two lines }";
              case 2 -> " { a comment\n[Event \"inside it\"]\n}";
              default -> " ; to the end of the line\n";
            });
      }
      sb.append(' ');
    }
    sb.setLength(sb.length() - 1);
    return sb.append('\n').toString();
  }

  static final String[] SPECIAL = {
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ";",
    "%",
    "\n",
    "\n\n",
    "\r",
    "\n[",
    "\n\n[",
    "$",
    "\"",
    "\\",
    ".",
    "*",
    "1-0",
    "\u0000",
    "\u00ff",
    "\n%",
    "{\n\n[Event \"x\"]\n"
  };

  public static byte[] mutate(byte[] in, int from, int to, Random r, StringBuilder log) {
    byte[] b = in;
    for (int m = 1 + r.nextInt(3); m > 0 && to >= from; m--) {
      int at = from + r.nextInt(to - from + 1);
      int op = r.nextInt(5);
      byte[] insert;
      int delete = 0;
      switch (op) {
        case 0 -> insert = new byte[] {(byte) r.nextInt(256)};
        case 1 -> {
          insert = new byte[0];
          delete = Math.min(to - at, 1 + r.nextInt(8));
        }
        case 2 -> {
          int n = Math.min(to - at, 1 + r.nextInt(20));
          insert = java.util.Arrays.copyOfRange(b, at, at + n);
        }
        default ->
            insert = SPECIAL[r.nextInt(SPECIAL.length)].getBytes(StandardCharsets.ISO_8859_1);
      }
      byte[] out = new byte[b.length - delete + insert.length];
      System.arraycopy(b, 0, out, 0, at);
      System.arraycopy(insert, 0, out, at, insert.length);
      System.arraycopy(b, at + delete, out, at + insert.length, b.length - at - delete);
      log.append(" op")
          .append(op)
          .append('@')
          .append(at)
          .append("-")
          .append(delete)
          .append('+')
          .append(insert.length);
      to += insert.length - delete;
      b = out;
    }
    return b;
  }

  public static byte[] randomBytes(Random r) {
    StringBuilder sb = new StringBuilder();
    String[] pieces = {
      "[Event \"x\"]",
      "[FEN \"8/8/8/8/8/8/8/K1k5 w - - 0 1\"]",
      "1.",
      "e4",
      "e5",
      "Nf3",
      "O-O",
      "{",
      "}",
      "(",
      ")",
      ";",
      "%",
      "*",
      "1-0",
      "\n",
      "\n\n",
      " ",
      "$1",
      "!?",
      "\r\n"
    };
    for (int n = r.nextInt(200); n > 0; n--) {
      if (r.nextInt(4) == 0) sb.append((char) r.nextInt(256));
      else sb.append(pieces[r.nextInt(pieces.length)]);
    }
    return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static final class Figures {
    long cases;
    long ended;
    long untouchedGames;
    long untouchedKept;
    long cutComparisons;
    long failures;
  }

  @Test
  void mutatedAndRandomPgnAlwaysEndsKeepsTheUntouchedGamesAndDoesNotDependOnCuts()
      throws Exception {
    Random r = new Random(SEED);
    List<String> games = realGames();
    Figures f = new Figures();
    List<String> problems = new ArrayList<>();
    for (int c = 0; c < 3000 && problems.size() < MAX_PROBLEMS; c++) {
      // a window of consecutive real games, one of them mutated (or the window truncated inside it)
      int first = r.nextInt(games.size() - 6);
      int count = 2 + r.nextInt(5);
      boolean comments = r.nextBoolean();
      List<String> texts = new ArrayList<>();
      for (int k = 0; k < count; k++)
        texts.add(comments ? withComments(games.get(first + k), r) : games.get(first + k));
      boolean crlf = r.nextInt(4) == 0;
      String window = String.join("\n", texts);
      if (crlf) window = window.replace("\n", "\r\n");
      byte[] clean = window.getBytes(StandardCharsets.UTF_8);
      List<PgnGame> expected = gamesOf(clean);
      if (expected.size() != count)
        throw new AssertionError("the clean window does not parse: " + first + " " + count);
      int target = r.nextInt(count);
      int from = (int) expected.get(target).byteOffset();
      int newline =
          crlf ? 2 : 1; // the mutated span ends before the newline ending the game's last line
      int to =
          (target + 1 < count
                  ? (int) expected.get(target + 1).byteOffset() - newline
                  : clean.length)
              - newline;
      StringBuilder log =
          new StringBuilder(
              "case "
                  + c
                  + " games "
                  + first
                  + "+"
                  + count
                  + " target "
                  + target
                  + (crlf ? " crlf" : ""));
      byte[] bytes;
      int keptBefore = count;
      if (r.nextInt(10) == 0) {
        int cut = from + r.nextInt(to - from);
        bytes = java.util.Arrays.copyOf(clean, cut);
        keptBefore = target;
        log.append(" truncated at ").append(cut);
      } else {
        bytes = mutate(clean, from, to, r, log);
      }
      long delta = bytes.length - clean.length;
      List<PgnRecord> records = within(log, () -> readAll(bytes), problems);
      f.cases++;
      if (records == null) continue;
      f.ended++;
      f.failures += records.stream().filter(rec -> rec instanceof io.hfbeam.chess.PgnError).count();
      for (int k = 0; k < Math.min(count, keptBefore); k++) {
        if (k == target) continue;
        PgnGame want = expected.get(k);
        long at = want.byteOffset() + (k > target ? delta : 0);
        f.untouchedGames++;
        if (records.stream()
            .anyMatch(rec -> rec instanceof PgnGame g && g.byteOffset() == at && same(g, want))) {
          f.untouchedKept++;
        } else {
          problems.add(log + ": game " + k + " at " + at + " lost");
        }
      }
      if (c % 3 == 0) compareCuts(bytes, r, log, f, problems);
    }
    for (int c = 0; c < 2000 && problems.size() < MAX_PROBLEMS; c++) {
      byte[] bytes = randomBytes(r);
      StringBuilder log = new StringBuilder("random case " + c);
      f.cases++;
      if (within(log, () -> readAll(bytes), problems) != null) f.ended++;
      if (c % 3 == 0) compareCuts(bytes, r, log, f, problems);
    }
    System.out.printf(
        "PGN fuzz (reader and positions, seed %d): %d cases tried, %d runs ended, %d of %d untouched games "
            + "kept, %d failures located in the mutated games, %d chunked runs equal to the whole file%n",
        SEED, f.cases, f.ended, f.untouchedKept, f.untouchedGames, f.failures, f.cutComparisons);
    assertThat(problems.subList(0, Math.min(20, problems.size())), empty());
    assertThat(f.ended, equalTo(f.cases));
    assertThat(f.untouchedKept, equalTo(f.untouchedGames));
  }

  /**
   * Positions and failures of the whole file equal those of the same file cut at a few random
   * places.
   */
  void compareCuts(byte[] bytes, Random r, StringBuilder log, Figures f, List<String> problems)
      throws IOException {
    Path file = Files.write(tmp.resolve("fuzz.pgn"), bytes);
    long size = bytes.length;
    List<InputFiles.Chunk> chunks = new ArrayList<>();
    long start = 0;
    for (int k = 0; k < 4 && start < size; k++) {
      long end = k == 3 ? size : Math.min(size, start + 1 + r.nextInt((int) Math.max(1, size / 2)));
      chunks.add(new InputFiles.Chunk(file.toString(), 0, k, start, end, false));
      start = end;
    }
    if (start < size)
      chunks.add(new InputFiles.Chunk(file.toString(), 0, chunks.size(), start, size, false));
    List<String> whole =
        within(log, () -> PgnChunkCutsTest.run(InputFiles.wholeFiles(List.of(file))), problems);
    List<String> cut =
        within(
            log.append(" cuts ").append(chunks.stream().map(InputFiles.Chunk::start).toList()),
            () -> PgnChunkCutsTest.run(chunks),
            problems);
    if (whole == null || cut == null) return;
    f.cutComparisons++;
    if (!whole.equals(cut)) problems.add(log + ": chunked output differs from the whole file's");
  }

  <T> T within(CharSequence what, Callable<T> work, List<String> problems) {
    Future<T> result = worker.submit(work);
    try {
      return result.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      problems.add(what + ": did not end within " + DEADLINE_MS + " ms");
      result.cancel(true);
      worker.shutdownNow(); // the stuck thread is a daemon; later cases get a fresh one
      worker = Executors.newSingleThreadExecutor(daemon());
    } catch (Exception e) {
      problems.add(what + ": " + e);
    }
    return null;
  }

  static java.util.concurrent.ThreadFactory daemon() {
    return task -> {
      Thread t = new Thread(task, "pgn-fuzz");
      t.setDaemon(true);
      return t;
    };
  }

  public static List<PgnRecord> readAll(byte[] bytes) throws IOException {
    List<PgnRecord> out = new ArrayList<>();
    try (PgnReader reader = new PgnReader(new ByteArrayInputStream(bytes))) {
      reader.forEachRemaining(out::add);
    }
    return out;
  }

  public static List<PgnGame> gamesOf(byte[] bytes) throws IOException {
    List<PgnGame> out = new ArrayList<>();
    for (PgnRecord rec : readAll(bytes)) if (rec instanceof PgnGame g) out.add(g);
    return out;
  }

  static boolean same(PgnGame a, PgnGame b) {
    return a.tags().equals(b.tags())
        && a.sanMoves().equals(b.sanMoves())
        && a.result().equals(b.result())
        && a.startFen().equals(b.startFen());
  }
}
