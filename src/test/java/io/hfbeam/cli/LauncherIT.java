package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.hfbeam.testing.Files2;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/hfbeam, the launcher README recommends: the same results and exit codes as {@code java -jar};
 * the first workflow run of a build writes the class-data archive beside the jar, later runs use it
 * and say nothing.
 */
class LauncherIT {
  @TempDir Path tmp;

  private PythonEnv.Result launch(Path jar, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of("bin/hfbeam").toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("HFBEAM_JAR", jar.toString());
    pb.environment().remove("HFBEAM_JAVA_OPTS");
    pb.environment().remove("HFBEAM_CDS");
    return PythonEnv.run(pb, 300);
  }

  @Test
  void runsWorkflowsLikeJavaJarAndWritesItsArchiveOnce() throws Exception {
    Path jar =
        tmp.resolve(
            "build/hfbeam.jar"); // a copy, so the archive goes beside it and not into target/
    Files.createDirectories(jar.getParent());
    Files.copy(Path.of("target/hfbeam.jar"), jar);
    Path archive = tmp.resolve("build/hfbeam.jsa");

    PythonEnv.Result help = launch(jar, "--help");
    assertThat(help.output(), help.exitCode(), equalTo(0));
    assertThat(
        "--help is not a workflow run: no archive from it", Files.exists(archive), equalTo(false));

    PythonEnv.Result first =
        launch(jar, "qa-export", "--input", "samples/qa", "--output", tmp.resolve("a").toString());
    assertThat(first.output(), first.exitCode(), equalTo(0));
    assertThat(first.output(), containsString("writing a class-data archive"));
    assertThat(first.output(), Files.size(archive) > 1_000_000, equalTo(true));

    PythonEnv.Result second =
        launch(jar, "qa-export", "--input", "samples/qa", "--output", tmp.resolve("b").toString());
    assertThat(second.output(), second.exitCode(), equalTo(0));
    assertThat(second.output(), not(containsString("class-data archive")));
    assertThat(second.output(), not(containsString("warning")));

    List<String> javaJar =
        new ArrayList<>(
            List.of(
                "java",
                "-jar",
                jar.toString(),
                "qa-export",
                "--input",
                "samples/qa",
                "--output",
                tmp.resolve("c").toString()));
    PythonEnv.Result plain = PythonEnv.run(javaJar, 300);
    assertThat(plain.output(), plain.exitCode(), equalTo(0));
    assertThat(Files2.hashes(tmp.resolve("a")), equalTo(Files2.hashes(tmp.resolve("c"))));
    assertThat(Files2.hashes(tmp.resolve("b")), equalTo(Files2.hashes(tmp.resolve("c"))));

    PythonEnv.Result usage = launch(jar, "qa-export", "--no-such-flag");
    assertThat(usage.output(), usage.exitCode(), equalTo(2));
  }

  @Test
  void aMissingJarIsOneReadableLine() throws Exception {
    PythonEnv.Result r = launch(tmp.resolve("nowhere/hfbeam.jar"), "qa-export");
    assertThat(r.exitCode(), equalTo(2));
    assertThat(r.output(), containsString("not found; build it with: mvn -q -DskipTests package"));
    assertThat(r.output().strip().lines().count(), equalTo(1L));
  }
}
