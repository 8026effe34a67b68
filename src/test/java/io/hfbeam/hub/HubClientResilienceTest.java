package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.hfbeam.hub.server.Fault;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a misbehaving local Hub: every batch ends as exactly one commit with the right
 * files.
 */
class HubClientResilienceTest {
  static final RepoId REPO = RepoId.dataset("alice/flaky");

  @TempDir Path tmp;
  LocalHubServer hub;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withMultipart(1000, 400)
                .withToken(HubClientTest.TOKEN, "hfbeam-local", "alice"));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubClient client(Duration commitTimeout) throws Exception {
    return client(commitTimeout, Duration.ofMillis(5));
  }

  HubClient client(Duration commitTimeout, Duration initialBackoff) throws Exception {
    return HubClient.Settings.builder()
        .environment(
            Map.of(
                "HF_ENDPOINT",
                hub.url(),
                "HF_TOKEN",
                HubClientTest.TOKEN,
                "HF_HOME",
                tmp.resolve("hf").toString()))
        .retry(
            RetryPolicy.of(12, initialBackoff, initialBackoff.multipliedBy(10))
                .withMaxRetryAfter(Duration.ofMillis(20)))
        .requestTimeout(Duration.ofSeconds(10))
        .commitTimeout(commitTimeout)
        .build()
        .newClient();
  }

  @Test
  void twentyPercentOfRequestsFailingStillGivesOneCommitPerBatch() throws Exception {
    HubClient client = client(Duration.ofSeconds(10));
    client.createRepo(REPO, false, false);
    hub.faults().random(0.2, ".", 42, Fault.STATUS_429, Fault.STATUS_503, Fault.RESET);
    Map<String, byte[]> expected = new java.util.TreeMap<>();
    int batches = 5;
    for (int b = 0; b < batches; b++) {
      List<CommitOperation> ops = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        String path = "train/batch_" + b + "_" + i + (i % 2 == 0 ? ".txt" : ".bin");
        byte[] content =
            i % 2 == 0
                ? ("row " + b + "," + i).getBytes(StandardCharsets.UTF_8)
                : HubClientTest.randomBytes(1200 + i, b * 10L + i); // LFS, multipart
        expected.put(path, content);
        ops.add(CommitOperation.add(path, content));
      }
      assertThat(
          client.createCommit(REPO, "main", ops, "Add batch " + b, null).created(), is(true));
    }
    int injected = hub.faults().injected();
    hub.faults().clear();

    assertThat("faults must really have been injected", injected, greaterThan(10));
    List<String> titles =
        client.listCommits(REPO, "main").stream().map(CommitEntry::title).toList();
    assertThat(
        titles,
        is(
            List.of(
                "Add batch 4",
                "Add batch 3",
                "Add batch 2",
                "Add batch 1",
                "Add batch 0",
                "initial commit")));
    Map<String, RepoFile> files =
        client.listFiles(REPO, "main", "train", true).stream()
            .collect(Collectors.toMap(RepoFile::path, f -> f));
    assertThat(files.keySet(), is(expected.keySet()));
    for (Map.Entry<String, byte[]> e : expected.entrySet()) {
      assertArrayEquals(
          e.getValue(), Files.readAllBytes(client.download(REPO, "main", e.getKey())), e.getKey());
    }
  }

  @Test
  void commitThatLandsAfterTheClientTimedOutIsNotMadeTwice() throws Exception {
    HubClient client = client(Duration.ofMillis(300));
    client.createRepo(REPO, false, false);
    hub.faults().next(1, "/commit/", Fault.SLOW(1200));
    CommitInfo info =
        client.createCommit(
            REPO,
            "main",
            List.of(CommitOperation.add("a.txt", "a".getBytes(StandardCharsets.UTF_8))),
            "Add a",
            null);
    Thread.sleep(
        1500); // let the slow original finish (it must then be refused as stale, or be the one
    // found)
    List<CommitEntry> commits = client.listCommits(REPO, "main");
    assertThat(commits, hasSize(2));
    assertThat(commits.get(0).id(), is(info.oid()));
  }

  @Test
  void commitFoundByItsMarkerAfterATimeoutIsNotSentAgain() throws Exception {
    // The client waits at least 500 ms before looking; the slow original lands at about 350 ms.
    HubClient client = client(Duration.ofMillis(200), Duration.ofMillis(1000));
    client.createRepo(REPO, false, false);
    hub.faults().next(1, "/commit/", Fault.SLOW(350));
    CommitInfo info =
        client.createCommit(
            REPO,
            "main",
            List.of(CommitOperation.add("a.txt", "a".getBytes(StandardCharsets.UTF_8))),
            "Add a",
            null);
    List<CommitEntry> commits = client.listCommits(REPO, "main");
    assertThat(commits, hasSize(2));
    assertThat(commits.get(0).id(), is(info.oid()));
    assertThat(commits.get(0).message().contains(CommitProtocol.MARKER_KEY), is(true));
  }

  @Test
  void resetsAndRateLimitsOnEveryStepAreRetried() throws Exception {
    HubClient client = client(Duration.ofSeconds(10));
    hub.faults()
        .next(2, "whoami", Fault.STATUS_429)
        .next(1, "/repos/create", Fault.RESET)
        .next(1, "/preupload/", Fault.STATUS_503)
        .next(1, "/objects/batch", Fault.RESET)
        .next(2, "/_lfs/", Fault.RESET)
        .next(1, "/commit/", Fault.RESET)
        .next(1, "/resolve/", Fault.STATUS_429);
    assertThat(client.whoami().name(), is("hfbeam-local"));
    client.createRepo(REPO, false, true);
    byte[] big = HubClientTest.randomBytes(2500, 9);
    client.createCommit(
        REPO, "main", List.of(CommitOperation.add("data/x.bin", big)), "Add x", null);
    assertArrayEquals(big, Files.readAllBytes(client.download(REPO, "main", "data/x.bin")));
    assertThat(hub.faults().injected(), is(9));
    assertThat(client.listCommits(REPO, "main"), hasSize(2));
  }
}
