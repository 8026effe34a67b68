package io.hfbeam.runner;

import java.util.function.LongSupplier;

/**
 * Takes a new checkpoint as soon as one fails, instead of waiting a whole checkpoint interval.
 *
 * <p>Why: when every task of a Flink 1.19 streaming job has reached the end of its input, the
 * JobManager triggers the final checkpoint once (tasks that finished their input wait for a
 * checkpoint before they end, FLIP-147). If a periodic checkpoint completed a moment earlier, tasks
 * that were waiting end while that trigger goes out, and it fails ("TaskManager received a
 * checkpoint request for unknown task"); the job then idles until the next periodic checkpoint, so
 * the run ends late. Retrying a failed checkpoint is what the periodic trigger would do anyway,
 * only sooner; retries are at most one per {@code minGapMillis}, so a checkpoint that keeps failing
 * for a real reason is not hammered.
 */
final class FailedCheckpointRetry {
  /** What the retry needs of a running job. */
  interface Job {
    /** False once the job has ended (or cannot be asked any more). */
    boolean running();

    /** Checkpoints failed so far. */
    long failedCheckpoints();

    /** Asks for a checkpoint now (without waiting for it). */
    void triggerCheckpoint();
  }

  private final Job job;
  private final LongSupplier clockMillis;
  private final long minGapMillis;
  private long failedSeen;
  private long lastRetry = Long.MIN_VALUE / 2;

  FailedCheckpointRetry(Job job, LongSupplier clockMillis, long minGapMillis) {
    this.job = job;
    this.clockMillis = clockMillis;
    this.minGapMillis = minGapMillis;
  }

  /**
   * One look at the job: retries when a checkpoint failed since the last look. Returns false once
   * it has ended.
   */
  boolean poll() {
    if (!job.running()) return false;
    long failed = job.failedCheckpoints();
    long now = clockMillis.getAsLong();
    if (failed > failedSeen && now - lastRetry >= minGapMillis) {
      failedSeen = failed;
      lastRetry = now;
      job.triggerCheckpoint();
    }
    return true;
  }

  /** Polls every {@code periodMillis} on a daemon thread until the job ends. */
  static void watch(Job job, long periodMillis, long minGapMillis) {
    FailedCheckpointRetry retry =
        new FailedCheckpointRetry(job, System::currentTimeMillis, minGapMillis);
    Thread t =
        new Thread(
            () -> {
              try {
                while (retry.poll()) Thread.sleep(periodMillis);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (RuntimeException e) {
                // the cluster is shutting down: nothing left to retry
              }
            },
            "hfbeam-checkpoint-retry");
    t.setDaemon(true);
    t.start();
  }
}
