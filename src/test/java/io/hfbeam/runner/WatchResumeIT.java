package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.fail;

import io.hfbeam.cli.Cli;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.Files2;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Continuous ingestion on embedded Flink: chess-positions --watch publishes PGN files as they land
 * in a directory, in commits at most every commit interval; killed with SIGKILL and restarted with
 * --resume it goes on without reading again the files it had done, and the files that landed while
 * it was down are picked up. In the end the Hub holds every position of every file exactly once
 * (compared with a bounded run over the same files).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WatchResumeIT {
  static final Path PGN =
      Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn");
  static final RepoId REPO = RepoId.dataset("alice/watched");

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path tmp;

  @Test
  void watchedFilesArePublishedOnceAcrossAKillAndResume() throws Exception {
    List<Path> files = splitGames(tmp.resolve("games"), 4, 150);
    Path in = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(ResumeAfterKillIT.TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_TOKEN",
              ResumeAfterKillIT.TOKEN,
              "HF_HOME",
              tmp.resolve("hf").toString());
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      long[] rows = new long[files.size()];
      for (int i = 0; i < files.size(); i++) rows[i] = positions(files.get(i));
      List<String> command =
          new ArrayList<>(
              List.of(
                  ResumeAfterKillIT.JAVA,
                  "-jar",
                  Path.of("target/hfbeam.jar").toAbsolutePath().toString(),
                  "chess-positions",
                  "--data-path",
                  in.toString(),
                  "--output",
                  out.toString(),
                  "--metadata",
                  "--watch",
                  "--poll-interval",
                  "0.5",
                  "--commit-interval",
                  "2",
                  "--runner",
                  "flink-local",
                  "--repo",
                  REPO.id()));

      land(files.get(0), in);
      Process run = start(command, env, tmp.resolve("run1.log"));
      awaitOnHub(client, rows[0], run, tmp.resolve("run1.log"));
      long t1 = System.nanoTime();
      land(files.get(1), in);
      awaitOnHub(client, rows[0] + rows[1], run, tmp.resolve("run1.log"));
      double latency = (System.nanoTime() - t1) / 1e9;
      assertThat(
          "a landed file is on the Hub within a few commit intervals", latency, lessThan(30.0));

      run.destroyForcibly().waitFor(); // SIGKILL
      land(files.get(2), in); // lands while the job is down
      List<String> resume = new ArrayList<>(command);
      resume.add("--resume");
      Process again = start(resume, env, tmp.resolve("run2.log"));
      awaitOnHub(client, rows[0] + rows[1] + rows[2], again, tmp.resolve("run2.log"));
      land(files.get(3), in);
      awaitOnHub(client, rows[0] + rows[1] + rows[2] + rows[3], again, tmp.resolve("run2.log"));
      Thread.sleep(3000); // a file read twice would show up in the next pane
      again.destroyForcibly().waitFor();
      String log2 = Files.readString(tmp.resolve("run2.log"));
      assertThat(log2, containsString("resumed from checkpoint"));
      assertThat(
          "nothing more than the files",
          cardRows(client),
          equalTo(rows[0] + rows[1] + rows[2] + rows[3]));

      // the same positions as a bounded run over the four files, each exactly once
      Path all = Files.createDirectories(tmp.resolve("all"));
      for (Path f : files) Files.copy(f, all.resolve(f.getFileName()));
      Cli bounded =
          Cli.run(
              "chess-positions",
              "--data-path",
              all.toString(),
              "--output",
              tmp.resolve("bounded").toString(),
              "--metadata",
              "--runner",
              "direct");
      assertThat(bounded.toString(), bounded.exitCode, equalTo(0));
      Path fromHub = download(client, tmp.resolve("from-hub"));
      assertThat(differences(fromHub, tmp.resolve("bounded")), equalTo(0L));
      assertThat(differences(tmp.resolve("bounded"), fromHub), equalTo(0L));
      assertThat("the Hub holds what the job wrote locally", hashes(fromHub), equalTo(hashes(out)));
    }
  }

  /** The first {@code games} games of the sample, in {@code n} PGN files. */
  static List<Path> splitGames(Path dir, int n, int games) throws IOException {
    Files.createDirectories(dir);
    String text = Files.readString(PGN, StandardCharsets.UTF_8);
    String[] all = text.split("\n(?=\\[Event )");
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      for (int g = i * games; g < (i + 1) * games; g++) sb.append(all[g]).append('\n');
      Path f = dir.resolve("part" + i + ".pgn");
      Files.writeString(f, sb.toString(), StandardCharsets.UTF_8);
      files.add(f);
    }
    return files;
  }

  /** Moves a file in whole, as a producer should (written under a hidden name, then renamed). */
  static void land(Path file, Path dir) throws IOException {
    Path hidden = dir.resolve("." + file.getFileName() + ".tmp");
    Files.copy(file, hidden, StandardCopyOption.REPLACE_EXISTING);
    Files.move(hidden, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
  }

  long positions(Path pgn) {
    Path o = tmp.resolve("count-" + pgn.getFileName());
    Cli c =
        Cli.run(
            "chess-positions",
            "--data-path",
            pgn.toString(),
            "--output",
            o.toString(),
            "--runner",
            "direct");
    assertThat(c.toString(), c.exitCode, equalTo(0));
    Matcher m = Pattern.compile("(?m)^write\\s+([\\d,]+)").matcher(c.out);
    assertThat(c.out, m.find(), equalTo(true));
    return Long.parseLong(m.group(1).replace(",", ""));
  }

  static final Pattern EXAMPLES = Pattern.compile("num_examples: (\\d+)");

  /** Rows the card on the Hub counts, over all splits (0 before the first card). */
  static long cardRows(HubClient client) {
    try {
      if (client.pathsInfo(REPO, "main", List.of("README.md")).isEmpty()) return 0;
      Matcher m = EXAMPLES.matcher(Files.readString(client.download(REPO, "main", "README.md")));
      long n = 0;
      while (m.find()) n += Long.parseLong(m.group(1));
      return n;
    } catch (IOException e) {
      return 0;
    }
  }

  static void awaitOnHub(HubClient client, long rows, Process run, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (cardRows(client) != rows) {
      if (!run.isAlive()) fail("the watching job ended:\n" + Files.readString(log));
      if (System.nanoTime() > deadline) {
        run.destroyForcibly().waitFor();
        fail(
            "the Hub's card did not reach "
                + rows
                + " rows (has "
                + cardRows(client)
                + "):\n"
                + Files.readString(log));
      }
      Thread.sleep(200);
    }
  }

  static Process start(List<String> command, Map<String, String> env, Path log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return pb.start();
  }

  static Path download(HubClient client, Path dir) throws IOException {
    for (RepoFile f : client.listFiles(REPO, "main", "", true)) {
      if (f.directory() || !f.path().endsWith(".parquet")) continue;
      Path to = dir.resolve(f.path());
      Files.createDirectories(to.getParent());
      Files.copy(client.download(REPO, "main", f.path()), to);
    }
    return dir;
  }

  static Map<String, String> hashes(Path dir) {
    Map<String, String> out = new TreeMap<>();
    Files2.hashes(dir)
        .forEach(
            (k, v) -> {
              if (k.endsWith(".parquet")) out.put(k, v);
            });
    return out;
  }

  /** Rows (game, ply, split) of {@code a} not in {@code b}, counting duplicates. */
  static long differences(Path a, Path b) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      String q =
          "SELECT count(*) FROM (SELECT game_id, ply, regexp_extract(filename, '/(train|test)/', 1) AS split "
              + "FROM read_parquet('"
              + a
              + "/*/*.parquet', filename=true) EXCEPT ALL SELECT game_id, ply, "
              + "regexp_extract(filename, '/(train|test)/', 1) FROM read_parquet('"
              + b
              + "/*/*.parquet', filename=true))";
      try (ResultSet rs = st.executeQuery(q)) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
