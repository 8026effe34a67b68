package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where checkpoints of an output are kept, found for --resume and removed when a run finishes. */
class CheckpointsTest {
  @TempDir Path tmp;

  PipelineOptions flink(String... extra) {
    Map<String, String> o = new java.util.LinkedHashMap<>();
    for (int i = 0; i < extra.length; i += 2) o.put(extra[i], extra[i + 1]);
    return RunnerProfiles.options("flink-local", o);
  }

  static void completed(Path stateDir, String job, int n) throws Exception {
    Path chk = Files.createDirectories(stateDir.resolve(job).resolve("chk-" + n));
    Files.writeString(chk.resolve("_metadata"), "x");
    Files.setLastModifiedTime(
        chk.resolve("_metadata"), java.nio.file.attribute.FileTime.fromMillis(1000L * n));
  }

  @Test
  void resumesTheNewestCompletedCheckpointBesideTheOutput() throws Exception {
    Path out = tmp.resolve("ds");
    Path state = Checkpoints.stateDir(out);
    assertThat(state, equalTo(tmp.resolve("ds.checkpoints")));
    completed(state, "job-a", 3);
    completed(state, "job-b", 7);
    Files.createDirectories(state.resolve("job-b").resolve("chk-8")); // in progress: no _metadata
    PipelineOptions o = flink();
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    var c = Checkpoints.configure(o, out, true, 2.0, null, new PrintStream(said, true));
    assertThat(c.orElseThrow().number(), equalTo(7L));
    assertThat(said.toString(), containsString("resumed from checkpoint 7"));
    FlinkPipelineOptions f = o.as(FlinkPipelineOptions.class);
    assertThat(f.getCheckpointingInterval(), equalTo(2000L));
    assertThat(
        Files.readString(Path.of(f.getFlinkConfDir()).resolve("config.yaml")),
        containsString("chk-7"));
    Checkpoints.clear(o);
    assertThat(Files.exists(state), equalTo(false));
  }

  @Test
  void aSharedLocationFromTheProfileGetsAFolderPerOutputAndKeepsTheOthers() throws Exception {
    Path shared = tmp.resolve("shared");
    completed(shared, "another-job", 9); // another job's checkpoint, right in the shared location
    PipelineOptions o = flink("stateBackendStoragePath", shared.toUri().toString());
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    assertThat(
        "another output's checkpoint is not ours to resume",
        Checkpoints.configure(o, tmp.resolve("ds"), true, null, null, new PrintStream(said, true))
            .isPresent(),
        equalTo(false));
    assertThat(said.toString(), containsString("no checkpoint to resume from"));
    Path mine = Checkpoints.stateDirOf(o).orElseThrow();
    assertThat(mine.getParent(), equalTo(shared));
    Files.createDirectories(mine);
    Checkpoints.clear(o);
    assertThat(Files.exists(mine), equalTo(false));
    assertThat(
        "the shared location and other outputs' checkpoints stay",
        Files.exists(shared.resolve("another-job/chk-9/_metadata")),
        equalTo(true));
  }

  @Test
  void resumeOnTheDirectRunnerIsAUsageError() {
    PipelineOptions direct = RunnerProfiles.options("direct", Map.of());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Checkpoints.configure(direct, tmp.resolve("ds"), true, null, null, System.out));
    assertThat(e.getMessage(), containsString("--resume needs a Flink runner"));
  }
}
