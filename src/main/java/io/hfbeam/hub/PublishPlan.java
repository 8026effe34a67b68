package io.hfbeam.hub;

import io.hfbeam.dataset.WrittenFile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The commits of one publish run, decided from the emitted files alone so that a replay plans the
 * same commits: files sorted by path, the card last (so it lands together with the last data
 * files), cut into commits of at most {@code maxFiles} files (plus the card) and {@code maxBytes}
 * bytes (a single larger file gets a commit of its own), so 1,000 data files make 20 commits.
 */
record PublishPlan(List<List<WrittenFile>> commits) implements Serializable {
  static final String CARD = "README.md";

  static PublishPlan of(List<WrittenFile> files, int maxFiles, long maxBytes) {
    List<WrittenFile> sorted = new ArrayList<>(files);
    sorted.sort(
        Comparator.comparing((WrittenFile f) -> f.path().equals(CARD))
            .thenComparing(WrittenFile::path));
    List<List<WrittenFile>> commits = new ArrayList<>();
    List<WrittenFile> current = new ArrayList<>();
    long bytes = 0;
    for (WrittenFile f : sorted) {
      boolean full =
          current.size() >= maxFiles
              && !f.path().equals(CARD); // the card rides with the last data files
      if (!current.isEmpty() && (full || bytes + f.bytes() > maxBytes)) {
        commits.add(List.copyOf(current));
        current.clear();
        bytes = 0;
      }
      current.add(f);
      bytes += f.bytes();
    }
    if (!current.isEmpty()) commits.add(List.copyOf(current));
    return new PublishPlan(List.copyOf(commits));
  }

  /** "Add train/batch_004.parquet and 1 more": what a commit adds, for the Hub's history. */
  static String message(List<String> paths) {
    if (paths.size() == 1 && paths.get(0).endsWith(CARD)) return "Update " + paths.get(0);
    // name a data file, not a hidden bookkeeping file such as a run marker
    String named = paths.stream().filter(x -> !x.startsWith(".")).findFirst().orElse(paths.get(0));
    return "Add " + named + (paths.size() > 1 ? " and " + (paths.size() - 1) + " more" : "");
  }
}
