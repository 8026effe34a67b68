package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.format.parquet.ParquetSelection;
import io.hfbeam.format.parquet.RangedFixtures;
import io.hfbeam.format.parquet.RangedParquetFile;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parquet read from the local Hub server with range requests, against the local read. */
class RangedFileTest {
  static final RepoId REPO = RepoId.dataset("alice/ranged");

  @TempDir Path tmp;
  LocalHubServer hub;
  HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubClientTest.TOKEN, "alice"));
    client =
        HubClient.Settings.builder()
            .environment(
                Map.of(
                    "HF_ENDPOINT",
                    hub.url(),
                    "HF_TOKEN",
                    HubClientTest.TOKEN,
                    "HF_HOME",
                    tmp.resolve("hf").toString()))
            .retry(RetryPolicy.of(3, Duration.ofMillis(5), Duration.ofMillis(20)))
            .build()
            .newClient();
    client.createRepo(REPO, true, false); // private: every range needs the token
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private String upload(String path, Path file) throws Exception {
    return client
        .createCommit(
            REPO,
            "main",
            List.of(CommitOperation.add(path, Files.readAllBytes(file))),
            "Add " + path,
            null)
        .oid();
  }

  @Test
  void readsAManyRowGroupFileAsTheLocalReadDoes() throws Exception {
    Path local = RangedFixtures.writeMixed(tmp.resolve("mixed.parquet"), 5000);
    String commit = upload("data/train-00000-of-00001.parquet", local);
    try (RangedFile remote = client.openRange(REPO, "main", "data/train-00000-of-00001.parquet");
        RangedParquetFile f = RangedParquetFile.open(remote)) {
      assertThat(remote.commit(), is(commit));
      assertThat(remote.size(), is(Files.size(local)));
      assertThat(f.rowGroups().size(), greaterThan(3));
      assertThat(
          RangedFixtures.readRanged(f, ParquetSelection.all()),
          is(RangedFixtures.readLocal(local)));
      // every byte once, but the leading magic nobody needs
      assertThat(remote.bytesTransferred(), is(Files.size(local) - 4));
      // one for the 64 KiB tail (footer), one per row group that starts before it
      long tailStart = remote.size() - 65536;
      long before = f.rowGroups().stream().filter(g -> g.start() < tailStart).count();
      assertThat(remote.requests(), is(1L + before));
    }
  }

  @Test
  void oneColumnOfTenTransfersAboutItsShare() throws Exception {
    Path local = RangedFixtures.writeTen(tmp.resolve("ten.parquet"), 200_000, 1 << 20);
    upload("ten.parquet", local);
    try (RangedFile remote = client.openRange(REPO, "main", "ten.parquet");
        RangedParquetFile f = RangedParquetFile.open(remote)) {
      ParquetSelection c7 = ParquetSelection.all().withColumns(List.of("c7"));
      List<Row> rows = RangedFixtures.readRanged(f, c7);
      assertThat(
          rows,
          is(RangedFixtures.project(RangedFixtures.readLocal(local), f.features(c7).beamSchema())));
      double ratio = (double) remote.bytesTransferred() / remote.size();
      System.out.printf(
          "one column of ten over HTTP ranges: %d of %d bytes (ratio %.4f) in %d requests, %d row groups%n",
          remote.bytesTransferred(), remote.size(), ratio, remote.requests(), f.rowGroups().size());
      assertThat(ratio, allOf(greaterThan(0.09), lessThan(0.1 + 65536.0 / remote.size() + 0.01)));
      assertThat(remote.requests(), is(1L + f.rowGroups().size()));
    }
  }

  @Test
  void anOpenedFileKeepsReadingTheCommitItResolved() throws Exception {
    Path first = RangedFixtures.writeTen(tmp.resolve("a.parquet"), 1000, 16 * 1024);
    Path second = RangedFixtures.writeMixed(tmp.resolve("b.parquet"), 100);
    upload("x.parquet", first);
    try (RangedFile remote = client.openRange(REPO, "main", "x.parquet")) {
      upload("x.parquet", second);
      byte[] got = new byte[(int) remote.size()];
      remote.readFully(0, got, 0, got.length);
      assertArrayEquals(Files.readAllBytes(first), got);
    }
  }

  @Test
  void aMissingFileIsOneLineAndARangePastTheEndIsRefused() throws Exception {
    upload("x.parquet", RangedFixtures.writeTen(tmp.resolve("a.parquet"), 100, 16 * 1024));
    HubException missing =
        assertThrows(HubException.class, () -> client.openRange(REPO, "main", "nope.parquet"));
    assertThat(missing.getMessage(), containsString("404"));
    assertThat(missing.getMessage().lines().count(), lessThanOrEqualTo(1L));
    RangedFile remote = client.openRange(REPO, "main", "x.parquet");
    java.io.EOFException past =
        assertThrows(
            java.io.EOFException.class,
            () -> remote.readFully(remote.size() - 2, new byte[4], 0, 4));
    assertThat(past.getMessage(), containsString("x.parquet"));
    assertThat(remote.requests(), is(0L));
    assertThrows(
        IllegalArgumentException.class, () -> client.openRange(REPO, "main", "../etc/passwd"));
  }
}
