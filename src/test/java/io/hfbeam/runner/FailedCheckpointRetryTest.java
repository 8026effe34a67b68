package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

class FailedCheckpointRetryTest {
  /** A job whose failed-checkpoint count and end the test sets. */
  static final class FakeJob implements FailedCheckpointRetry.Job {
    boolean running = true;
    long failed;
    int triggered;

    @Override
    public boolean running() {
      return running;
    }

    @Override
    public long failedCheckpoints() {
      return failed;
    }

    @Override
    public void triggerCheckpoint() {
      triggered++;
    }
  }

  long now = 10_000;

  @Test
  void aFailedCheckpointIsRetriedAtTheNextLookOnce() {
    FakeJob job = new FakeJob();
    FailedCheckpointRetry retry = new FailedCheckpointRetry(job, () -> now, 1000);
    assertThat(retry.poll(), equalTo(true));
    assertThat(job.triggered, equalTo(0));
    job.failed = 1;
    now += 100;
    retry.poll();
    assertThat(job.triggered, equalTo(1));
    now += 100;
    retry.poll();
    assertThat("the same failure is retried once", job.triggered, equalTo(1));
  }

  @Test
  void failuresInQuickSuccessionAreRetriedAtMostOncePerGap() {
    FakeJob job = new FakeJob();
    FailedCheckpointRetry retry = new FailedCheckpointRetry(job, () -> now, 1000);
    job.failed = 1;
    retry.poll();
    job.failed = 2;
    now += 300;
    retry.poll();
    assertThat(job.triggered, equalTo(1));
    now += 700;
    retry.poll();
    assertThat("retried again once the gap has passed", job.triggered, equalTo(2));
  }

  @Test
  void stopsWhenTheJobHasEnded() {
    FakeJob job = new FakeJob();
    FailedCheckpointRetry retry = new FailedCheckpointRetry(job, () -> now, 1000);
    job.running = false;
    job.failed = 3;
    assertThat(retry.poll(), equalTo(false));
    assertThat(job.triggered, equalTo(0));
  }
}
