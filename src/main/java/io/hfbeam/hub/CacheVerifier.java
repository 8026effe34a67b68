package io.hfbeam.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks every blob of a cache against the id it must have: a blob named by 64 hex digits is the
 * sha256 of its content (LFS and xet files), one named by 40 the git blob sha1 (regular files).
 * Where the name is not the hash (a snapshot holding a copy instead of a link, a blob named by
 * another client's id) the expected id comes from the Hub's metadata for that path at that commit,
 * when a {@link HubClient} is given. With {@code fix}, a corrupt blob is deleted with the snapshot
 * entries that point at it, under its cache lock, so the next download fetches it again.
 */
public final class CacheVerifier {
  private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  private final HubClient hub;
  private final boolean fix;

  private CacheVerifier(HubClient hub, boolean fix) {
    this.hub = hub;
    this.fix = fix;
  }

  /**
   * {@code hub} answers for blobs whose name is not their hash; null checks names only (those blobs
   * are then listed as unchecked).
   */
  public static CacheVerifier of(HubClient hub) {
    return new CacheVerifier(hub, false);
  }

  /** Deletes what is corrupt (blob and the snapshot entries that point at it). */
  public CacheVerifier withFix(boolean fix) {
    return new CacheVerifier(hub, fix);
  }

  /** One blob whose content is not what its name or the Hub says. */
  public record Corrupt(
      String repo, Path path, String algorithm, String expected, String actual, boolean deleted) {}

  /** A blob that could not be checked, and why. */
  public record Unchecked(String repo, Path path, String reason) {}

  /** The outcome: how many blobs were hashed, which are corrupt, which could not be checked. */
  public record Result(int checked, List<Corrupt> corrupt, List<Unchecked> unchecked) {
    public Result {
      corrupt = List.copyOf(corrupt);
      unchecked = List.copyOf(unchecked);
    }

    public boolean clean() {
      return corrupt.isEmpty();
    }
  }

  /** Verifies the repos of {@code report} that {@code which} accepts. */
  public Result verify(CacheReport report, Predicate<CacheReport.Repo> which) throws IOException {
    int checked = 0;
    List<Corrupt> corrupt = new ArrayList<>();
    List<Unchecked> unchecked = new ArrayList<>();
    for (CacheReport.Repo repo : report.repos()) {
      if (!which.test(repo)) continue;
      Map<Path, List<CacheReport.CachedFile>> byBlob = new LinkedHashMap<>();
      Map<Path, String> commitOf = new LinkedHashMap<>();
      for (CacheReport.Revision rev : repo.revisions()) {
        for (CacheReport.CachedFile f : rev.files()) {
          byBlob.computeIfAbsent(f.blob(), k -> new ArrayList<>()).add(f);
          commitOf.putIfAbsent(f.blob(), rev.commitHash());
        }
      }
      // blobs no snapshot links to (a revision deleted by hand) are checked by their name alone
      Path blobsDir = repo.path().resolve("blobs");
      if (Files.isDirectory(blobsDir, LinkOption.NOFOLLOW_LINKS)) {
        try (Stream<Path> s = Files.list(blobsDir)) {
          for (Path p : s.sorted().toList()) {
            String n = p.getFileName().toString();
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
                && (SHA1.matcher(n).matches() || SHA256.matcher(n).matches()))
              byBlob.putIfAbsent(p, List.of());
          }
        }
      }
      for (Map.Entry<Path, List<CacheReport.CachedFile>> e : byBlob.entrySet()) {
        Path blob = e.getKey();
        CacheReport.CachedFile first = e.getValue().isEmpty() ? null : e.getValue().get(0);
        Optional<Expected> expected;
        try {
          expected = expected(repo, blob, first, commitOf.get(blob));
        } catch (IOException | IllegalArgumentException ex) {
          unchecked.add(new Unchecked(repo.cacheId(), blob, HubCache.show(ex.getMessage())));
          continue;
        }
        if (expected.isEmpty()) {
          unchecked.add(
              new Unchecked(
                  repo.cacheId(),
                  blob,
                  "its name is not a hash and no Hub was asked (HF_HUB_OFFLINE, or --offline)"));
          continue;
        }
        String algorithm = expected.get().algorithm();
        String actual =
            algorithm.equals("sha256") ? GitOids.sha256(blob) : GitOids.gitBlobSha1(blob);
        checked++;
        if (actual.equals(expected.get().id())) continue;
        boolean deleted = fix && delete(report.cacheDir(), repo, blob, e.getValue());
        corrupt.add(
            new Corrupt(repo.cacheId(), blob, algorithm, expected.get().id(), actual, deleted));
      }
    }
    return new Result(checked, corrupt, unchecked);
  }

  private record Expected(String algorithm, String id) {}

  private Optional<Expected> expected(
      CacheReport.Repo repo, Path blob, CacheReport.CachedFile file, String commit)
      throws IOException {
    String name = blob.getFileName().toString();
    // a blob store entry (this repo's, another's a link leads to, or the shared store's) is named
    // by its hash; a copy in a snapshot is named by the repo path
    boolean inBlobs =
        file == null
            || (!file.isCopy() && blob.getParent().getFileName().toString().equals("blobs"));
    if (inBlobs && SHA256.matcher(name).matches()) return Optional.of(new Expected("sha256", name));
    if (inBlobs && SHA1.matcher(name).matches()) return Optional.of(new Expected("git-sha1", name));
    if (hub == null || file == null) return Optional.empty();
    RepoId id = new RepoId(RepoId.Type.parse(repo.type()), repo.id());
    HubCache.checkCommit(commit, "snapshot folder");
    List<RepoFile> info = hub.pathsInfo(id, commit, List.of(file.pathInRepo()));
    if (info.isEmpty()) {
      throw new IOException(
          file.pathInRepo() + " is not in " + id + "@" + commit + " on " + hub.endpoint());
    }
    RepoFile f = info.get(0);
    if (f.lfsSha256() != null) {
      return Optional.of(new Expected("sha256", HubCache.checkBlobName(f.lfsSha256(), "lfs oid")));
    }
    return Optional.of(new Expected("git-sha1", HubCache.checkBlobName(f.oid(), "oid")));
  }

  /**
   * The blob and the snapshot entries that point at it go together (a link left dangling would make
   * Python's scan skip the repo); refs stay, so the revision downloads again in place.
   */
  private static boolean delete(
      Path cacheDir, CacheReport.Repo repo, Path blob, List<CacheReport.CachedFile> files)
      throws IOException {
    Path lockFile =
        cacheDir
            .resolve(".locks")
            .resolve(repo.path().getFileName())
            .resolve(blob.getFileName() + ".lock");
    Optional<CacheLock> lock = CacheLock.tryAcquire(lockFile);
    if (lock.isEmpty()) return false; // a download holds it: it is being replaced right now
    try (CacheLock held = lock.get()) {
      for (CacheReport.CachedFile f : files) Files.deleteIfExists(f.filePath());
      // Only this repo's own blob (or the snapshot copy, gone above): a link may lead to another
      // repo's blob, which that repo's verify judges and deletes under its own lock.
      if (blob.getParent().equals(repo.path().resolve("blobs"))) Files.deleteIfExists(blob);
      return true;
    }
  }
}
