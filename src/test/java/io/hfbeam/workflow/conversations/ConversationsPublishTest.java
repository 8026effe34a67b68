package io.hfbeam.workflow.conversations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cli.Cli;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code conversations analyze --repo}: the checkpoint set published as one dataset, a config per
 * stage.
 */
class ConversationsPublishTest {
  static final String TOKEN = "hf_" + "convpublishtoken0123456789ab";

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.url());
    env.put("HF_TOKEN", TOKEN);
    env.put("HF_HOME", tmp.resolve("hf").toString());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  List<String> files() throws Exception {
    HubClient c = HubClient.Settings.builder().environment(env).build().newClient();
    return c.listFiles(RepoId.dataset("alice/conv"), "main", "", true).stream()
        .map(f -> f.path())
        .sorted()
        .toList();
  }

  @Test
  void everyStageIsPublishedAndARebuildUploadsOnlyWhatChanged() throws Exception {
    Path out = tmp.resolve("out");
    String[] args = {
      "conversations",
      "analyze",
      "--input",
      ConversationsLlmTest.MT_BENCH,
      "--output",
      out.toString(),
      "--clusters",
      "8",
      "--repo",
      "alice/conv"
    };
    Cli r = Cli.runWith(env, args);
    assertEquals(0, r.exitCode, r.toString());
    List<String> files = files();
    for (String stage :
        List.of("conversations", "embeddings", "clusters", "meta_clusters", "dimensionality")) {
      assertTrue(files.contains(stage + "/checkpoint.json"), files.toString());
      assertTrue(files.contains(stage + "/README.md"), files.toString());
      assertTrue(files.contains(stage + "/data/train-00000-of-00001.parquet"), files.toString());
    }
    assertTrue(files.contains("README.md"), files.toString());
    assertTrue(files.stream().noneMatch(f -> f.contains(".hfbeam")), files.toString());

    // nothing changed: every stage skipped, the repo as it was
    HubClient c = HubClient.Settings.builder().environment(env).build().newClient();
    String before = c.repoInfo(RepoId.dataset("alice/conv"), "main").sha();
    Cli again = Cli.runWith(env, args);
    assertEquals(0, again.exitCode, again.toString());
    assertEquals(before, c.repoInfo(RepoId.dataset("alice/conv"), "main").sha(), "no new commit");
  }
}
