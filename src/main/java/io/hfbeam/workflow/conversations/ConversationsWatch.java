package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.OutputLock;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.runner.WorkflowRun;
import io.hfbeam.workflow.RunSettings;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WorkflowLauncher;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * {@code conversations analyze --watch DIR}: the first files that land are analysed as a batch run
 * does; after that, files that appear are taken in as increments ({@link
 * ConversationsIncrementRun}) at most every commit interval, each a pipeline on the run's runner,
 * each published when the run publishes. A file is taken in once its size has stayed the same for
 * one poll (a file still being written waits). The watch state beside the checkpoints says which
 * files are in, so a stopped run, restarted, reads none of them again; an increment stopped half
 * way is finished first ({@link PendingIncrement}). A refused increment (over {@code
 * --max-error-rate}) is recorded there too and the watch goes on: its files are tried again only
 * once their size changes.
 *
 * <p>Increments, not one unbounded pipeline: the clusters are one global state that every new
 * conversation reads, which a streaming pipeline would hold in one keyed state anyway; as micro
 * batches, each increment's output is a complete, loadable checkpoint set.
 */
public final class ConversationsWatch {
  private ConversationsWatch() {}

  /**
   * Watches until {@code stop} says so (the CLI: never, until Ctrl-C).
   *
   * @return the number of increments made (the first batch included)
   */
  public static int run(
      AnalyzeSettings s,
      ConversationsIncrementRun.Policy policy,
      WatchSettings watch,
      RunSettings run,
      PrintStream out,
      BooleanSupplier stop)
      throws Exception {
    Path root = Path.of(s.output()).toAbsolutePath().normalize();
    // held for the whole watch, not per increment: no other run slips in between two
    try (OutputLock lock = OutputLock.acquire(root)) {
      return watch(s, policy, watch, run, out, stop, root, lock);
    }
  }

  private static int watch(
      AnalyzeSettings s,
      ConversationsIncrementRun.Policy policy,
      WatchSettings watch,
      RunSettings run,
      PrintStream out,
      BooleanSupplier stop,
      Path root,
      OutputLock lock)
      throws Exception {
    Map<String, Long> lastSizes = new HashMap<>();
    long lastIncrement = 0;
    int made = 0;
    finishPending(root, run, out, lock);
    WatchState state = WatchState.load(root);
    out.println(
        "watching "
            + watch.source()
            + " (every "
            + watch.poll().getMillis() / 1000.0
            + " s; new conversations taken in at most every "
            + watch.commitInterval().getStandardSeconds()
            + " s)"
            + (state.ingested().isEmpty()
                ? ""
                : "; "
                    + state.ingested().size()
                    + " files already taken in ("
                    + state.conversations()
                    + " conversations)")
            + (state.refused().isEmpty()
                ? ""
                : "; " + state.refused().size() + " refused (tried again once changed):"));
    state.refused().forEach((f, r) -> out.println("  refused " + f + ": " + r.reason()));
    // the files of a refused increment of several: each is tried alone, so that a good file is not
    // held back by a bad one that landed in the same poll
    Set<String> alone = new HashSet<>();
    while (!stop.getAsBoolean()) {
      Map<Path, Long> stable = stableFiles(watch.source(), lastSizes);
      finishPending(root, run, out, lock);
      state = WatchState.load(root);
      List<Path> fresh = new ArrayList<>();
      for (Map.Entry<Path, Long> f : stable.entrySet()) {
        if (state.wants(f.getKey().toString(), f.getValue())) fresh.add(f.getKey());
      }
      for (Path f : fresh) {
        if (alone.contains(f.toString())) {
          fresh = List.of(f);
          break;
        }
      }
      long now = System.currentTimeMillis();
      if (!fresh.isEmpty() && now - lastIncrement >= watch.commitInterval().getMillis()) {
        if (state.ingested().isEmpty()) {
          AnalyzeSettings first = s.withInputs(fresh.stream().map(Path::toString).toList());
          WorkflowRun.Outcome o =
              WorkflowLauncher.run(ConversationsAnalyzeRun.of(first), run, out, lock);
          if (o.ok()) {
            start(root, fresh);
          } else {
            refuseFirst(root, fresh, o.budgetMessage());
            splitIfRefused(root, fresh, alone, out);
          }
        } else {
          ConversationsIncrementRun inc = ConversationsIncrementRun.of(s, policy, fresh);
          WorkflowRun.Outcome o = WorkflowLauncher.run(inc, run, out, lock);
          if (!o.ok()) throw new IllegalStateException(o.budgetMessage());
          splitIfRefused(root, fresh, alone, out);
        }
        lastIncrement = System.currentTimeMillis();
        made++;
        continue;
      }
      Thread.sleep(watch.poll().getMillis());
    }
    return made;
  }

