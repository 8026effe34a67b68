package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

/** hfbeam datasets info|head on a local directory and on the local Hub server. */
class DatasetsCommandTest {
  static final String TOKEN = "hf_" + "datasetscmdtoken0123456789";

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  private Path dataset() throws Exception {
    Path dir = tmp.resolve("ds");
    Files.createDirectories(dir.resolve("data"));
    RangedFixtures.writeTen(dir.resolve("data/train-00000-of-00001.parquet"), 1200, 16 << 10);
    RangedFixtures.writeTen(dir.resolve("data/test-00000-of-00001.parquet"), 300, 16 << 10);
    return dir;
  }

  @Test
  void infoListsConfigsSplitsRowCountsFeaturesAndFiles() throws Exception {
    Path dir = dataset();
    Cli r = Cli.runWith(env, "datasets", "info", dir.toString(), "--json");
    assertThat(r.err, r.exitCode, is(0));
    JsonNode info = new ObjectMapper().readTree(r.out);
    assertThat(info.get("default_config").asText(), is("default"));
    JsonNode c = info.get("configs").get(0);
    assertThat(c.get("builder").asText(), is("parquet"));
    assertThat(c.get("splits").get(0).get("name").asText(), is("train"));
    assertThat(c.get("splits").get(0).get("num_rows").asLong(), is(1200L));
    assertThat(c.get("splits").get(1).get("num_rows").asLong(), is(300L));
    assertThat(c.get("features").get("c0").get("dtype").asText(), is("float64"));
    Cli text = Cli.runWith(env, "datasets", "info", dir.toString());
    assertThat(text.out, containsString("split train"));
    assertThat(text.out, containsString("dtype: float64"));
  }

  @Test
  void headPrintsTheFirstRowsOfAHubDatasetsSplit() throws Exception {
    Path dir = dataset();
    HubClient c = HubClient.Settings.builder().environment(env).build().newClient();
    RepoId repo = RepoId.dataset("alice/ten");
    c.createRepo(repo, true, false);
    c.createCommit(
        repo,
        "main",
        List.of(
            CommitOperation.add(
                "data/test-00000-of-00001.parquet",
                Files.readAllBytes(dir.resolve("data/test-00000-of-00001.parquet")))),
        "data",
        null);
    Cli r =
        Cli.runWith(
            env, "datasets", "head", "hf://datasets/alice/ten", "-n", "3", "--columns", "c1,c0");
    assertThat(r.err, r.exitCode, is(0));
    String[] lines = r.out.strip().split("\n");
    assertThat(lines.length, is(3));
    assertThat(lines[0], containsString("{\"c1\": "));
    assertThat(lines[0], not(containsString("c2")));
  }

  @Test
  void aMissingSplitOrDatasetIsOneLine() throws Exception {
    Path dir = dataset();
    Cli r = Cli.runWith(env, "datasets", "head", dir.toString(), "--split", "dev");
    assertThat(r.exitCode, is(2));
    assertThat(r.err, containsString("its splits: [train, test]"));
    assertThat(r.err.strip().split("\n").length, is(1));
    r = Cli.runWith(env, "datasets", "info", "alice/nothing");
    assertThat(r.exitCode, is(1));
    assertThat(r.err, containsString("alice/nothing"));
    assertThat(r.err.strip().split("\n").length, is(1));
  }
}
