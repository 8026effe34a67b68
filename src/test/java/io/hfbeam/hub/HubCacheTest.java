package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.hub.server.LocalHubServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scan, verify and prune on a cache our client filled from the local Hub. */
class HubCacheTest {
  static final RepoId REPO = RepoId.dataset("alice/cached");
  static final RepoId OTHER = RepoId.dataset("alice/other");

  @TempDir Path tmp;
  LocalHubServer hub;
  HubClient client;
  Path cache;
  String first;
  String second;

  @BeforeEach
  void fill() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubClientTest.TOKEN, "alice"));
    client = clientFor(hub.url(), tmp.resolve("hf"));
    cache = tmp.resolve("hf/hub").toAbsolutePath();
    Filled f = fill(client);
    first = f.first();
    second = f.second();
  }

  record Filled(String first, String second) {}

  /**
   * Two revisions of REPO that share shared.txt and data/x.bin, main on the second; OTHER with one
   * file. Every file downloaded.
   */
  static Filled fill(HubClient client) throws Exception {
    client.createRepo(REPO, false, false);
    String first =
        client
            .createCommit(
                REPO,
                "main",
                List.of(
                    CommitOperation.add("a.txt", "version one\n".getBytes()),
                    CommitOperation.add("shared.txt", "the same in both\n".getBytes()),
                    CommitOperation.add("data/x.bin", HubClientTest.randomBytes(3000, 1))),
                "one",
                null)
            .oid();
    String second =
        client
            .createCommit(
                REPO,
                "main",
                List.of(
                    CommitOperation.add("a.txt", "version two, longer\n".getBytes()),
                    CommitOperation.add("data/y.bin", HubClientTest.randomBytes(5000, 2))),
                "two",
                null)
            .oid();
    client.createRepo(OTHER, false, false);
    client.createCommit(
        OTHER, "main", List.of(CommitOperation.add("o.txt", "other".getBytes())), "o", null);
    client.snapshotDownload(REPO, first);
    client.snapshotDownload(REPO, "main");
    client.download(OTHER, "main", "o.txt");
    return new Filled(first, second);
  }

  static HubClient clientFor(String url, Path hfHome) throws Exception {
    return HubClient.Settings.builder()
        .environment(
            Map.of(
                "HF_TOKEN", HubClientTest.TOKEN, "HF_ENDPOINT", url, "HF_HOME", hfHome.toString()))
        .build()
        .newClient();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  @Test
  void scanReportsReposRevisionsRefsAndSharedBlobsOnce() throws Exception {
    CacheReport report = CacheScanner.scan(cache);
    assertThat(report.warnings(), empty());
    CacheReport.Repo repo = repo(report, "dataset/alice/cached");
    assertThat(repo.revisions(), hasSize(2));
    CacheReport.Revision one = revision(repo, first);
    CacheReport.Revision two = revision(repo, second);
    assertThat(one.refs(), empty());
    assertThat(two.refs(), contains("main"));
    assertThat(
        one.files().stream().map(CacheReport.CachedFile::pathInRepo).toList(),
        containsInAnyOrder(".gitattributes", "a.txt", "shared.txt", "data/x.bin"));
    // blobs: .gitattributes, a.txt x2, shared.txt, x.bin, y.bin = 6, each counted once
    assertThat(repo.nbFiles(), is(6));
    long blobBytes = 0;
    try (var s = Files.list(repo.path().resolve("blobs"))) {
      for (Path p : s.toList()) blobBytes += Files.size(p);
    }
    assertThat(repo.sizeOnDisk(), is(blobBytes));
    assertThat(
        one.sizeOnDisk(),
        is(one.files().stream().mapToLong(CacheReport.CachedFile::sizeOnDisk).sum()));
    assertThat(
        report.sizeOnDisk(), is(blobBytes + repo(report, "dataset/alice/other").sizeOnDisk()));
    assertThat(CacheReport.formatSize(3_398_085_269L), is("3.4G"));
    assertThat(CacheReport.formatSize(999), is("999.0"));
  }

  @Test
  void foreignAndCorruptEntriesAreWarningsAndTheRestIsScanned() throws Exception {
    Files.createDirectories(cache.resolve("not-a-repo"));
    Files.createDirectories(cache.resolve("robots--alice--x/snapshots"));
    Files.createDirectories(cache.resolve("datasets--alice--nosnap/blobs"));
    Files.writeString(cache.resolve("stray.txt"), "x");
    Path refRepo = Files.createDirectories(cache.resolve("datasets--alice--badref/snapshots"));
    Files.createDirectories(refRepo.resolveSibling("refs"));
    Files.writeString(refRepo.resolveSibling("refs/main"), "f".repeat(40));
    Path outside = Files.writeString(tmp.resolve("secret.txt"), "not the cache's");
    Path escaping =
        Files.createDirectories(
            cache.resolve("datasets--alice--escape/snapshots/" + "a".repeat(40)));
    Files.createSymbolicLink(escaping.resolve("f.txt"), outside);
    Path broken =
        Files.createDirectories(
            cache.resolve("datasets--alice--broken/snapshots/" + "b".repeat(40)));
    Files.createSymbolicLink(broken.resolve("f.txt"), Path.of("../../blobs/" + "c".repeat(40)));

    CacheReport report = CacheScanner.scan(cache);
    assertThat(
        report.repos().stream().map(CacheReport.Repo::cacheId).toList(),
        containsInAnyOrder("dataset/alice/cached", "dataset/alice/other"));
    List<String> messages = report.warnings().stream().map(CacheReport.Warning::message).toList();
    assertThat(messages, hasSize(7));
    assertThat(String.join("\n", messages), containsString("leads outside the cache"));
    assertThat(String.join("\n", messages), containsString("Blob missing (broken symlink)"));
    assertThat(String.join("\n", messages), containsString("refer to missing commit hashes"));
    assertThat(String.join("\n", messages), containsString("Repo type must be one of"));
    assertThat(String.join("\n", messages), containsString("Snapshots dir doesn't exist"));
    // the escaping file was never counted
    assertThat(report.sizeOnDisk(), is(CacheScanner.scan(cache).sizeOnDisk()));
  }

  @Test
  void aMissingCacheIsOneLineNamingWhereItLooked() {
    HubException e =
        assertThrows(HubException.class, () -> CacheScanner.scan(tmp.resolve("nowhere")));
    assertThat(e.getMessage(), containsString("no Hugging Face cache at"));
    assertThat(e.getMessage(), containsString("HF_HUB_CACHE"));
  }

  @Test
  void verifyFindsACorruptBlobFixDeletesItAndTheNextDownloadIsClean() throws Exception {
    CacheReport before = CacheScanner.scan(cache);
    assertThat(CacheVerifier.of(client).verify(before, r -> true).clean(), is(true));
    CacheReport.CachedFile x =
        file(revision(repo(before, "dataset/alice/cached"), first), "data/x.bin");
    CacheReport.CachedFile a = file(revision(repo(before, "dataset/alice/cached"), first), "a.txt");
    String xSha = x.blob().getFileName().toString();
    Files.write(x.blob(), HubClientTest.randomBytes(3000, 99)); // same size, other bytes
    Files.writeString(a.blob(), "version 1\n");

    CacheVerifier.Result found = CacheVerifier.of(null).verify(CacheScanner.scan(cache), r -> true);
    assertThat(found.corrupt(), hasSize(2));
    CacheVerifier.Corrupt lfs =
        found.corrupt().stream()
            .filter(c -> c.algorithm().equals("sha256"))
            .findFirst()
            .orElseThrow();
    assertThat(lfs.path(), is(x.blob()));
    assertThat(lfs.expected(), is(xSha));
    assertThat(lfs.actual(), is(GitOids.sha256(HubClientTest.randomBytes(3000, 99))));
    CacheVerifier.Corrupt regular =
        found.corrupt().stream()
            .filter(c -> c.algorithm().equals("git-sha1"))
            .findFirst()
            .orElseThrow();
    assertThat(regular.actual(), is(GitOids.gitBlobSha1("version 1\n".getBytes())));

    CacheVerifier.Result fixed =
        CacheVerifier.of(null).withFix(true).verify(CacheScanner.scan(cache), r -> true);
    assertThat(fixed.corrupt().stream().allMatch(CacheVerifier.Corrupt::deleted), is(true));
    assertThat(Files.exists(x.blob()), is(false));
    assertThat(Files.exists(x.filePath(), java.nio.file.LinkOption.NOFOLLOW_LINKS), is(false));
    // the cache stays a valid cache (no dangling link) and the files come back on download
    assertThat(CacheScanner.scan(cache).warnings(), empty());
    client.snapshotDownload(REPO, first);
    assertThat(
        GitOids.sha256(client.download(REPO, first, "data/x.bin")),
        is(GitOids.sha256(HubClientTest.randomBytes(3000, 1))));
    CacheVerifier.Result after =
        CacheVerifier.of(client).verify(CacheScanner.scan(cache), r -> true);
    assertThat(after.corrupt(), empty());
    assertThat(after.checked(), is(7));
  }

  @Test
  void fixDeletesOnlyItsOwnRepoBlobsNotOneALinkLeadsToInAnother() throws Exception {
    CacheReport report = CacheScanner.scan(cache);
    CacheReport.CachedFile a = file(revision(repo(report, "dataset/alice/cached"), first), "a.txt");
    CacheReport.Revision other = repo(report, "dataset/alice/other").revisions().get(0);
    Path borrowed = other.snapshotPath().resolve("borrowed.txt");
    Files.createSymbolicLink(
        borrowed, borrowed.getParent().relativize(a.blob())); // inside the cache: allowed
    Files.writeString(a.blob(), "version 1\n");
    CacheVerifier.Result r =
        CacheVerifier.of(null)
            .withFix(true)
            .verify(CacheScanner.scan(cache), x -> x.cacheId().equals("dataset/alice/other"));
    assertThat(r.corrupt(), hasSize(1));
    assertThat(r.corrupt().get(0).path(), is(a.blob()));
    assertThat(Files.exists(borrowed, java.nio.file.LinkOption.NOFOLLOW_LINKS), is(false));
    assertThat(Files.exists(a.blob()), is(true)); // alice/cached's own verify judges it
    assertThat(
        CacheVerifier.of(null).verify(CacheScanner.scan(cache), x -> true).corrupt(), hasSize(1));
  }

  @Test
  void aCopyInTheSnapshotIsCheckedAgainstTheHubsMetadata() throws Exception {
    CacheReport.CachedFile shared =
        file(
            revision(repo(CacheScanner.scan(cache), "dataset/alice/cached"), second), "shared.txt");
    Files.delete(shared.filePath()); // a file system without links copies instead
    Files.writeString(shared.filePath(), "the same in both?\n");
    CacheVerifier.Result offline =
        CacheVerifier.of(null).verify(CacheScanner.scan(cache), r -> true);
    assertThat(offline.unchecked(), hasSize(1));
    assertThat(offline.corrupt(), empty());
    CacheVerifier.Result online =
        CacheVerifier.of(client).withFix(true).verify(CacheScanner.scan(cache), r -> true);
    assertThat(online.corrupt(), hasSize(1));
    CacheVerifier.Corrupt c = online.corrupt().get(0);
    assertThat(c.path(), is(shared.filePath()));
    assertThat(c.expected(), is(GitOids.gitBlobSha1("the same in both\n".getBytes())));
    assertThat(c.deleted(), is(true));
    assertThat(Files.exists(shared.filePath()), is(false));
  }

  @Test
  void pruneDeletesTheLeastRecentlyUsedRevisionAndKeepsSharedBlobs() throws Exception {
    CacheReport report = CacheScanner.scan(cache);
    CacheReport.Repo repo = repo(report, "dataset/alice/cached");
    touch(revision(repo, first), Instant.parse("2020-01-01T00:00:00Z"));
    touch(revision(repo, second), Instant.parse("2024-01-01T00:00:00Z"));
    touch(
        repo(report, "dataset/alice/other").revisions().get(0),
        Instant.parse("2025-01-01T00:00:00Z"));
    report = CacheScanner.scan(cache);
    repo = repo(report, "dataset/alice/cached");
    CacheReport.Revision one = revision(repo, first);
    Path sharedBlob = file(one, "shared.txt").blob();
    Path oldA = file(one, "a.txt").blob();
    long oldASize = Files.size(oldA);
    long max = report.sizeOnDisk() - 1; // only the oldest revision has to go

    CachePruner.Plan dry = CachePruner.prune(cache, max, true);
    assertThat(
        dry.deletions().stream().map(CachePruner.Deletion::commitHash).toList(), contains(first));
    assertThat(
        dry.deletions().get(0).freed(), is(oldASize)); // x.bin and shared.txt stay: main links them
    assertThat(Files.isDirectory(one.snapshotPath()), is(true)); // nothing deleted

    CachePruner.Plan done = CachePruner.prune(cache, max, false);
    assertThat(done.deletions(), hasSize(1));
    assertThat(done.fits(), is(true));
    assertThat(Files.exists(one.snapshotPath()), is(false));
    assertThat(Files.exists(oldA), is(false));
    assertThat(Files.exists(sharedBlob), is(true));
    CacheReport after = CacheScanner.scan(cache);
    assertThat(after.warnings(), empty());
    assertThat(after.sizeOnDisk(), is(report.sizeOnDisk() - oldASize));
    assertThat(CacheVerifier.of(null).verify(after, r -> true).clean(), is(true));

    // down to nothing: every revision goes, and so do the emptied repo folders
    CachePruner.Plan all = CachePruner.prune(cache, 0, false);
    assertThat(all.sizeAfter(), is(0L));
    assertThat(Files.exists(repo.path()), is(false));
    assertThat(CacheScanner.scan(cache).repos(), empty());
  }

  @Test
  void pruneNeverDeletesARevisionWhoseBlobLockAnotherThreadHolds() throws Exception {
    CacheReport report = CacheScanner.scan(cache);
    CacheReport.Revision one = revision(repo(report, "dataset/alice/cached"), first);
    touch(one, Instant.parse("2020-01-01T00:00:00Z"));
    Path lockFile = lockOf(one, "a.txt");
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              try (CacheLock l = CacheLock.acquire(lockFile)) {
                locked.countDown();
                release.await();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    holder.start();
    try {
      assertThat(locked.await(10, TimeUnit.SECONDS), is(true));
      CachePruner.Plan plan = CachePruner.prune(cache, 0, false);
      assertThat(
          plan.skipped().stream().map(CachePruner.Skipped::commitHash).toList(), contains(first));
      assertThat(plan.skipped().get(0).reason(), containsString(lockFile.toString()));
      assertThat(Files.isDirectory(one.snapshotPath()), is(true));
      // the other repo and the main revision went; the locked revision's blobs are whole
      assertThat(
          CacheVerifier.of(null).verify(CacheScanner.scan(cache), r -> true).clean(), is(true));
      assertThat(
          CacheScanner.scan(cache).repos().stream().map(CacheReport.Repo::cacheId).toList(),
          contains("dataset/alice/cached"));
    } finally {
      release.countDown();
      holder.join();
    }
  }

  @Test
  void pruneSeesAFlockAnotherProcessHolds() throws Exception {
    // huggingface_hub's filelock takes flock(2); the JVM takes fcntl locks: /proc/locks shows both
    assumeTrue(Files.isReadable(Path.of("/proc/locks")), "needs Linux /proc/locks");
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/flock")), "needs util-linux flock");
    CacheReport report = CacheScanner.scan(cache);
    CacheReport.Revision one = revision(repo(report, "dataset/alice/cached"), first);
    touch(one, Instant.parse("2020-01-01T00:00:00Z"));
    Path lockFile = lockOf(one, "data/x.bin");
    Files.createDirectories(lockFile.getParent());
    Process p =
        new ProcessBuilder(
                "/usr/bin/flock", "-x", lockFile.toString(), "sh", "-c", "echo held; sleep 60")
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      assertThat(r.readLine(), is("held"));
      CachePruner.Plan plan = CachePruner.prune(cache, 0, false);
      // x.bin is in both revisions of the repo: both are in use
      assertThat(
          plan.skipped().stream().map(CachePruner.Skipped::commitHash).toList(),
          containsInAnyOrder(first, second));
      assertThat(Files.isDirectory(one.snapshotPath()), is(true));
      assertThat(plan.fits(), is(false));
    } finally {
      // the lock is held by an open descriptor that sh and sleep inherited: every one must be gone
      List<ProcessHandle> all = new java.util.ArrayList<>(p.descendants().toList());
      all.forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
      for (ProcessHandle h : all) h.onExit().get(10, TimeUnit.SECONDS);
    }
    // once released the same revision goes
    assertThat(CachePruner.prune(cache, 0, false).skipped(), empty());
    assertThat(Files.exists(one.snapshotPath()), is(false));
  }

  @Test
  void sizesParseAsPeopleWriteThem() {
    assertThat(CachePruner.parseSize("10GB"), is(10_000_000_000L));
    assertThat(CachePruner.parseSize("500MB"), is(500_000_000L));
    assertThat(CachePruner.parseSize("1.5g"), is(1_500_000_000L));
    assertThat(CachePruner.parseSize("2GiB"), is(2L << 30));
    assertThat(CachePruner.parseSize("123"), is(123L));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CachePruner.parseSize("ten gigs"));
    assertThat(e.getMessage(), containsString("500MB"));
    assertThrows(IllegalArgumentException.class, () -> CachePruner.parseSize("5i"));
    assertThrows(IllegalArgumentException.class, () -> CachePruner.parseSize("-1GB"));
  }

  private Path lockOf(CacheReport.Revision rev, String path) {
    return cache
        .resolve(".locks")
        .resolve(REPO.cacheFolderName())
        .resolve(file(rev, path).blob().getFileName() + ".lock");
  }

  /** Sets the access time of the revision's blobs; pruning orders by it. */
  static void touch(CacheReport.Revision rev, Instant when) throws Exception {
    for (CacheReport.CachedFile f : rev.files())
      Files.setAttribute(f.blob(), "lastAccessTime", FileTime.from(when));
  }

  static CacheReport.Repo repo(CacheReport report, String cacheId) {
    return report.repos().stream()
        .filter(r -> r.cacheId().equals(cacheId))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + cacheId + " in " + report.repos()));
  }

  static CacheReport.Revision revision(CacheReport.Repo repo, String commit) {
    return repo.revisions().stream()
        .filter(r -> r.commitHash().equals(commit))
        .findFirst()
        .orElseThrow();
  }

  static CacheReport.CachedFile file(CacheReport.Revision rev, String path) {
    return rev.files().stream().filter(f -> f.pathInRepo().equals(path)).findFirst().orElseThrow();
  }
}