  /**
   * The first batch refused (a stage over {@code --max-error-rate}): as a refused increment, its
   * files are recorded as refused in the watch state (tried again once changed), their located
   * failures kept in {@code .hfbeam/refused-errors.jsonl}, and the watch goes on; the next files
   * that land make the first batch. The refused run left no stage looking complete.
   */
  private static void refuseFirst(Path root, List<Path> files, String why) throws IOException {
    String reason = why == null ? "refused" : why.replaceFirst("; see .*$", "");
    Path log = ConversationsIncrementRun.refusedErrors(root);
    // the stages this run made (not complete: a refused run unmarks them)
    List<String> made =
        CheckpointLayout.STAGES.stream()
            .filter(stage -> CheckpointLayout.read(root, stage).isEmpty())
            .toList();
    List<Path> errorFiles = ConversationsIncrementRun.errorFiles(root, made);
    ConversationsIncrementRun.keepRefusedErrors(root, errorFiles);
    for (Path errors : errorFiles)
      Files.deleteIfExists(errors); // a later first batch writes its own
    ConversationsIncrementRun.recordRefused(
        root, WatchState.load(root), files.stream().map(Path::toString).toList(), reason);
    System.err.println(
        "the first batch was refused, nothing taken in: "
            + String.join(", ", files.stream().map(Path::toString).toList())
            + " ("
            + reason
            + "; its failures in "
            + log
            + "); the watch goes on and tries a file again once it changes");
  }

  /**
   * An increment stopped after its commit point, finished (see {@link PendingIncrement}) and, when
   * the run publishes, published now: the next increment may be long in coming.
   */
  private static void finishPending(Path root, RunSettings run, PrintStream out, OutputLock lock)
      throws Exception {
    int n = PendingIncrement.finish(root);
    if (n == 0) return;
    out.println("increment " + n + " had stopped half way: finished");
    if (run.hub().isPresent()) {
      WorkflowRun.Outcome o = WorkflowLauncher.run(new PublishSetRun(root), run, out, lock);
      if (!o.ok()) throw new IllegalStateException(o.budgetMessage());
    }
  }

  /**
   * After an increment of several files was refused: they are not recorded as refused but tried
   * again one at a time (each then lands or is refused on its own).
   */
  private static void splitIfRefused(
      Path root, List<Path> files, Set<String> alone, PrintStream out) throws IOException {
    if (files.size() < 2) return;
    WatchState state = WatchState.load(root);
    TreeMap<String, WatchState.Refused> refused = new TreeMap<>(state.refused());
    for (Path f : files) if (!refused.containsKey(f.toString())) return;
    for (Path f : files) {
      refused.remove(f.toString());
      alone.add(f.toString());
    }
    state.withRefused(refused).save(root);
    out.println("the " + files.size() + " files of the refused increment are tried one at a time");
  }

  /** The files of the watched spec whose size has not changed since the last look, and it. */
  private static Map<Path, Long> stableFiles(String spec, Map<String, Long> lastSizes)
      throws IOException {
    List<Path> found;
    try {
      found = InputFiles.expand(List.of(spec), AnalyzeSettings.PATTERN);
    } catch (IllegalArgumentException e) {
      return Map.of(); // nothing there yet
    }
    Map<Path, Long> stable = new LinkedHashMap<>();
    for (Path f : found) {
      Path abs = f.toAbsolutePath().normalize();
      long size = Files.size(abs);
      Long before = lastSizes.put(abs.toString(), size);
      if (before != null && before == size && size > 0) stable.put(abs, size);
    }
    return stable;
  }

  /**
   * After the first batch: the state the increments go on from. The vectors are read through
   * scratch files ({@link ScratchPoints}), not into the heap: a first batch may be large.
   */
  private static void start(Path root, List<Path> files) throws IOException {
    List<Cluster> base = StageFiles.readAll(root, StageFeatures.CLUSTERS, StageRows::cluster);
    TreeMap<String, Long> ingested = new TreeMap<>();
    for (Path f : files) ingested.put(f.toString(), Files.size(f));
    long conversations =
        CheckpointLayout.read(root, StageFeatures.CONVERSATIONS).map(i -> i.rows()).orElse(0L);
    // files refused before (a refused first batch) stay refused until they change
    TreeMap<String, WatchState.Refused> refused = new TreeMap<>(WatchState.load(root).refused());
    refused.keySet().removeAll(ingested.keySet());
    try (ScratchPoints points = ScratchPoints.vectorsOf(root)) {
      Map<String, float[]> vectors = points.vectorsById();
      Files.createDirectories(WatchState.idsFile(root).getParent());
      try (java.io.Writer w =
          Files.newBufferedWriter(WatchState.idsFile(root), StandardCharsets.UTF_8)) {
        for (String id : points.chatIds()) w.write(id + "\n");
      }
      // the increments place new conversations from these sums, not from every vector again
      ClusterSums.of(
              base,
              vectors,
              CheckpointLayout.read(root, StageFeatures.CLUSTERS).orElseThrow().fingerprint())
          .save(root);
      new WatchState(ingested, 1, 0, 0, ClusterUpdate.radius(base, vectors), conversations)
          .withRefused(refused)
          .save(root);
    }
  }
}
