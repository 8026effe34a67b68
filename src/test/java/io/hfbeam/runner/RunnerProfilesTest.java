package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerProfilesTest {
  @TempDir Path tmp;

  @Test
  void expandsEnvironmentVariablesWithDefaults() {
    Map<String, String> env = Map.of("FLINK_MASTER", "host:9000", "EMPTY", "");
    assertThat(RunnerProfiles.expand("${FLINK_MASTER:-localhost:8081}", env), equalTo("host:9000"));
    assertThat(RunnerProfiles.expand("${NOPE:-localhost:8081}", env), equalTo("localhost:8081"));
    assertThat(RunnerProfiles.expand("${EMPTY:-x}/y", env), equalTo("x/y"));
    assertThat(RunnerProfiles.expand("[local]", env), equalTo("[local]"));
    assertThrows(IllegalArgumentException.class, () -> RunnerProfiles.expand("${NOPE}", env));
  }

  @Test
  void anOverrideReplacesTheProfilesValue() {
    // --parallelism 1 with flink-local (which sets parallelism: 2) used to fail: Beam rejects an
    // option given twice
    var options = RunnerProfiles.options("flink-local", Map.of("parallelism", "1"));
    assertThat(
        options.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class).getParallelism(),
        equalTo(1));
    assertThat(
        RunnerProfiles.options("flink-local", Map.of())
            .as(org.apache.beam.runners.flink.FlinkPipelineOptions.class)
            .getParallelism(),
        equalTo(2));
  }

  @Test
  void filesToStageAreAbsolute() throws Exception {
    Path jar = Files.writeString(tmp.resolve("job.jar"), "x");
    assertThat(RunnerProfiles.filesToStage(jar.toString()), equalTo(jar.toString()));
    Path rel = Path.of("").toAbsolutePath().relativize(jar);
    assertThat(RunnerProfiles.filesToStage(rel.toString()), equalTo(jar.toString()));
    assertThrows(
        IllegalArgumentException.class,
        () -> RunnerProfiles.filesToStage(tmp.resolve("missing.jar").toString()));
  }

  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"flink-cluster", "flink-cluster-batch"})
  void flinkClusterProfilesTargetLocalhost8081AndStageTheJobJar(String profile) throws Exception {
    Path built = Path.of("target/hfbeam.jar");
    if (!Files.isRegularFile(built)) Files.createDirectories(built.getParent());
    boolean created = !Files.exists(built);
    if (created) Files.writeString(built, "placeholder");
    try {
      var args = RunnerProfiles.args(profile);
      assertThat(args, hasItem("--runner=FlinkRunner"));
      assertThat(args, hasItem("--streaming=" + !profile.endsWith("-batch")));
      assertThat(args, hasItem("--parallelism=2"));
      if (System.getenv("FLINK_MASTER") == null)
        assertThat(args, hasItem("--flinkMaster=localhost:8081"));
      assertThat(args, hasItem("--filesToStage=" + built.toAbsolutePath()));
    } finally {
      if (created) Files.delete(built);
    }
  }

  /** A profile's flink: keys reach an embedded Flink as a configuration directory. */
  @Test
  void flinkSettingsBecomeAConfigurationDirectory() throws Exception {
    Path user = Files.createDirectories(tmp.resolve("conf"));
    Files.writeString(user.resolve("config.yaml"), "parallelism.default: 3\n");
    Path profile = tmp.resolve("batch.yaml");
    Files.writeString(
        profile,
        "runner: FlinkRunner\noptions:\n  flinkMaster: \"[local]\"\n  flinkConfDir: "
            + user
            + "\nflink:\n  taskmanager.memory.managed.size: 64m\n");
    Map<String, String> s = RunnerProfiles.settings(profile.toString(), Map.of());
    Path dir = Path.of(s.get("flinkConfDir"));
    assertThat(
        Files.readString(dir.resolve("config.yaml")),
        equalTo("parallelism.default: 3\n\ntaskmanager.memory.managed.size: \"64m\"\n"));
    assertThat(
        RunnerProfiles.settings(profile.toString(), Map.of()).get("flinkConfDir"),
        equalTo(dir.toString()));
    // Flink reads it as the profile meant
    org.apache.flink.configuration.Configuration conf =
        org.apache.flink.configuration.GlobalConfiguration.loadConfiguration(dir.toString());
    assertThat(conf.toMap().get("taskmanager.memory.managed.size"), equalTo("64m"));
    assertThat(conf.toMap().get("parallelism.default"), equalTo("3"));
    Files.writeString(profile, "runner: FlinkRunner\nflink:\n  \"../x: y\": 1\n");
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> RunnerProfiles.settings(profile.toString(), Map.of()));
    assertThat(
        e.getMessage(),
        equalTo("runner profile " + profile + ": flink: '../x: y' is not a setting"));
  }
}
