package io.hfbeam.runner;

import io.hfbeam.format.files.Directories;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;

/**
 * Flink checkpoints of a workflow's output: where they are kept and how a run resumes from them.
 * Runner-level checkpoints are the only resume mechanism (no resume files of our own): a run with a
 * checkpointing profile keeps its retained checkpoints in a state directory beside the output
 * ({@code <output>.checkpoints/<job>/chk-N}, or a folder per output under the profile's {@code
 * stateBackendStoragePath}); an interrupted run leaves its latest one there, {@code --resume} finds
 * it and restores the job from it, and a run that finishes removes the directory.
 */
public final class Checkpoints {
  private static final Pattern CHK = Pattern.compile("chk-(\\d+)");

  private Checkpoints() {}

  /** A retained checkpoint: its number and its directory. */
  public record Checkpoint(long number, Path dir) {}

  /** The state directory kept beside an output directory. */
  public static Path stateDir(Path output) {
    Path abs = output.toAbsolutePath().normalize();
    return abs.resolveSibling(abs.getFileName() + ".checkpoints");
  }

  /**
   * Completes Flink options for a checkpointed run of {@code output}: the interval (when given),
   * the state directory, and with {@code resume} the checkpoint to restore. Prints what it decided.
   *
   * @param intervalSeconds overrides the profile's checkpointing interval; null keeps it
   * @return the checkpoint the run resumes from, if any
   * @throws IllegalArgumentException when --resume cannot apply (not Flink, or no checkpointing)
   */
  public static Optional<Checkpoint> configure(
      PipelineOptions options,
      Path output,
      boolean resume,
      Double intervalSeconds,
      org.joda.time.Duration watchCommitInterval,
      PrintStream out) {
    if (!RunnerProfiles.isFlink(options)) {
      if (resume)
        throw new IllegalArgumentException(
            "--resume needs a Flink runner (flink-local or flink-cluster): the DirectRunner keeps no checkpoints");
      if (intervalSeconds != null)
        throw new IllegalArgumentException(
            "--checkpoint-interval needs a Flink runner (flink-local or flink-cluster)");
      return Optional.empty();
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (intervalSeconds != null) {
      if (intervalSeconds <= 0)
        throw new IllegalArgumentException("--checkpoint-interval must be > 0 seconds");
      flink.setCheckpointingInterval(Math.round(intervalSeconds * 1000));
    }
    if (watchCommitInterval != null) {
      // an unbounded job: its sources must stay up; and a pane is committed after the checkpoint
      // that covers it, so checkpoints come at least twice per commit interval
      flink.setShutdownSourcesAfterIdleMs(Long.MAX_VALUE);
      long half = Math.max(500, watchCommitInterval.getMillis() / 2);
      if (intervalSeconds == null
          && flink.getCheckpointingInterval() != null
          && flink.getCheckpointingInterval() > half) {
        flink.setCheckpointingInterval(half);
      }
    }
    if (flink.getCheckpointingInterval() == null || flink.getCheckpointingInterval() <= 0) {
      if (resume)
        throw new IllegalArgumentException(
            "--resume needs checkpoints: the runner profile sets no checkpointingInterval");
      return Optional.empty();
    }
    if (flink.getStateBackendStoragePath() == null) {
      flink.setStateBackendStoragePath(stateDir(output).toUri().toString());
    } else {
      // a location the profile names may serve several outputs: each keeps its own folder there,
      // the one --resume looks in and a finished run removes
      flink.setStateBackendStoragePath(perOutput(flink.getStateBackendStoragePath(), output));
    }
    if (flink.getStateBackend() == null) flink.setStateBackend("filesystem");
    Path dir = localDir(flink.getStateBackendStoragePath());
    Optional<Checkpoint> latest = dir == null ? Optional.empty() : latest(dir);
    if (!resume) {
      latest.ifPresent(
          c ->
              out.println(
                  "note: "
                      + dir
                      + " holds checkpoint "
                      + c.number()
                      + " of an interrupted run; this run starts over (pass --resume to continue that one)"));
      return Optional.empty();
    }
    if (latest.isEmpty()) {
      out.println(
          "no checkpoint to resume from in "
              + (dir == null ? flink.getStateBackendStoragePath() : dir)
              + ": starting from the beginning");
      return Optional.empty();
    }
    Checkpoint c = latest.get();
    String master = flink.getFlinkMaster();
    if (master == null || master.startsWith("[")) {
      // an embedded Flink ignores savepointPath; its configuration directory is the way in
      // (beam-flink.md 4.1)
      flink.setFlinkConfDir(resumeConf(dir, flink.getFlinkConfDir(), c).toString());
    } else {
      flink.setSavepointPath(c.dir().toUri().toString());
    }
    out.println("resumed from checkpoint " + c.number() + " (" + c.dir() + ")");
    return latest;
  }

  /** {@code location/<output name>-<hash of its absolute path>}. */
  static String perOutput(String location, Path output) {
    Path abs = output.toAbsolutePath().normalize();
    String key = abs.getFileName() + "-" + Integer.toHexString(abs.toString().hashCode());
    return location.replaceAll("/+$", "") + "/" + key;
  }

  /**
   * The newest completed checkpoint under a state directory (completed: its {@code _metadata}
   * exists).
   */
  public static Optional<Checkpoint> latest(Path stateDir) {
    if (!Files.isDirectory(stateDir)) return Optional.empty();
    try (Stream<Path> jobs = Files.list(stateDir)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(Checkpoints::checkpointsOf)
          .max(
              Comparator.comparing((Checkpoint c) -> modified(c.dir().resolve("_metadata")))
                  .thenComparingLong(Checkpoint::number));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The local state directory of a checkpointed Flink run, if the options make one. */
  public static Optional<Path> stateDirOf(PipelineOptions options) {
    if (!RunnerProfiles.isFlink(options)) return Optional.empty();
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    if (flink.getCheckpointingInterval() == null || flink.getCheckpointingInterval() <= 0)
      return Optional.empty();
    return Optional.ofNullable(localDir(flink.getStateBackendStoragePath()));
  }

  /**
   * Removes the state directory of a run that finished (its checkpoints can no longer be resumed).
   */
  public static void clear(PipelineOptions options) {
    stateDirOf(options).ifPresent(Directories::deleteTree);
  }

  private static Stream<Checkpoint> checkpointsOf(Path job) {
    try (Stream<Path> st = Files.list(job)) {
      return st
          .map(
              p -> {
                Matcher m = CHK.matcher(p.getFileName().toString());
                return m.matches() && Files.isRegularFile(p.resolve("_metadata"))
                    ? new Checkpoint(Long.parseLong(m.group(1)), p)
                    : null;
              })
          .filter(java.util.Objects::nonNull)
          .toList()
          .stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }

  private static long modified(Path p) {
    try {
      return Files.getLastModifiedTime(p).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  /** A local directory for a {@code file:} URI or a plain path; null for remote file systems. */
  static Path localDir(String path) {
    if (path == null) return null;
    if (path.startsWith("file:")) return Path.of(URI.create(path));
    if (path.contains("://")) return null;
    return Path.of(path).toAbsolutePath().normalize();
  }

  /**
   * A Flink configuration directory: the user's configuration (if any) plus the checkpoint to
   * restore.
   */
  private static Path resumeConf(Path stateDir, String userConfDir, Checkpoint c) {
    try {
      Path conf = stateDir.resolve("resume-conf");
      Files.createDirectories(conf);
      StringBuilder yaml = new StringBuilder();
      for (String line : RunnerProfiles.flinkConfFile(userConfDir).lines().toList()) {
        if (!line.startsWith("execution.savepoint.path")) yaml.append(line).append('\n');
      }
      yaml.append("execution.savepoint.path: \"").append(c.dir().toUri()).append("\"\n");
      Files.writeString(conf.resolve("config.yaml"), yaml.toString(), StandardCharsets.UTF_8);
      return conf;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
