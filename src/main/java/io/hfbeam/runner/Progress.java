package io.hfbeam.runner;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of the run in this JVM (DirectRunner and embedded Flink): readers add the bytes they consumed, a
 * daemon thread prints records done, rate and ETA against the known input size.
 */
public final class Progress {
  private static final AtomicLong BYTES = new AtomicLong();
  private static final AtomicLong RECORDS = new AtomicLong();

  /** Where event lines go while a run is on in this JVM; null otherwise (e.g. in a cluster's TaskManager). */
  private static volatile PrintStream events;

  private Progress() {}

  /**
   * One line about something the run did that a user waits for (a watched pane written, a commit landed), printed
   * with the progress lines of this JVM's run; dropped where no run prints (a cluster's TaskManager).
   */
  public static void event(String line) {
    PrintStream out = events;
    if (out != null) out.println(line);
  }

  /** Ends the event lines of a run. */
  static void stopEvents() {
    events = null;
  }

  public static void addBytes(long n) {
    BYTES.addAndGet(n);
  }

  public static void addRecords(long n) {
    RECORDS.addAndGet(n);
  }

  /** Starts printing every {@code everyMillis} to {@code out}; returns the thread to interrupt at the end. */
  public static Thread start(long totalBytes, long everyMillis, PrintStream out) {
    events = out;
    BYTES.set(0);
    RECORDS.set(0);
    long t0 = System.nanoTime();
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(everyMillis);
                  out.println(line(totalBytes, (System.nanoTime() - t0) / 1e9));
                }
              } catch (InterruptedException e) {
                // run finished
              }
            },
            "hfbeam-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** For a job on a Flink cluster: where to watch it, then the elapsed time every {@code everyMillis}. */
  public static Thread startCluster(String webUi, long everyMillis, PrintStream out) {
    out.println("submitting to the Flink cluster at " + webUi + " (progress: its web UI, Jobs > Running Jobs)");
    long t0 = System.nanoTime();
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  Thread.sleep(everyMillis);
                  out.printf("progress: running on the Flink cluster, %.0f s%n", (System.nanoTime() - t0) / 1e9);
                }
              } catch (InterruptedException e) {
                // run finished
              }
            },
            "hfbeam-progress");
    t.setDaemon(true);
    t.start();
    return t;
  }

  static String line(long totalBytes, double seconds) {
    long bytes = BYTES.get();
    long records = RECORDS.get();
    double rate = records / Math.max(seconds, 1e-9);
    StringBuilder sb = new StringBuilder(String.format("progress: %,d records, %,.0f records/s", records, rate));
    if (totalBytes > 0) {
      double frac = Math.min(1.0, bytes / (double) totalBytes);
      sb.append(String.format(", %.1f%% of input read", frac * 100));
      if (frac > 0.01 && frac < 1) {
        sb.append(String.format(", ETA %.0f s", seconds * (1 - frac) / frac));
      }
    }
    return sb.toString();
  }
}
