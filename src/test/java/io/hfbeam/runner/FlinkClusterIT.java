package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.fail;

import io.hfbeam.cli.Cli;
import io.hfbeam.testing.Files2;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real standalone Flink 1.19 session cluster (runners/flink-cluster/start: JobManager and
 * TaskManager JVMs), the chess workflow submitted to it through the shaded jar ({@code java -jar
 * target/hfbeam.jar ... --runner flink-cluster}), byte-identical to a DirectRunner run. The cluster
 * gets its own ports (REST 18081, RPC 16123; override with -Dflink.it.restPort /
 * -Dflink.it.rpcPort) and its own work folder under target/, so a cluster the developer runs on
 * 8081 is neither used nor stopped.
 */
@Timeout(value = 500, unit = TimeUnit.SECONDS)
class FlinkClusterIT {
  static final Path PGN50 =
      Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");
  static final Path SCRIPTS = Path.of("runners/flink-cluster").toAbsolutePath();
  static final Path WORK = Path.of("target/flink-cluster-it").toAbsolutePath();
  static final String REST_PORT = System.getProperty("flink.it.restPort", "18081");
  static final String RPC_PORT = System.getProperty("flink.it.rpcPort", "16123");
  static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();
  static Thread stopOnExit;

  @TempDir Path tmp;

  @BeforeAll
  static void startCluster() throws Exception {
    // stop the cluster even if this JVM is ended before @AfterAll runs
    stopOnExit = new Thread(FlinkClusterIT::stopQuietly);
    Runtime.getRuntime().addShutdownHook(stopOnExit);
    Result r =
        run(List.of(SCRIPTS.resolve("start").toString()), Map.of("FLINK_START_TIMEOUT", "80"), 100);
    if (r.exitCode != 0) {
      fail(
          "the Flink cluster did not start (runners/flink-cluster/start, REST port "
              + REST_PORT
              + ", RPC port "
              + RPC_PORT
              + "; set -Dflink.it.restPort=/-Dflink.it.rpcPort= if they are taken):\n"
              + r.output);
    }
    assertThat(r.output, containsString("web UI: http://localhost:" + REST_PORT));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    Result r = run(List.of(SCRIPTS.resolve("stop").toString()), Map.of(), 60);
    Runtime.getRuntime().removeShutdownHook(stopOnExit);
    assertThat(r.output, r.exitCode, equalTo(0));
    for (String name : List.of("jobmanager", "taskmanager")) {
      assertThat(
          name + " pid file left behind",
          Files.exists(WORK.resolve(name + ".pid")),
          equalTo(false));
    }
  }

  @Test
  void chessPositionsOnTheClusterEqualsDirect() throws Exception {
    Path jar = jar();
    Path cluster = tmp.resolve("cluster/ds");
    Path direct = tmp.resolve("direct/ds");
    String[] args = {"chess-positions", "--data-path", PGN50.toString(), "--metadata"};

    Result c =
        run(
            List.of(
                JAVA,
                "-jar",
                jar.toString(),
                args[0],
                args[1],
                args[2],
                args[3],
                "--runner",
                "flink-cluster",
                "--output",
                cluster.toString()),
            Map.of(),
            110);
    assertThat(c.output, c.exitCode, equalTo(0));
    assertThat(c.output, containsString("3,391"));

    Cli d =
        Cli.run(
            new String[] {
              args[0],
              args[1],
              args[2],
              args[3],
              "--runner",
              "direct",
              "--output",
              direct.toString()
            });
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(Files2.hashes(cluster), equalTo(Files2.hashes(direct)));
  }

  /**
   * conversations analyze in batch execution on the cluster ({@code --runner flink-cluster-batch},
   * the offline embedding model loaded in the TaskManager): every stage's data byte-identical to a
   * DirectRunner run's.
   */
  @Test
  void conversationsInBatchOnTheClusterEqualDirect() throws Exception {
    Path jar = jar();
    String in =
        Path.of("src/test/resources/conversations/mt_bench_questions.jsonl")
            .toAbsolutePath()
            .toString();
    Path cluster = tmp.resolve("cluster/conv");
    Path direct = tmp.resolve("direct/conv");
    Result c =
        run(
            List.of(
                JAVA,
                "-jar",
                jar.toString(),
                "conversations",
                "analyze",
                "--input",
                in,
                "--clusters",
                "8",
                "--runner",
                "flink-cluster-batch",
                "--output",
                cluster.toString()),
            Map.of(),
            240);
    assertThat(c.output, c.exitCode, equalTo(0));
    assertThat(c.output, c.output.matches("(?s).*\\n  meta_clusters +8 rows\\n.*"), equalTo(true));
    Cli d =
        Cli.run(
            new String[] {
              "conversations",
              "analyze",
              "--input",
              in,
              "--clusters",
              "8",
              "--output",
              direct.toString()
            });
    assertThat(d.toString(), d.exitCode, equalTo(0));
    for (String stage :
        List.of("conversations", "embeddings", "clusters", "meta_clusters", "dimensionality")) {
      Map<String, String> fromCluster = Files2.hashes(cluster.resolve(stage).resolve("data"));
      assertThat(stage, fromCluster.size(), equalTo(1));
      assertThat(stage, fromCluster, equalTo(Files2.hashes(direct.resolve(stage).resolve("data"))));
    }
  }

