package io.hfbeam.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/**
 * Uploads of a local file or folder in commits of a bounded number of files, as {@code hfbeam hub
 * upload} does.
 */
public final class Uploads {
  /** The most files one commit takes. */
  public static final int MAX_FILES_PER_COMMIT = 50;

  private Uploads() {}

  /**
   * The add operations for {@code local}: the file itself (at {@code pathInRepo}, default its
   * name), or every file under the folder in path order (under {@code pathInRepo}), leaving out a
   * git folder and huggingface_hub's upload state.
   */
  public static List<CommitOperation> operations(Path local, String pathInRepo) throws IOException {
    if (!Files.exists(local))
      throw new IllegalArgumentException("no such file or folder: " + local);
    List<CommitOperation> ops = new ArrayList<>();
    if (Files.isRegularFile(local)) {
      ops.add(
          CommitOperation.add(
              pathInRepo != null ? pathInRepo : local.getFileName().toString(), local));
      return ops;
    }
    String prefix =
        pathInRepo == null || pathInRepo.isEmpty() ? "" : pathInRepo.replaceAll("/+$", "") + "/";
    try (Stream<Path> files = Files.walk(local)) {
      for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
        String rel = local.relativize(f).toString().replace('\\', '/');
        if (rel.startsWith(".git/")
            || rel.equals(".git")
            || rel.startsWith(".cache/huggingface/")) {
          continue;
        }
        ops.add(CommitOperation.add(prefix + rel, f));
      }
    }
    if (ops.isEmpty()) throw new IllegalArgumentException("folder " + local + " has no files");
    return ops;
  }

  /**
   * Commits {@code ops} in batches of {@code batchSize} files, titled {@code message} (default "Add
   * first and N more") with "(part k of n)" when there are several; reports each commit and its
   * number of files to {@code each}.
   */
  public static void commit(
      HubClient client,
      RepoId repo,
      String revision,
      List<CommitOperation> ops,
      int batchSize,
      String message,
      BiConsumer<CommitInfo, Integer> each)
      throws IOException {
    if (batchSize < 1 || batchSize > MAX_FILES_PER_COMMIT) {
      throw new IllegalArgumentException(
          "--batch-size must be between 1 and " + MAX_FILES_PER_COMMIT);
    }
    int batches = (ops.size() + batchSize - 1) / batchSize;
    for (int b = 0; b < batches; b++) {
      List<CommitOperation> batch =
          ops.subList(b * batchSize, Math.min(ops.size(), (b + 1) * batchSize));
      String title =
          (message != null ? message : describe(batch))
              + (batches > 1 ? " (part " + (b + 1) + " of " + batches + ")" : "");
      each.accept(client.createCommit(repo, revision, batch, title, null), batch.size());
    }
  }

  private static String describe(List<CommitOperation> batch) {
    return "Add "
        + batch.get(0).path()
        + (batch.size() > 1 ? " and " + (batch.size() - 1) + " more" : "");
  }
}
