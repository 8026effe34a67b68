package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * {@code conversations analyze --watch DIR}: the first files that land are analysed as a batch run
 * does; after that, files that appear are taken in as increments ({@link
 * ConversationsIncrementRun}) at most every commit interval, each a pipeline on the run's runner,
 * each published when the run publishes. A file is taken in once its size has stayed the same for
 * one poll (a file still being written waits). The watch state beside the checkpoints says which
 * files are in, so a stopped run, restarted, reads none of them again.
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
    Map<String, Long> lastSizes = new HashMap<>();
    long lastIncrement = 0;
    int made = 0;
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
                    + " conversations)"));
    while (!stop.getAsBoolean()) {
      List<Path> stable = stableFiles(watch.source(), lastSizes);
      state = WatchState.load(root);
      List<Path> fresh = new ArrayList<>();
      for (Path f : stable) if (!state.ingested().containsKey(f.toString())) fresh.add(f);
      long now = System.currentTimeMillis();
      if (!fresh.isEmpty() && now - lastIncrement >= watch.commitInterval().getMillis()) {
        if (state.ingested().isEmpty()) {
          AnalyzeSettings first = s.withInputs(fresh.stream().map(Path::toString).toList());
          WorkflowRun.Outcome o = WorkflowLauncher.run(ConversationsAnalyzeRun.of(first), run, out);
          if (!o.ok()) throw new IllegalStateException(o.budgetMessage());
          start(root, fresh);
        } else {
          ConversationsIncrementRun inc = ConversationsIncrementRun.of(s, policy, fresh);
          WorkflowRun.Outcome o = WorkflowLauncher.run(inc, run, out);
          if (!o.ok()) throw new IllegalStateException(o.budgetMessage());
        }
        lastIncrement = System.currentTimeMillis();
        made++;
        continue;
      }
      Thread.sleep(watch.poll().getMillis());
    }
    return made;
  }

  /** The files of the watched spec whose size has not changed since the last look. */
  private static List<Path> stableFiles(String spec, Map<String, Long> lastSizes)
      throws IOException {
    List<Path> found;
    try {
      found = InputFiles.expand(List.of(spec), AnalyzeSettings.PATTERN);
    } catch (IllegalArgumentException e) {
      return List.of(); // nothing there yet
    }
    List<Path> stable = new ArrayList<>();
    for (Path f : found) {
      Path abs = f.toAbsolutePath().normalize();
      long size = Files.size(abs);
      Long before = lastSizes.put(abs.toString(), size);
      if (before != null && before == size && size > 0) stable.add(abs);
    }
    return stable;
  }

  /** After the first batch: the state the increments go on from. */
  private static void start(Path root, List<Path> files) throws IOException {
    Map<String, float[]> vectors = StageFiles.vectors(root);
    StringBuilder ids = new StringBuilder();
    for (String id : vectors.keySet()) ids.append(id).append('\n');
    List<Cluster> base = StageFiles.readAll(root, StageFeatures.CLUSTERS, StageRows::cluster);
    Files.createDirectories(WatchState.idsFile(root).getParent());
    Files.writeString(WatchState.idsFile(root), ids.toString(), StandardCharsets.UTF_8);
    TreeMap<String, Long> ingested = new TreeMap<>();
    for (Path f : files) ingested.put(f.toString(), Files.size(f));
    long conversations =
        CheckpointLayout.read(root, StageFeatures.CONVERSATIONS).map(i -> i.rows()).orElse(0L);
    // the increments place new conversations from these sums, not from every vector again
    ClusterSums.of(
            base,
            vectors,
            CheckpointLayout.read(root, StageFeatures.CLUSTERS).orElseThrow().fingerprint())
        .save(root);
    new WatchState(ingested, 1, 0, 0, ClusterUpdate.radius(base, vectors), conversations)
        .save(root);
  }
}
