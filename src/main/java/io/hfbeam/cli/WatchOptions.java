package io.hfbeam.cli;

import io.hfbeam.workflow.WatchSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.joda.time.Duration;
import picocli.CommandLine.Option;

/**
 * Continuous ingestion flags for workflows with file sources; a command takes them with
 * {@code @Mixin WatchOptions watch;}. With {@code --watch} the input is a directory or glob that is
 * polled for new files, and the job runs until stopped (Ctrl-C); on Flink, {@code --resume}
 * continues it without reading again the files its checkpoint covers.
 */
public final class WatchOptions {
  @Option(
      names = "--watch",
      description =
          "Keep running: process files as they appear in the input directory or glob, "
              + "and write (and publish) what arrived at most every --commit-interval. Stop with Ctrl-C or SIGTERM; continue with --resume on Flink.")
  boolean watch;

  @Option(
      names = "--poll-interval",
      paramLabel = "SECONDS",
      description = "With --watch: how often to look for new files (default 5).")
  Double pollSeconds;

  @Option(
      names = "--commit-interval",
      paramLabel = "SECONDS",
      description =
          "With --watch: new batch files (and a Hub commit) at most this often (default 60).")
  Double commitSeconds;

  boolean enabled() {
    return watch;
  }

  /** Rejects the watch-only flags without --watch, and intervals that are not positive. */
  void check() {
    if (!watch && (pollSeconds != null || commitSeconds != null)) {
      throw new IllegalArgumentException("--poll-interval and --commit-interval need --watch");
    }
    if (pollSeconds != null && pollSeconds <= 0)
      throw new IllegalArgumentException("--poll-interval must be > 0 seconds");
    if (commitSeconds != null && commitSeconds <= 0)
      throw new IllegalArgumentException("--commit-interval must be > 0 seconds");
  }

  /** With --watch: the one directory or glob given as {@code flag}, polled as these flags say. */
  Optional<WatchSettings> settings(List<String> specs, String flag) {
    if (!watch) return Optional.empty();
    if (specs.size() != 1)
      throw new IllegalArgumentException("--watch takes one " + flag + ": a directory or a glob");
    String spec = specs.get(0);
    if (!Files.isDirectory(Path.of(spec)) && !spec.contains("*")) {
      throw new IllegalArgumentException(
          "--watch needs an existing directory (or a glob) as " + flag + ": " + spec);
    }
    WatchSettings w = WatchSettings.of(spec);
    if (pollSeconds != null) w = w.withPoll(Duration.millis(Math.round(pollSeconds * 1000)));
    if (commitSeconds != null)
      w = w.withCommitInterval(Duration.millis(Math.round(commitSeconds * 1000)));
    return Optional.of(w);
  }
}
