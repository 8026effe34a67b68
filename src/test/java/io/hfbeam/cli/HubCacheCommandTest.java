package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hub cache scan|verify|prune} end to end, through the same entry as {@code hfbeam}. */
class HubCacheCommandTest {
  static final RepoId REPO = RepoId.dataset("alice/cli");

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  String out;
  String err;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubCommandTest.TOKEN, "alice"));
    env =
        new HashMap<>(
            Map.of(
                "HF_ENDPOINT", hub.url(),
                "HF_HOME", tmp.resolve("hf").toString(),
                "HF_TOKEN", HubCommandTest.TOKEN));
    HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
    client.createRepo(REPO, false, false);
    byte[] lfs = new byte[4096];
    new Random(7).nextBytes(lfs);
    client.createCommit(
        REPO,
        "main",
        List.of(
            CommitOperation.add("rows.jsonl", "{\"a\": 1}\n".getBytes()),
            CommitOperation.add("data/train.bin", lfs)),
        "add",
        null);
    assertThat(run("download", REPO.id()), is(0));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cmd = new CommandLine(new HubCommand(env));
    cmd.setOut(new PrintWriter(o, true));
    cmd.setErr(new PrintWriter(e, true));
    int code = cmd.execute(args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @Test
  void scanPrintsATableAndJson() throws Exception {
    assertThat(run("cache", "scan"), is(0));
    assertThat(out, containsString("dataset/alice/cli"));
    assertThat(out, containsString("main"));
    assertThat(out, containsString("Found 1 repo(s) for a total of 1 revision(s)"));
    assertThat(run("cache", "scan", "--json"), is(0));
    JsonNode json = new ObjectMapper().readTree(out);
    JsonNode repo = json.path("repos").get(0);
    assertThat(repo.path("repo_id").asText(), is("alice/cli"));
    assertThat(repo.path("repo_type").asText(), is("dataset"));
    assertThat(repo.path("nb_files").asInt(), is(3)); // .gitattributes, rows.jsonl, train.bin
    assertThat(json.path("size_on_disk").asLong(), is(repo.path("size_on_disk").asLong()));
    assertThat(repo.path("revisions").get(0).path("refs").get(0).asText(), is("main"));
    // the cache of HF_HUB_CACHE wins over HF_HOME's, as in huggingface_hub
    env.put("HF_HUB_CACHE", tmp.resolve("elsewhere").toString());
    assertThat(run("cache", "scan"), is(1));
    assertThat(err.trim(), containsString("no Hugging Face cache at " + tmp.resolve("elsewhere")));
  }

  @Test
  void verifyReportsACorruptBlobFixDeletesItAndADownloadMakesItWhole() throws Exception {
    assertThat(run("cache", "verify"), is(0));
    assertThat(out, containsString("Checked 3 blob(s): all match."));
    Path cached = tmp.resolve("hf/hub/datasets--alice--cli");
    Path blob;
    try (var s = Files.list(cached.resolve("blobs"))) {
      blob = s.filter(p -> p.getFileName().toString().length() == 64).findFirst().orElseThrow();
    }
    byte[] bad = Files.readAllBytes(blob);
    bad[100] ^= 1;
    Files.write(blob, bad);

    assertThat(run("cache", "verify", REPO.id()), is(1));
    assertThat(out, containsString("corrupt: " + blob));
    assertThat(out, containsString("expected sha256 " + blob.getFileName()));
    assertThat(err, containsString("error: 1 corrupt blob(s)"));
    assertThat(run("cache", "verify", REPO.id(), "--fix"), is(0));
    assertThat(out, containsString("deleted, the next download fetches it again"));
    assertThat(Files.exists(blob), is(false));
    assertThat(run("download", REPO.id(), "data/train.bin"), is(0));
    assertThat(run("cache", "verify", REPO.id()), is(0));
    assertThat(out, containsString("Checked 3 blob(s): all match."));

    assertThat(run("cache", "verify", "alice/nope"), is(2));
    assertThat(err, containsString("dataset/alice/nope is not in the cache"));
    assertThat(err, containsString("it holds dataset/alice/cli"));
  }

  @Test
  void timesReadAsHuggingfaceHubPrintsThem() {
    java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");
    assertThat(HubCacheCommand.ago(now.minusSeconds(5), now), is("a few seconds ago"));
    assertThat(HubCacheCommand.ago(now.minusSeconds(59), now), is("59 seconds ago"));
    assertThat(HubCacheCommand.ago(now.minusSeconds(60), now), is("1 minute ago"));
    assertThat(HubCacheCommand.ago(now.minusSeconds(3599), now), is("1 hour ago"));
    assertThat(HubCacheCommand.ago(now.minusSeconds(86400L * 10), now), is("1 week ago"));
    assertThat(HubCacheCommand.ago(now.minusSeconds(86400L * 800), now), is("2 years ago"));
  }

  @Test
  void pruneDryRunListsAndPruneDeletes() throws Exception {
    assertThat(run("cache", "prune", "--max-size", "1KB", "--dry-run"), is(0));
    assertThat(out, containsString("would delete dataset/alice/cli"));
    assertThat(out, containsString("Dry run:"));
    assertThat(Files.isDirectory(tmp.resolve("hf/hub/datasets--alice--cli")), is(true));
    assertThat(run("cache", "prune", "--max-size", "10GB"), is(0));
    assertThat(out, not(containsString("deleted")));
    assertThat(run("cache", "prune", "--max-size", "0"), is(0));
    assertThat(out, containsString("deleted dataset/alice/cli"));
    assertThat(Files.exists(tmp.resolve("hf/hub/datasets--alice--cli")), is(false));
    assertThat(run("cache", "prune", "--max-size", "lots"), is(2));
    assertThat(err.trim().lines().count(), is(1L));
    assertThat(err, containsString("write it like 500MB, 10GB"));
  }
}
