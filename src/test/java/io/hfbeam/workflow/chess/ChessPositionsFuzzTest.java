package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.hfbeam.chess.GameId;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.cli.Cli;
import io.hfbeam.format.files.InputFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PGN fuzz cases end to end: mutated and random files, cut into small chunks, through
 * chess-positions on the DirectRunner. The run ends, each file gives the positions and failures the
 * chunk processor gives it whole, and the games the mutation did not touch are in the dataset.
 */
class ChessPositionsFuzzTest {
  @TempDir Path tmp;

  @Test
  void mutatedAndRandomFilesEndToEnd() throws Exception {
    Random r = new Random(11);
    List<String> games = PgnFuzzTest.realGames();
    Path in = Files.createDirectories(tmp.resolve("in"));
    Map<String, Set<String>> untouched = new HashMap<>();
    int cases = 0;
    for (int c = 0; c < 40; c++, cases++) {
      String name = String.format("case%03d.pgn", c);
      if (c % 4 == 3) {
        Files.write(in.resolve(name), PgnFuzzTest.randomBytes(r));
        continue;
      }
      int first = r.nextInt(games.size() - 6);
      int count = 2 + r.nextInt(5);
      List<String> texts = new ArrayList<>();
      for (int k = 0; k < count; k++) {
        texts.add(
            r.nextBoolean()
                ? PgnFuzzTest.withComments(games.get(first + k), r)
                : games.get(first + k));
      }
      byte[] clean = String.join("\n", texts).getBytes(StandardCharsets.UTF_8);
      List<PgnGame> parsed = PgnFuzzTest.gamesOf(clean);
      int target = r.nextInt(count);
      int from = (int) parsed.get(target).byteOffset();
      int to =
          target + 1 < count ? (int) parsed.get(target + 1).byteOffset() - 2 : clean.length - 1;
      Files.write(in.resolve(name), PgnFuzzTest.mutate(clean, from, to, r, new StringBuilder()));
      Set<String> ids = new HashSet<>();
      for (int k = 0; k < count; k++) if (k != target) ids.add(GameId.of(parsed.get(k)));
      untouched.put(name, ids);
    }
    Path yaml =
        Files.writeString(tmp.resolve("small.yaml"), "chunk_mb: 0.002\nmax_error_rate: 1.0\n");
    Path out = tmp.resolve("out");
    Cli run =
        assertTimeoutPreemptively(
            Duration.ofSeconds(300),
            () ->
                Cli.run(
                    "chess-positions",
                    "--config",
                    yaml.toString(),
                    "--data-path",
                    in.toString(),
                    "--output",
                    out.toString(),
                    "--metadata",
                    "--train-ratio",
                    "1.0"));
    assertThat(run.toString(), run.exitCode, equalTo(0));

    // what the chunk processor gives each file read whole
    Map<String, Long> positions = new HashMap<>();
    Map<String, Long> failures = new HashMap<>();
    List<Path> files = InputFiles.expand(List.of(in.toString()), "*.pgn");
    for (Path f : files) {
      for (String line : PgnChunkCutsTest.run(InputFiles.wholeFiles(List.of(f)))) {
        (line.startsWith("failure") ? failures : positions)
            .merge(f.getFileName().toString(), 1L, Long::sum);
      }
    }
    Map<String, Long> gotFailures = new HashMap<>();
    Path errors = out.resolve("_errors/errors.jsonl");
    if (Files.exists(errors)) {
      for (String line : Files.readAllLines(errors)) {
        assertThat(line, containsString("\"offset\""));
        String source = line.replaceAll(".*\"source\": ?\"([^\"]*)\".*", "$1");
        gotFailures.merge(Path.of(source).getFileName().toString(), 1L, Long::sum);
      }
    }
    Map<String, Long> gotPositions = new HashMap<>();
    Map<String, Set<String>> gotIds = new HashMap<>();
    long keptGames = 0, untouchedGames = 0;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs =
          st.executeQuery(
              "SELECT source_file, game_id, count(*) FROM '"
                  + out
                  + "/train/*.parquet' GROUP BY source_file, game_id");
      while (rs.next()) {
        gotPositions.merge(rs.getString(1), rs.getLong(3), Long::sum);
        gotIds.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getString(2));
      }
    }
    List<String> lost = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : untouched.entrySet()) {
      for (String id : e.getValue()) {
        untouchedGames++;
        if (gotIds.getOrDefault(e.getKey(), Set.of()).contains(id)) keptGames++;
        else lost.add(e.getKey() + " " + id);
      }
    }
    System.out.printf(
        "PGN fuzz end to end: %d cases tried (%d files), 1 run ended, %d of %d untouched games kept, "
            + "%d failures located%n",
        cases,
        files.size(),
        keptGames,
        untouchedGames,
        gotFailures.values().stream().mapToLong(Long::longValue).sum());
    assertThat(lost, empty());
    assertThat(gotPositions, equalTo(positions));
    assertThat(gotFailures, equalTo(failures));
  }

  @Test
  void aStrayBraceAndAnUnclosedCommentAreLocatedFailuresAndEveryOtherGameIsKept() throws Exception {
    String good =
        "[Event \"g\"]\n\n1. e4 e5 2. Nf3 { a comment\n[Event \"in the comment\"]\n} Nc6 *\n\n";
    String pgn =
        good
            + "[Event \"stray\"]\n\n1. e4 } e5 *\n\n"
            + good
            + "[Event \"unclosed\"]\n\n1. d4 { never closed\n\n"
            + good
            + good;
    Path in = Files.writeString(tmp.resolve("broken.pgn"), pgn);
    Path yaml =
        Files.writeString(tmp.resolve("tiny.yaml"), "chunk_mb: 0.00003\n"); // 31-byte chunks
    Path out = tmp.resolve("broken");
    Cli run =
        assertTimeoutPreemptively(
            Duration.ofSeconds(120),
            () ->
                Cli.run(
                    "chess-positions",
                    "--config",
                    yaml.toString(),
                    "--data-path",
                    in.toString(),
                    "--output",
                    out.toString(),
                    "--train-ratio",
                    "1.0"));
    assertThat(run.toString(), run.exitCode, equalTo(0));
    List<String> errors = Files.readAllLines(out.resolve("_errors/errors.jsonl"));
    assertThat(errors.size(), equalTo(2));
    assertThat(errors.get(0), containsString("\"record\": 2"));
    assertThat(errors.get(0), containsString("\"offset\": " + pgn.indexOf("[Event \"stray")));
    assertThat(
        errors.get(0), containsString("'}' outside a comment at byte " + pgn.indexOf("} e5")));
    assertThat(errors.get(1), containsString("\"record\": 4"));
    assertThat(
        errors.get(1),
        containsString("unclosed '{' comment opened at byte " + pgn.indexOf("{ never")));
    assertThat(errors.get(1), containsString("broken.pgn"));
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM '" + out + "/train/*.parquet'");
      rs.next();
      assertThat("4 good games of 4 positions", rs.getLong(1), equalTo(16L));
    }
  }

  @Test
  void chunkMbMustBeAPositiveNumber() throws Exception {
    Path pgn = Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");
    for (String value : new String[] {"0", "-1", "\"0.001\"", "abc"}) {
      Path yaml = Files.writeString(tmp.resolve("bad.yaml"), "chunk_mb: " + value + "\n");
      Cli run =
          Cli.run(
              "chess-positions",
              "--config",
              yaml.toString(),
              "--data-path",
              pgn.toString(),
              "--output",
              tmp.resolve("never").toString());
      assertThat(run.toString(), run.exitCode, equalTo(2));
      assertThat(run.err, containsString("chunk_mb must be a number of MiB above 0"));
    }
  }

  @Test
  void corruptCompressedFilesAreLocatedFailuresAndTheGoodFilesAndGamesAreKept() throws Exception {
    Path pgn = Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");
    byte[] text = Files.readAllBytes(pgn);
    Path in = Files.createDirectories(tmp.resolve("in"));
    Files.write(in.resolve("good.pgn"), text);
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
      z.write(text);
    }
    byte[] whole = gz.toByteArray();
    Files.write(in.resolve("cut.pgn.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
    Files.writeString(in.resolve("garbage.pgn.zst"), "not zstd at all");
    Files.writeString(in.resolve("garbage.pgn.bz2"), "not bzip2 either");
    Path out = tmp.resolve("out");
    Cli run =
        assertTimeoutPreemptively(
            Duration.ofSeconds(120),
            () ->
                Cli.run(
                    "chess-positions",
                    "--data-path",
                    in.toString(),
                    "--output",
                    out.toString(),
                    "--train-ratio",
                    "1.0"));
    assertThat(run.toString(), run.exitCode, equalTo(0));
    String errors = Files.readString(out.resolve("_errors/errors.jsonl"));
    for (String bad : new String[] {"cut.pgn.gz", "garbage.pgn.zst", "garbage.pgn.bz2"}) {
      assertThat(errors, containsString(bad));
    }
    assertThat(errors, containsString("Unexpected end of ZLIB input stream"));
    long goodPositions;
    try (var reader = io.hfbeam.chess.PgnReader.open(pgn)) {
      long n = 0;
      while (reader.hasNext()) if (reader.next() instanceof PgnGame g) n += g.moves().length;
      goodPositions = n;
    }
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("SELECT count(*) FROM '" + out + "/train/*.parquet'");
      rs.next();
      // good.pgn whole, and the games of cut.pgn.gz before the damage
      assertThat(rs.getLong(1) > goodPositions, equalTo(true));
    }
  }
}
