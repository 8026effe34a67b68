package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.workflow.RunSettings;
import io.hfbeam.workflow.WatchSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.joda.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations analyze --watch}: files that land are taken in as increments, the checkpoint
 * set stays complete and loadable after each, and a restart reads nothing twice.
 */
class ConversationsWatchTest {
  @TempDir Path tmp;

  static AnalyzeSettings settings(Path dir, Path out) {
    return new AnalyzeSettings(
        List.of(dir.toString()),
        out.toString(),
        InputSpec.auto(),
        EmbedTexts.Spec.LOCAL,
        new ClusterAnalysis.Settings(0, 0, 10, 10, 1_000),
        ParquetSettings.defaults(),
        null,
        true);
  }

  /**
   * Watches until the state records {@code increments}, or {@code millis} pass; returns what was
   * made.
   */
  static int watchUntil(
      AnalyzeSettings s, Path dir, int increments, Runnable afterFirst, long millis)
      throws Exception {
    Path out = Path.of(s.output());
    long deadline = System.currentTimeMillis() + millis;
    AtomicBoolean added = new AtomicBoolean();
    WatchSettings w =
        WatchSettings.of(dir.toString())
            .withPoll(Duration.millis(200))
            .withCommitInterval(Duration.millis(200));
    PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return ConversationsWatch.run(
        s,
        ConversationsIncrementRun.Policy.defaults(),
        w,
        RunSettings.defaults(),
        sink,
        () -> {
          try {
            int done = WatchState.load(out).increments();
            if (done >= 1 && afterFirst != null && !added.getAndSet(true)) afterFirst.run();
            return done >= increments || System.currentTimeMillis() > deadline;
          } catch (Exception e) {
            return true;
          }
        });
  }

  @Test
  void newFilesAreTakenInAndARestartReadsNothingTwice() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("in"));
    Path out = tmp.resolve("out");
    List<String> lines =
        Files.readAllLines(Path.of(ConversationsLlmTest.MT_BENCH), StandardCharsets.UTF_8);
    Files.write(dir.resolve("a.jsonl"), lines.subList(0, 40));
    AnalyzeSettings s = settings(dir, out);
    java.util.concurrent.atomic.AtomicReference<String> lockedOut =
        new java.util.concurrent.atomic.AtomicReference<>("");
    int made =
        watchUntil(
            s,
            dir,
            2,
            () -> {
              // between increments the watch still holds the output: another run is refused
              try {
                io.hfbeam.dataset.OutputLock.acquire(out).close();
                lockedOut.set("no: the output was free while watched");
              } catch (IllegalStateException e) {
                lockedOut.set(e.getMessage());
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
              try {
                // the second half, plus a conversation analysed before: refused as a duplicate
                List<String> b = new java.util.ArrayList<>(lines.subList(40, 80));
                b.add(lines.get(0));
                Files.write(dir.resolve("b.jsonl"), b);
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            },
            300_000); // a first batch on a loaded 2-core machine has taken over 120 s
    assertEquals(2, made);
    assertTrue(
        lockedOut.get().contains("is being written by another hf-beam run"), lockedOut.get());
    WatchState state = WatchState.load(out);
    assertEquals(80, state.conversations());
    assertEquals(2, state.ingested().size());
    CheckpointLayout.StageInfo conv = CheckpointLayout.read(out, "conversations").orElseThrow();
    assertEquals(80, conv.rows());
    assertEquals(1, conv.failed());
    String errors = Files.readString(out.resolve("conversations/_errors/errors.jsonl"));
    assertTrue(errors.contains("was analysed before (duplicate)"), errors);
    assertTrue(errors.contains("b.jsonl"), errors);
    for (String stage : List.of("embeddings", "clusters", "meta_clusters", "dimensionality")) {
      assertTrue(CheckpointLayout.read(out, stage).isPresent(), stage);
    }
    long inClusters = 0;
    for (var row : ConversationsLlmTest.rows(out, "clusters")) inClusters += row.getInt64("count");
    assertEquals(80, inClusters, "every conversation is in a cluster");
    assertEquals(80, ConversationsLlmTest.rows(out, "embeddings").size());

    // restarted: both files are known, nothing is read again
    String before = Files.readString(WatchState.file(out));
    int again = watchUntil(s, dir, 3, null, 3_000); // several polls: both files look stable
    assertEquals(0, again);
    assertEquals(before, Files.readString(WatchState.file(out)));
  }
}
