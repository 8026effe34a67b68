package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.fail;

import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.Files2;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a hard kill: chess-positions on embedded Flink ({@code java -jar
 * target/hfbeam.jar ... --runner flink-local}), publishing to the local Hub server, is killed with
 * SIGKILL mid-way and continued with {@code --resume}; the dataset and the Hub repo must equal
 * those of an uninterrupted run: the same files byte for byte (no row lost, none twice), the same
 * published files and as many commits (none repeated).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResumeAfterKillIT {
  static final Path SAMPLE =
      Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn").toAbsolutePath();

  /**
   * The sample four times over: long enough (about 1.3M positions) to be killed while still
   * processing.
   */
  static Path PGN;

  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static final String TOKEN = "hf_fake_resume_token_0123456789";

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path tmp;

  static LocalHubServer hub;
  static HubClient client;
  static Map<String, String> env;
  static Path config;

  @BeforeAll
  static void start() throws Exception {
    PGN = tmp.resolve("games.pgn");
    byte[] games = Files.readAllBytes(SAMPLE);
    try (var out = Files.newOutputStream(PGN)) {
      for (int i = 0; i < 4; i++) out.write(games);
    }
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
    client = HubClient.Settings.builder().environment(env).build().newClient();
    // small chunks and one file per commit: many checkpoints while processing, many commits while
    // publishing
    config = tmp.resolve("chess.yaml");
    Files.writeString(
        config,
        String.join(
            "\n", "batch_size: 120000", "chunk_mb: 0.25", "hub:", "  max_files_per_commit: 1", ""));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static List<String> command(String name, String... more) {
    List<String> c =
        new ArrayList<>(
            List.of(
                JAVA,
                "-jar",
                Path.of("target/hfbeam.jar").toAbsolutePath().toString(),
                "chess-positions",
                "--config",
                config.toString(),
                "--data-path",
                PGN.toString(),
                "--output",
                tmp.resolve(name).toString(),
                "--runner",
                "flink-local",
                "--checkpoint-interval",
                "0.5",
                "--repo",
                "alice/" + name));
    c.addAll(List.of(more));
    return c;
  }

  @Test
  @Order(1)
  void killedWhileProcessingThenResumedEqualsACleanRun() throws Exception {
    Path out = tmp.resolve("killed-processing");
    Path state = Checkpoints.stateDir(out);
    killWhen(
        command("killed-processing"),
        () -> Checkpoints.latest(state).map(c -> c.number() >= 2).orElse(false));
    assertThat("no file was finished before the kill", batchFiles(out), equalTo(0L));
    long resumedFrom = Checkpoints.latest(state).orElseThrow().number();

    Result resumed = run(command("killed-processing", "--resume"), 200);
    assertThat(resumed.output, resumed.exitCode, equalTo(0));
    assertThat(resumed.output, containsString("resumed from checkpoint " + resumedFrom));
    assertThat(resumed.output, containsString("the counts above are this run's work"));
    // the resumed run read only what the checkpoint did not cover
    assertThat(resumed.output, bytesRead(resumed.output), lessThan(Files.size(PGN)));
    assertSameAsClean("killed-processing");
    assertThat(
        "checkpoints are removed once the run finished", Files.exists(state), equalTo(false));
  }

  @Test
  @Order(2)
  void killedWhilePublishingThenResumedMakesNoDuplicateCommit() throws Exception {
    RepoId repo = RepoId.dataset("alice/killed-publishing");
    killWhen(
        command("killed-publishing"),
        () -> commits(repo) >= 3); // the repo's first commit, then ours
    Result resumed = run(command("killed-publishing", "--resume"), 200);
    assertThat(resumed.output, resumed.exitCode, equalTo(0));
    assertThat(resumed.output, containsString("resumed from checkpoint"));
    assertSameAsClean("killed-publishing");
  }

  /** The uninterrupted run, made once. */
  static synchronized Path clean() throws Exception {
    Path out = tmp.resolve("clean");
    if (!Files.exists(out.resolve("README.md"))) {
      Result r = run(command("clean"), 200);
      assertThat(r.output, r.exitCode, equalTo(0));
      assertThat(r.output, containsString("1,309,664")); // 4 x 327,416
    }
    return out;
  }

  static void assertSameAsClean(String name) throws Exception {
    Path clean = clean();
    assertThat(
        "the dataset equals the uninterrupted run's, byte for byte",
        Files2.hashes(tmp.resolve(name)),
        equalTo(Files2.hashes(clean)));
    assertThat(
        "the published files equal the uninterrupted run's",
        published(RepoId.dataset("alice/" + name)),
        equalTo(published(RepoId.dataset("alice/clean"))));
    assertThat(
        "as many commits as the uninterrupted run: none repeated",
        commits(RepoId.dataset("alice/" + name)),
        equalTo(commits(RepoId.dataset("alice/clean"))));
  }

  static Map<String, String> published(RepoId repo) throws IOException {
    Map<String, String> files = new TreeMap<>();
    for (RepoFile f : client.listFiles(repo, "main", "", true)) {
      if (!f.directory()) files.put(f.path(), f.contentOid());
    }
    return files;
  }

  static int commits(RepoId repo) {
    try {
      return client.listCommits(repo, "main").size();
    } catch (IOException e) {
      return 0; // not created yet
    }
  }

  static long batchFiles(Path out) throws IOException {
    if (!Files.exists(out)) return 0;
    try (Stream<Path> s = Files.walk(out)) {
      return s.filter(p -> p.getFileName().toString().startsWith("batch_")).count();
    }
  }

  static final Pattern READ = Pattern.compile("(?m)^read\\s+([\\d,]+)\\s*$");

  static long bytesRead(String output) {
    Matcher m = READ.matcher(output);
    return m.find() ? Long.parseLong(m.group(1).replace(",", "")) : -1;
  }

  /**
   * Starts the command and kills it with SIGKILL as soon as {@code when} holds (polled every 50
   * ms).
   */
  static void killWhen(List<String> command, BooleanSupplier when) throws Exception {
    File log = tmp.resolve("killed-" + System.nanoTime() + ".log").toFile();
    Process p = start(command, log);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
    while (!when.getAsBoolean()) {
      if (!p.isAlive())
        fail("the run ended before the kill point:\n" + Files.readString(log.toPath()));
      if (System.nanoTime() > deadline) {
        p.destroyForcibly().waitFor();
        fail("the kill point was not reached in 150 s:\n" + Files.readString(log.toPath()));
      }
      Thread.sleep(50);
    }
    p.destroyForcibly(); // SIGKILL: no shutdown hook, no cancellation, nothing flushed
    p.waitFor();
  }

  record Result(int exitCode, String output) {}

  static Result run(List<String> command, long timeoutSeconds) throws Exception {
    File log = tmp.resolve("run-" + System.nanoTime() + ".log").toFile();
    Process p = start(command, log);
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor();
      return new Result(
          -1,
          "TIMEOUT after "
              + timeoutSeconds
              + " s: "
              + command
              + "\n"
              + Files.readString(log.toPath()));
    }
    return new Result(p.exitValue(), Files.readString(log.toPath()));
  }

  private static Process start(List<String> command, File log) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().putAll(env);
    return pb.start();
  }
}
