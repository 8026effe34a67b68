package io.hfbeam.workflow;

import org.joda.time.Duration;

/**
 * The continuous form of a file workflow: {@code source} (a directory or a glob) is polled every
 * {@code poll} for new files, and what arrived becomes the next batches at most every {@code
 * commitInterval}.
 */
public record WatchSettings(String source, Duration poll, Duration commitInterval) {
  public static final Duration DEFAULT_POLL = Duration.standardSeconds(5);
  public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.standardSeconds(60);

  public WatchSettings {
    if (poll.getMillis() <= 0)
      throw new IllegalArgumentException("--poll-interval must be > 0 seconds");
    if (commitInterval.getMillis() <= 0)
      throw new IllegalArgumentException("--commit-interval must be > 0 seconds");
  }

  /** {@code source} every 5 s, new batches at most every 60 s. */
  public static WatchSettings of(String source) {
    return new WatchSettings(source, DEFAULT_POLL, DEFAULT_COMMIT_INTERVAL);
  }

  public WatchSettings withPoll(Duration d) {
    return new WatchSettings(source, d, commitInterval);
  }

  public WatchSettings withCommitInterval(Duration d) {
    return new WatchSettings(source, poll, d);
  }
}
