package io.hfbeam.dataset;

import java.io.PrintStream;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lines about something a run did that a user waits for (a watched pane written, a commit landed).
 * The launcher of a run in this JVM prints them with the run's own output ({@link #printTo}); where
 * no launcher is (a cluster's TaskManager), they go to the log.
 *
 * <p>A DoFn is a serialized copy by the time it runs, so it cannot hold the launcher's stream: the
 * one place both reach is this class. It holds where lines go, never what a run counted (progress
 * comes from Beam's metrics).
 */
public final class RunEvents {
  private static final Logger LOG = LoggerFactory.getLogger(RunEvents.class);
  private static volatile Consumer<String> sink;

  private RunEvents() {}

  /** Prints one event line where the run in this JVM prints, or logs it when none does. */
  public static void emit(String line) {
    Consumer<String> s = sink;
    if (s != null) {
      s.accept(line);
    } else {
      LOG.info(line);
    }
  }

  /**
   * Prints the event lines of this JVM's run to {@code out} until the returned handle is closed.
   */
  public static Printing printTo(PrintStream out) {
    Consumer<String> mine = out::println;
    sink = mine;
    return () -> {
      if (sink == mine) sink = null;
    };
  }

  /** Ends the printing {@link #printTo} started. */
  @FunctionalInterface
  public interface Printing extends AutoCloseable {
    @Override
    void close();
  }
}
