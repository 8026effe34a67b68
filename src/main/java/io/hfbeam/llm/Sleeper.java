package io.hfbeam.llm;

import java.time.Duration;

/** Waits for a while. A seam so tests can check backoff and pacing without sleeping for real. */
@FunctionalInterface
public interface Sleeper {
  Sleeper REAL =
      duration -> {
        if (!duration.isNegative() && !duration.isZero()) {
          Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);
        }
      };

  void sleep(Duration duration) throws InterruptedException;
}