  /**
   * A TaskManager killed with SIGKILL mid-run: the start script starts a new one, the job restores
   * its latest checkpoint by itself and finishes, and the dataset equals a DirectRunner run's byte
   * for byte.
   */
  @Test
  void taskManagerKilledMidRunRestoresFromItsCheckpoint() throws Exception {
    Path jar = Path.of("target/hfbeam.jar").toAbsolutePath();
    Path pgn =
        Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn")
            .toAbsolutePath();
    Path config = tmp.resolve("small-chunks.yaml");
    Files.writeString(config, "chunk_mb: 0.25\n");
    Path cluster = tmp.resolve("killed/ds");
    File log = tmp.resolve("killed.log").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(
                JAVA,
                "-jar",
                jar.toString(),
                "chess-positions",
                "--config",
                config.toString(),
                "--data-path",
                pgn.toString(),
                "--runner",
                "flink-cluster",
                "--checkpoint-interval",
                "1",
                "--output",
                cluster.toString())
            .redirectErrorStream(true)
            .redirectOutput(log);
    pb.environment().put("FLINK_MASTER", "localhost:" + REST_PORT);
    Process job = pb.start();
    Path state = Checkpoints.stateDir(cluster);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (Checkpoints.latest(state).map(c -> c.number() < 2).orElse(true)) {
      if (!job.isAlive())
        fail("the job ended before its second checkpoint:\n" + Files.readString(log.toPath()));
      if (System.nanoTime() > deadline)
        fail("no second checkpoint in 90 s:\n" + Files.readString(log.toPath()));
      Thread.sleep(50);
    }
    long pid = Long.parseLong(Files.readString(WORK.resolve("taskmanager.pid")).trim());
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly); // SIGKILL
    Result restart =
        run(List.of(SCRIPTS.resolve("start").toString()), Map.of("FLINK_START_TIMEOUT", "80"), 100);
    assertThat(restart.output, restart.exitCode, equalTo(0));
    assertThat(restart.output, containsString("new TaskManager"));
    if (!job.waitFor(150, TimeUnit.SECONDS)) {
      job.destroyForcibly();
      fail(
          "the job did not finish after the TaskManager came back:\n"
              + Files.readString(log.toPath()));
    }
    assertThat(Files.readString(log.toPath()), job.exitValue(), equalTo(0));

    Path direct = tmp.resolve("killed-direct/ds");
    Cli d =
        Cli.run(
            "chess-positions",
            "--config",
            config.toString(),
            "--data-path",
            pgn.toString(),
            "--runner",
            "direct",
            "--output",
            direct.toString());
    assertThat(d.toString(), d.exitCode, equalTo(0));
    assertThat(Files2.hashes(cluster), equalTo(Files2.hashes(direct)));
  }

  record Result(int exitCode, String output) {}

  /**
   * Runs a command with the IT cluster's environment; output to a file (a child JVM cannot block a
   * pipe).
   */
  static Result run(List<String> command, Map<String, String> env, long timeoutSeconds)
      throws Exception {
    Files.createDirectories(WORK);
    File log = Files.createTempFile(WORK, "cmd", ".log").toFile();
    ProcessBuilder pb =
        new ProcessBuilder(new ArrayList<>(command))
            .redirectErrorStream(true)
            .redirectOutput(log)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().put("FLINK_CLUSTER_WORK", WORK.toString());
    pb.environment().put("FLINK_REST_PORT", REST_PORT);
    pb.environment().put("FLINK_RPC_PORT", RPC_PORT);
    pb.environment().put("FLINK_MASTER", "localhost:" + REST_PORT);
    pb.environment().put("JAVA", JAVA);
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
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
    String out = Files.readString(log.toPath());
    Files.delete(log.toPath());
    return new Result(p.exitValue(), out);
  }

  /** The shaded jar the commands run (failsafe runs after mvn package). */
  static Path jar() {
    Path jar = Path.of("target/hfbeam.jar").toAbsolutePath();
    if (!Files.isRegularFile(jar))
      fail("target/hfbeam.jar is missing: run mvn package (failsafe runs after it)");
    return jar;
  }

  static void stopQuietly() {
    try {
      run(List.of(SCRIPTS.resolve("stop").toString()), Map.of(), 60);
    } catch (Exception | Error e) {
      // best effort in a shutdown hook
    }
  }
}
