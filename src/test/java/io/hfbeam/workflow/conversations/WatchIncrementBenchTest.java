package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hfbeam.format.files.Directories;
import io.hfbeam.workflow.RunSettings;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WorkflowLauncher;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A watch increment of 100 conversations into a set of N (1k, 10k by default): wall time and the
 * bytes the JVM read ({@code rchar} of /proc/self/io) per increment. The set is made once by a
 * watch's first batch from {@code bench/conversations_gen.py} conversations (cached under
 * target/bench/watch/) and copied for each measurement; increments are placed, never clustered
 * again (drift threshold 1.0), the path an increment takes between re-clusterings. Each increment's
 * Parquet opens can be counted from outside: it opens {@code MARK-<n>-<k>-start} and {@code -end}
 * around the increment (bench/watch-increment.sh runs it under strace). Off by default: {@code mvn
 * -o -q test -Dtest=WatchIncrementBenchTest -Dbench=true [-Dbench.sizes=1000,10000]}.
 */
@EnabledIfSystemProperty(named = "bench", matches = "true")
class WatchIncrementBenchTest {
  static final Path DIR = Path.of("target/bench/watch").toAbsolutePath();
  static final int INCREMENT = 100;
  static final int INCREMENTS = 3;

  @Test
  void incrementIntoSetsOfEachSize() throws Exception {
    for (String n : System.getProperty("bench.sizes", "1000,10000").split(",")) {
      measure(Integer.parseInt(n.trim()));
    }
  }

  static void measure(int n) throws Exception {
    Files.createDirectories(DIR);
    Path input = DIR.resolve("syn-" + n + ".jsonl");
    int total = n + INCREMENT * INCREMENTS;
    if (!Files.isRegularFile(input)) {
      Path all = DIR.resolve("syn-all-" + total + ".jsonl");
      Process p =
          new ProcessBuilder("python3", "bench/conversations_gen.py", "" + total, all.toString())
              .inheritIO()
              .start();
      assertEquals(0, p.waitFor());
      List<String> lines = Files.readAllLines(all, StandardCharsets.UTF_8);
      Files.write(input, lines.subList(0, n), StandardCharsets.UTF_8);
      for (int k = 0; k < INCREMENTS; k++) {
        Files.write(
            DIR.resolve("inc-" + n + "-" + k + ".jsonl"),
            lines.subList(n + k * INCREMENT, n + (k + 1) * INCREMENT),
            StandardCharsets.UTF_8);
      }
    }
    // the set: made once (embedding N conversations), kept without the watch's own files
    Path cached = DIR.resolve("set-" + n);
    Path watched = DIR.resolve("in-" + n);
    Directories.deleteTree(watched);
    Files.createDirectories(watched);
    Files.copy(input, watched.resolve("base.jsonl"));
    Path out = DIR.resolve("out-" + n);
    Directories.deleteTree(out);
    if (Files.isDirectory(cached)) copyTree(cached, out);
    AnalyzeSettings s = ConversationsWatchTest.settings(watched, out);
    ConversationsIncrementRun.Policy policy = new ConversationsIncrementRun.Policy(1.0, 1_000_000);
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    // the first batch: every stage up to date when the set was cached (then only the watch state)
    ConversationsWatch.run(
        s,
        policy,
        WatchSettings.of(watched.toString())
            .withPoll(Duration.millis(100))
            .withCommitInterval(Duration.millis(100)),
        RunSettings.defaults(),
        sink,
        () -> {
          try {
            return WatchState.load(out).increments() >= 1;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    System.out.printf(
        Locale.ROOT,
        "BENCH n=%d first_batch_s=%.1f%s%n",
        n,
        (System.nanoTime() - t0) / 1e9,
        Files.isDirectory(cached) ? " (set cached)" : " (set made)");
    if (!Files.isDirectory(cached)) {
      copyTree(out, cached);
      Directories.deleteTree(cached.resolve(".hfbeam"));
    }
    for (int k = 0; k < INCREMENTS; k++) {
      Path file = watched.resolve("inc-" + k + ".jsonl");
      Files.copy(
          DIR.resolve("inc-" + n + "-" + k + ".jsonl"), file, StandardCopyOption.REPLACE_EXISTING);
      mark(n, k, "start");
      long read0 = rchar();
      long start = System.nanoTime();
      ConversationsIncrementRun inc = ConversationsIncrementRun.of(s, policy, List.of(file));
      var o = WorkflowLauncher.run(inc, RunSettings.defaults(), sink);
      double secs = (System.nanoTime() - start) / 1e9;
      long read = rchar() - read0;
      mark(n, k, "end");
      assertEquals(true, o.ok(), o.budgetMessage());
      System.out.printf(
          Locale.ROOT,
          "BENCH n=%d increment=%d conversations=%d wall_s=%.2f read_mb=%.1f set_rows=%d%n",
          n,
          k + 1,
          inc.conversations(),
          secs,
          read / 1e6,
          WatchState.load(out).conversations());
    }
  }

  /** Opens a marker file, for a system-call trace to cut the increment out by. */
  static void mark(int n, int k, String what) throws Exception {
    Path m = DIR.resolve("MARK-" + n + "-" + k + "-" + what);
    Files.writeString(m, what);
    try (InputStream in = Files.newInputStream(m)) {
      in.read();
    }
  }

  /** Bytes this process has read through read(2) and its kin so far. */
  static long rchar() throws Exception {
    for (String l : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (l.startsWith("rchar:")) return Long.parseLong(l.substring(6).trim());
    }
    return -1;
  }

  static void copyTree(Path from, Path to) throws Exception {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> st = Files.walk(from)) {
      st.forEach(all::add);
    }
    for (Path p : all) {
      Path t = to.resolve(from.relativize(p).toString());
      if (Files.isDirectory(p)) Files.createDirectories(t);
      else Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
