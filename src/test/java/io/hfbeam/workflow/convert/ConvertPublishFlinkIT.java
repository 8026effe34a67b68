package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.cli.Cli;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.Files2;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * convert --repo on embedded Flink (streaming, checkpointed) publishes the same files as on the
 * DirectRunner, and the run summary counts them (the commit step's own metrics would be lost on
 * Flink, see HubPublish.CountFn).
 */
class ConvertPublishFlinkIT {
  @TempDir Path tmp;

  @Test
  void flinkLocalPublishesEveryWrittenFile() throws Exception {
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(ConvertPublishTest.TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_TOKEN",
              ConvertPublishTest.TOKEN,
              "HF_HOME",
              tmp.resolve("hf").toString());
      Path config = tmp.resolve("publish.yaml");
      Files.writeString(config, "hub:\n  max_files_per_commit: 3\n");
      Cli run =
          Cli.runWith(
              env,
              "convert",
              "--config",
              config.toString(),
              "--runner",
              "flink-local",
              "--input",
              ConvertWorkflowTest.jsonl(tmp, 1000).toString(),
              "--batch-size",
              "100",
              "--output",
              tmp.resolve("ds").toString(),
              "--repo",
              ConvertPublishTest.REPO.id());
      assertThat(run.toString(), run.exitCode, equalTo(0));

      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      Map<String, String> onHub = new TreeMap<>();
      for (RepoFile f : client.listFiles(ConvertPublishTest.REPO, "main", "", true)) {
        if (!f.directory() && !f.path().equals(".gitattributes")) {
          onHub.put(
              f.path(), Files2.sha256(client.download(ConvertPublishTest.REPO, "main", f.path())));
        }
      }
      Map<String, String> local = ConvertPublishTest.publishable(tmp.resolve("ds"));
      assertThat(onHub, equalTo(local));
      assertThat(
          client.listCommits(ConvertPublishTest.REPO, "main").size() - 1,
          equalTo((local.size() + 2) / 3));
      assertThat(
          ConvertPublishTest.summaryRow(run.out, "publish"),
          containsString("files_uploaded " + local.size()));
    }
  }
}
