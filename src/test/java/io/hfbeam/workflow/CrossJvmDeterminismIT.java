package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.testing.Files2;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Same input, same flags, two separate JVMs (as two user runs are): byte-identical datasets.
 * In-process reruns can hide JVM-dependent bytes (parquet-java's encoding lists follow identity
 * hash codes), so this runs the jar twice.
 */
class CrossJvmDeterminismIT {
  @TempDir Path tmp;

  void runJar(String... args) throws Exception {
    List<String> cmd =
        new java.util.ArrayList<>(
            List.of("java", "-jar", Path.of("target/hfbeam.jar").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    PythonEnv.Result r = PythonEnv.run(cmd, 300);
    assertThat(r.output(), r.exitCode(), equalTo(0));
  }

  @Test
  void qaExportAndChessGiveTheSameBytesInTwoJvms() throws Exception {
    for (String run : List.of("a", "b")) {
      runJar("qa-export", "--input", "samples/qa", "--output", tmp.resolve(run + "/qa").toString());
      runJar(
          "chess-positions",
          "--data-path",
          "src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn",
          "--metadata",
          "--batch-size",
          "1000",
          "--output",
          tmp.resolve(run + "/chess").toString());
    }
    assertThat(Files2.hashes(tmp.resolve("a")), equalTo(Files2.hashes(tmp.resolve("b"))));
  }
}
