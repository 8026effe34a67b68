package io.hfbeam.workflow;

import java.util.Optional;

/**
 * How a workflow runs, whatever the workflow: the runner profile, the error budget, checkpoints,
 * and where it publishes. Immutable; {@link #defaults()} is the DirectRunner, no error budget, no
 * publishing.
 *
 * @param runner a runner profile name (direct, flink-local, flink-cluster) or a profile file
 * @param parallelism Flink parallelism or DirectRunner threads; null keeps the profile's
 * @param maxErrorRate fail the run when more than this fraction of records fail (1.0: never)
 * @param resume on Flink: continue from the output's latest checkpoint
 * @param checkpointIntervalSeconds on Flink: seconds between checkpoints; null keeps the profile's
 * @param hub where to publish, if anywhere
 */
public record RunSettings(
    String runner,
    Integer parallelism,
    double maxErrorRate,
    boolean resume,
    Double checkpointIntervalSeconds,
    Optional<HubTarget> hub) {
  public RunSettings {
    if (parallelism != null && parallelism < 1) {
      throw new IllegalArgumentException("parallelism must be at least 1, got " + parallelism);
    }
    if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
      throw new IllegalArgumentException(
          "maxErrorRate must be a fraction between 0 and 1 (0.05 = 5%), got " + maxErrorRate);
    }
  }

  public static RunSettings defaults() {
    return new RunSettings("direct", null, 1.0, false, null, Optional.empty());
  }

  public RunSettings withRunner(String profile) {
    return new RunSettings(
        profile, parallelism, maxErrorRate, resume, checkpointIntervalSeconds, hub);
  }

  public RunSettings withParallelism(Integer n) {
    return new RunSettings(runner, n, maxErrorRate, resume, checkpointIntervalSeconds, hub);
  }

  public RunSettings withMaxErrorRate(double rate) {
    return new RunSettings(runner, parallelism, rate, resume, checkpointIntervalSeconds, hub);
  }

  public RunSettings withResume(boolean r) {
    return new RunSettings(runner, parallelism, maxErrorRate, r, checkpointIntervalSeconds, hub);
  }

  public RunSettings withCheckpointInterval(Double seconds) {
    return new RunSettings(runner, parallelism, maxErrorRate, resume, seconds, hub);
  }

  public RunSettings withHub(HubTarget target) {
    return new RunSettings(
        runner,
        parallelism,
        maxErrorRate,
        resume,
        checkpointIntervalSeconds,
        Optional.ofNullable(target));
  }
}
