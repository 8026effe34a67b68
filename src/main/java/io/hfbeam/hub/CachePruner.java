package io.hfbeam.hub;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Shrinks a cache to a size: deletes the least recently used revisions first (the newest access
 * time of their blobs), each with its refs and the blobs no other revision of the repo links to,
 * and the repo folder once it has no revision left. A revision whose blob lock another process or
 * thread holds (a download, a reader that locked it) is skipped, and the locks of the revision
 * being deleted are held until it is gone, so a download cannot start into it.
 */
public final class CachePruner {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgtp]?i?b?)", Pattern.CASE_INSENSITIVE);

  private CachePruner() {}

  /** A revision that goes (or would go, in a dry run), and the bytes that frees. */
  public record Deletion(
      String repo, String commitHash, List<String> refs, Instant lastUsed, long freed) {}

  /** A revision that would have gone but is in use. */
  public record Skipped(String repo, String commitHash, String reason) {}

  /** What a prune did or, with {@code dryRun}, would do. */
  public record Plan(
      long maxSize,
      long sizeBefore,
      long sizeAfter,
      List<Deletion> deletions,
      List<Skipped> skipped,
      List<Path> removedRepoFolders,
      boolean dryRun) {
    public Plan {
      deletions = List.copyOf(deletions);
      skipped = List.copyOf(skipped);
      removedRepoFolders = List.copyOf(removedRepoFolders);
    }

    public boolean fits() {
      return sizeAfter <= maxSize;
    }
  }

  /** Scans {@code cacheDir}, then prunes it to {@code maxSize} bytes. */
  public static Plan prune(Path cacheDir, long maxSize, boolean dryRun) throws IOException {
    return prune(CacheScanner.scan(cacheDir), maxSize, dryRun);
  }

  public static Plan prune(CacheReport report, long maxSize, boolean dryRun) throws IOException {
    if (maxSize < 0) throw new IllegalArgumentException("--max-size must not be negative");
    record Candidate(CacheReport.Repo repo, CacheReport.Revision revision) {}
    List<Candidate> candidates = new ArrayList<>();
    Map<Path, Integer> linkCount = new HashMap<>();
    Map<CacheReport.Repo, Integer> revisionsLeft = new HashMap<>();
    for (CacheReport.Repo repo : report.repos()) {
      revisionsLeft.put(repo, repo.revisions().size());
      for (CacheReport.Revision rev : repo.revisions()) {
        candidates.add(new Candidate(repo, rev));
        for (Path blob : blobs(rev)) linkCount.merge(blob, 1, Integer::sum);
      }
    }
    // Oldest use first; at a tie a detached revision (no ref) before one a branch names.
    candidates.sort(
        Comparator.comparing((Candidate c) -> c.revision().lastUsed())
            .thenComparing(c -> !c.revision().refs().isEmpty())
            .thenComparing(c -> c.repo().path())
            .thenComparing(c -> c.revision().commitHash()));

    long size = report.sizeOnDisk();
    List<Deletion> deletions = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    List<Path> removedRepos = new ArrayList<>();
    Path locks = report.cacheDir().resolve(".locks");
    for (Candidate c : candidates) {
      if (size <= maxSize) break;
      CacheReport.Repo repo = c.repo();
      CacheReport.Revision rev = c.revision();
      Path repoLocks = locks.resolve(repo.path().getFileName());
      List<CacheLock> held = new ArrayList<>();
      try {
        Optional<String> busy = lockAll(repoLocks, rev, dryRun, held);
        if (busy.isPresent()) {
          skipped.add(new Skipped(repo.cacheId(), rev.commitHash(), busy.get()));
          continue;
        }
        long freed = 0;
        List<Path> unlinked = new ArrayList<>();
        for (Path blob : blobs(rev)) {
          if (linkCount.merge(blob, -1, Integer::sum) > 0) continue; // another revision keeps it
          unlinked.add(blob);
          // a link into the shared store frees nothing: the store keeps the payload
          if (!Files.isSymbolicLink(blob)) freed += sizeOf(blob);
        }
        size -= freed;
        int left = revisionsLeft.merge(repo, -1, Integer::sum);
        deletions.add(
            new Deletion(
                repo.cacheId(),
                rev.commitHash(),
                rev.refs().stream().sorted().toList(),
                rev.lastUsed(),
                freed));
        if (dryRun) continue;
        deleteTree(rev.snapshotPath());
        for (String ref : rev.refs())
          Files.deleteIfExists(repo.path().resolve("refs").resolve(ref));
        for (Path blob : unlinked) {
          if (blob.startsWith(repo.path().resolve("blobs"))) Files.deleteIfExists(blob);
        }
        if (left == 0 && !anyLockHeldByOthers(repoLocks, held)) {
          deleteTree(repo.path());
          removedRepos.add(repo.path());
        }
      } finally {
        for (CacheLock l : held) l.close();
      }
    }
    return new Plan(maxSize, report.sizeOnDisk(), size, deletions, skipped, removedRepos, dryRun);
  }

  /**
   * Takes the lock of every blob of the revision (in a dry run only probes it); returns why not
   * when one is held elsewhere.
   */
  private static Optional<String> lockAll(
      Path repoLocks, CacheReport.Revision rev, boolean dryRun, List<CacheLock> held)
      throws IOException {
    for (Path blob : blobs(rev)) {
      Path lockFile = repoLocks.resolve(blob.getFileName() + ".lock");
      if (dryRun && !Files.exists(lockFile)) continue; // a dry run writes nothing
      Optional<CacheLock> lock = CacheLock.tryAcquire(lockFile);
      if (lock.isEmpty()) return Optional.of("in use: " + lockFile + " is locked");
      if (dryRun) lock.get().close();
      else held.add(lock.get());
    }
    return Optional.empty();
  }

  /** A lock of the repo other than ours is held: a download into it may be running. */
  private static boolean anyLockHeldByOthers(Path repoLocks, List<CacheLock> ours)
      throws IOException {
    if (!Files.isDirectory(repoLocks, LinkOption.NOFOLLOW_LINKS)) return false;
    List<Path> files;
    try (Stream<Path> s = Files.list(repoLocks)) {
      files = s.filter(p -> p.toString().endsWith(".lock")).toList();
    }
    for (Path f : files) {
      if (ours.stream().anyMatch(l -> l.path().equals(f))) continue;
      Optional<CacheLock> lock = CacheLock.tryAcquire(f);
      if (lock.isEmpty()) return true;
      lock.get().close();
    }
    return false;
  }

  /** The first hops of the revision's files, each once (copies are their own blob). */
  private static Set<Path> blobs(CacheReport.Revision rev) {
    Set<Path> out = new LinkedHashSet<>();
    for (CacheReport.CachedFile f : rev.files()) out.add(f.blob());
    return out;
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Deletes a folder and what is in it; links are removed, never followed. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return;
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) throw e;
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /**
   * A size as people write it: {@code 500MB}, {@code 10GB}, {@code 1.5G} (steps of 1000, as
   * huggingface_hub prints sizes), {@code 2GiB} (steps of 1024), or plain bytes.
   */
  public static long parseSize(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "size "
              + HubCache.show(text)
              + " is not a size; write it like 500MB, 10GB, 2GiB or a number of bytes");
    }
    String unit = m.group(2).toUpperCase(Locale.ROOT);
    boolean binary = unit.contains("I");
    if (binary && unit.length() < 2) throw parseError(text);
    int power = unit.isEmpty() || unit.equals("B") ? 0 : "KMGTP".indexOf(unit.charAt(0)) + 1;
    double bytes = Double.parseDouble(m.group(1)) * Math.pow(binary ? 1024 : 1000, power);
    if (bytes > Long.MAX_VALUE) throw parseError(text);
    return (long) bytes;
  }

  private static IllegalArgumentException parseError(String text) {
    return new IllegalArgumentException(
        "size " + HubCache.show(text) + " is not a size; write it like 500MB, 10GB or 2GiB");
  }
}
