package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.hub.server.LocalHubServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientTest {
  static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final RepoId REPO = RepoId.dataset("alice/data");

  @TempDir Path tmp;
  LocalHubServer hub;
  HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withPageSizes(2, 2)
                .withMultipart(1000, 400)
                .withToken(TOKEN, "hfbeam-local", "alice"));
    client = clientWith(Map.of("HF_TOKEN", TOKEN));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubClient clientWith(Map<String, String> env) throws Exception {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("HF_ENDPOINT", hub.url());
    all.put("HF_HOME", tmp.resolve("hf").toString());
    return HubClient.Settings.builder()
        .environment(all)
        .retry(
            RetryPolicy.of(6, Duration.ofMillis(5), Duration.ofMillis(40))
                .withMaxRetryAfter(Duration.ofMillis(20)))
        .build()
        .newClient();
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void createsRepoCommitsListsAndDownloads() throws Exception {
    assertThat(client.whoami().name(), is("hfbeam-local"));
    assertThat(client.createRepo(REPO, false, false), endsWith("/datasets/alice/data"));
    assertThat(client.createRepo(REPO, false, true), endsWith("/datasets/alice/data"));
    assertThat(
        assertThrows(HubException.class, () -> client.createRepo(REPO, false, false)).status(),
        is(409));

    byte[] lfs =
        randomBytes(1500, 1); // .bin goes LFS, and above 1000 bytes in 400-byte parts (multipart)
    CommitInfo c =
        client.createCommit(
            REPO,
            "main",
            List.of(
                CommitOperation.add("README.md", "# data\n".getBytes(StandardCharsets.UTF_8)),
                CommitOperation.add("train/a.txt", "a".getBytes(StandardCharsets.UTF_8)),
                CommitOperation.add("train/b.bin", lfs)),
            "Add data\n\nfirst batch",
            null);
    assertThat(c.created(), is(true));
    assertThat(c.url(), containsString("/commit/" + c.oid()));
    assertThat(client.repoInfo(REPO, "main").sha(), is(c.oid()));

    List<String> paths =
        client.listFiles(REPO, "main", "", true).stream().map(RepoFile::path).toList();
    assertThat(
        paths,
        containsInAnyOrder(".gitattributes", "README.md", "train", "train/a.txt", "train/b.bin"));
    assertThat(client.listFiles(REPO, "main", "train", false), hasSize(2));
    List<RepoFile> info = client.pathsInfo(REPO, "main", List.of("train/b.bin", "nope"));
    assertThat(info, hasSize(1));
    assertThat(info.get(0).lfsSha256(), is(GitOids.sha256(lfs)));

    List<CommitEntry> commits = client.listCommits(REPO, "main");
    assertThat(
        commits.stream().map(CommitEntry::title).toList(),
        is(List.of("Add data", "initial commit")));
    assertThat(commits.get(0).message(), containsString("first batch"));

    Path got = client.download(REPO, "main", "train/b.bin");
    assertArrayEquals(lfs, Files.readAllBytes(got));
    Path cacheRepo = tmp.resolve("hf/hub/datasets--alice--data");
    assertThat(got, is(cacheRepo.resolve("snapshots").resolve(c.oid()).resolve("train/b.bin")));
    assertThat(Files.isSymbolicLink(got), is(true));
    assertThat(Files.readSymbolicLink(got).toString(), is("../../../blobs/" + GitOids.sha256(lfs)));
    assertThat(Files.readString(cacheRepo.resolve("refs/main")), is(c.oid()));

    Path snapshot = client.snapshotDownload(REPO, "main");
    assertThat(Files.readString(snapshot.resolve("train/a.txt")), is("a"));
    assertThat(Files.readString(snapshot.resolve("README.md")), is("# data\n"));
  }

  @Test
  void unchangedFilesMakeNoCommitAndDeletesWork() throws Exception {
    client.createRepo(REPO, true, false);
    List<CommitOperation> ops =
        List.of(
            CommitOperation.add("x.txt", "x".getBytes(StandardCharsets.UTF_8)),
            CommitOperation.add("y.bin", randomBytes(300, 2)));
    CommitInfo first = client.createCommit(REPO, "main", ops, "Add x and y", null);
    CommitInfo again = client.createCommit(REPO, "main", ops, "Add x and y", null);
    assertThat(again.created(), is(false));
    assertThat(again.oid(), is(first.oid()));
    CommitInfo deleted =
        client.createCommit(
            REPO, "main", List.of(CommitOperation.delete("x.txt")), "Remove x", null);
    assertThat(deleted.created(), is(true));
    assertThat(
        client.repoInfo(REPO, "main").files(), containsInAnyOrder(".gitattributes", "y.bin"));
    assertThat(client.listCommits(REPO, "main"), hasSize(3));
  }

  @Test
  void staleParentIsRefreshedUnlessAnotherCommitChangedOurFiles() throws Exception {
    client.createRepo(REPO, false, false);
    String base =
        client
            .createCommit(
                REPO,
                "main",
                List.of(CommitOperation.add("shared.txt", "v1".getBytes())),
                "v1",
                null)
            .oid();
    client.createCommit(
        REPO, "main", List.of(CommitOperation.add("other.txt", "o".getBytes())), "other", null);

    // 412 from the server, then a retry on the new head: other.txt changed, not our file.
    CommitInfo ok =
        client.createCommit(
            REPO, "main", List.of(CommitOperation.add("mine.txt", "m".getBytes())), "mine", base);
    assertThat(client.repoInfo(REPO, "main").sha(), is(ok.oid()));

    client.createCommit(
        REPO,
        "main",
        List.of(CommitOperation.add("shared.txt", "v2 by someone".getBytes())),
        "someone",
        null);
    HubException conflict =
        assertThrows(
            HubException.class,
            () ->
                client.createCommit(
                    REPO,
                    "main",
                    List.of(CommitOperation.add("shared.txt", "v2 by us".getBytes())),
                    "us",
                    base));
    assertThat(conflict.status(), is(409));
    assertThat(conflict.getMessage(), containsString("shared.txt was changed by another commit"));
  }

  @Test
  void authAndNotFoundFailFastWithOneLineAndNoToken() throws Exception {
    HubClient anonymous = clientWith(Map.of());
    HubException noToken = assertThrows(HubException.class, anonymous::whoami);
    assertThat(noToken.status(), is(401));
    assertThat(noToken.getMessage(), containsString("set HF_TOKEN"));

    String badToken = "not-a-hub-token-secretvalue";
    HubException rejected =
        assertThrows(HubException.class, () -> clientWith(Map.of("HF_TOKEN", badToken)).whoami());
    assertThat(rejected.getMessage(), containsString("401 Unauthorized from " + hub.url()));
    assertThat(rejected.getMessage(), not(containsString(badToken)));
    assertThat(rejected.getMessage().lines().count(), is(1L));

    long t0 = System.nanoTime();
    HubException missing =
        assertThrows(
            HubException.class, () -> client.repoInfo(RepoId.dataset("alice/none"), "main"));
    assertThat(missing.status(), is(404));
    assertThat(missing.errorCode(), is("RepoNotFound"));
    assertThat(hub.faults().injected(), is(0));
    assertThat("404 must not be retried", (System.nanoTime() - t0) / 1_000_000 < 2000, is(true));
  }

  @Test
  void resumesAPartialDownloadWithRange() throws Exception {
    client.createRepo(REPO, false, false);
    byte[] content = randomBytes(5000, 3);
    client.createCommit(
        REPO, "main", List.of(CommitOperation.add("big.bin", content)), "big", null);
    String sha = GitOids.sha256(content);
    Path partial = tmp.resolve("hf/hub/datasets--alice--data/blobs/" + sha + ".incomplete");
    Files.createDirectories(partial.getParent());
    Files.write(partial, java.util.Arrays.copyOf(content, 2000));
    assertArrayEquals(content, Files.readAllBytes(client.download(REPO, "main", "big.bin")));
    assertThat(Files.exists(partial), is(false));
  }

  @Test
  void pullRequestsLandOnTheirOwnRef() throws Exception {
    client.createRepo(REPO, false, false);
    String main = client.repoInfo(REPO, "main").sha();
    byte[] lfs = randomBytes(500, 6);
    CommitInfo pr =
        client.createPullRequest(
            REPO,
            "main",
            List.of(
                CommitOperation.add("proposal.txt", "p".getBytes()),
                CommitOperation.add("p.bin", lfs)),
            "Propose");
    assertThat(pr.pullRequestUrl(), endsWith("/datasets/alice/data/discussions/1"));
    assertThat(client.repoInfo(REPO, "main").sha(), is(main));
    assertThat(client.repoInfo(REPO, "refs/pr/1").sha(), is(pr.oid()));
    assertArrayEquals(lfs, Files.readAllBytes(client.download(REPO, "refs/pr/1", "p.bin")));
    assertThat(
        Files.readString(tmp.resolve("hf/hub/datasets--alice--data/refs/refs/pr/1")), is(pr.oid()));
  }

  @Test
  void concurrentDownloadsOfOneFileShareOneBlob() throws Exception {
    client.createRepo(REPO, false, false);
    byte[] content = randomBytes(300_000, 4);
    client.createCommit(
        REPO, "main", List.of(CommitOperation.add("shared.bin", content)), "shared", null);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<Path>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 4; i++)
        results.add(pool.submit(() -> client.download(REPO, "main", "shared.bin")));
      for (var r : results) assertArrayEquals(content, Files.readAllBytes(r.get()));
    } finally {
      pool.shutdownNow();
    }
    try (var blobs = Files.list(tmp.resolve("hf/hub/datasets--alice--data/blobs"))) {
      assertThat(
          blobs.map(p -> p.getFileName().toString()).toList(),
          is(List.of(GitOids.sha256(content))));
    }
  }

  @Test
  void offlineModeReadsOnlyTheCache() throws Exception {
    client.createRepo(REPO, false, false);
    client.createCommit(
        REPO, "main", List.of(CommitOperation.add("a.txt", "A".getBytes())), "a", null);
    client.download(REPO, "main", "a.txt");
    HubClient offline = clientWith(Map.of("HF_HUB_OFFLINE", "1"));
    hub.close();
    assertThat(Files.readString(offline.download(REPO, "main", "a.txt")), is("A"));
    HubException miss =
        assertThrows(HubException.class, () -> offline.download(REPO, "main", "b.txt"));
    assertThat(miss.getMessage(), containsString("HF_HUB_OFFLINE"));
    hub = LocalHubServer.start(0, tmp.resolve("hub")); // for @AfterEach
  }
}
