package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.cli.Cli;
import io.hfbeam.format.parquet.RangedFixtures;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A gated dataset fails at planning, in one line, for whoever has no access. */
class GatedDatasetTest {
  static final String ALICE = "hf_" + "gatedalicetoken0123456789";
  static final String BOB = "hf_" + "gatedbobtoken0123456789";

  @TempDir Path tmp;
  LocalHubServer hub;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withToken(ALICE, "alice")
                .withToken(BOB, "bob")
                .withGated("datasets/alice/gated"));
    Path f = RangedFixtures.writeTen(tmp.resolve("t.parquet"), 100, 16 << 10);
    HubClient c = settings(ALICE).newClient();
    c.createRepo(RepoId.dataset("alice/gated"), false, false);
    c.createCommit(
        RepoId.dataset("alice/gated"),
        "main",
        List.of(CommitOperation.add("data/train-00000-of-00001.parquet", Files.readAllBytes(f))),
        "data",
        null);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  Map<String, String> env(String token) {
    return Map.of(
        "HF_ENDPOINT", hub.url(), "HF_TOKEN", token, "HF_HOME", tmp.resolve("hf").toString());
  }

  HubClient.Settings settings(String token) {
    return HubClient.Settings.builder().environment(env(token)).build();
  }

  @Test
  void theOwnerReadsItAndOthersAreToldItIsGated() throws Exception {
    ReadSpec spec = ReadSpec.of("hf://datasets/alice/gated");
    assertThat(
        HfDataset.open(spec.withHub(settings(ALICE)))
            .plan(spec.withHub(settings(ALICE)))
            .units()
            .size(),
        is(1));
    Exception e =
        assertThrows(
            Exception.class,
            () -> HfDataset.open(spec.withHub(settings(BOB))).plan(spec.withHub(settings(BOB))));
    assertThat(e.getMessage(), allOf(containsString("alice/gated"), containsString("restricted")));
    Cli r = Cli.runWith(env(BOB), "datasets", "head", "alice/gated");
    assertThat(r.exitCode, is(1));
    assertThat(r.err, containsString("restricted"));
    assertThat(r.err.strip().split("\n").length, is(1));
    assertThat(r.err, not(containsString(BOB)));
  }
}
