package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Our download cache and huggingface_hub's are one: each finds the other's files offline. */
class CacheInteropTest {
  @TempDir Path tmp;

  @Test
  void pythonFindsOurDownloadsOfflineAndWeFindPythons() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    RepoId repo = RepoId.dataset("alice/shared");
    byte[] lfs = HubClientTest.randomBytes(4000, 5);
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "HF_TOKEN",
                HubClientTest.TOKEN,
                "HF_HOME",
                tmp.resolve("hf").toString(),
                "HF_HUB_DISABLE_XET",
                "1",
                "HF_HUB_DISABLE_TELEMETRY",
                "1"));
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubClientTest.TOKEN, "alice"))) {
      env.put("HF_ENDPOINT", hub.url());
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      client.createRepo(repo, false, false);
      client.createCommit(
          repo,
          "main",
          List.of(
              CommitOperation.add("ours.txt", "from java".getBytes()),
              CommitOperation.add("data/ours.bin", lfs),
              CommitOperation.add("theirs.txt", "from python".getBytes())),
          "Add files",
          null);
      client.download(repo, "main", "ours.txt");
      client.download(repo, "main", "data/ours.bin");
      PythonEnv.Result online =
          PythonEnv.runScript(
              """
          from huggingface_hub import hf_hub_download
          print(open(hf_hub_download("alice/shared", "theirs.txt", repo_type="dataset")).read())
          """,
              env,
              tmp,
              60);
      assertThat(online.output(), online.output(), containsString("from python"));
    }
    env.put("HF_HUB_OFFLINE", "1"); // the server is gone: only the cache can answer
    PythonEnv.Result offline =
        PythonEnv.runScript(
            """
        import hashlib
        from huggingface_hub import hf_hub_download
        print(open(hf_hub_download("alice/shared", "ours.txt", repo_type="dataset")).read())
        print(hashlib.sha256(open(hf_hub_download("alice/shared", "data/ours.bin", repo_type="dataset"), "rb").read()).hexdigest())
        """,
            env,
            tmp,
            60);
    assertThat(offline.output(), offline.output(), containsString("from java"));
    assertThat(offline.output(), containsString(GitOids.sha256(lfs)));
    HubClient offlineClient = HubClient.Settings.builder().environment(env).build().newClient();
    assertThat(
        Files.readString(offlineClient.download(repo, "main", "theirs.txt")), is("from python"));
  }
}
