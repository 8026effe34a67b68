package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cli.Cli;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** sft-generate reading its pairs from a Hub dataset and publishing the result to the Hub. */
class SftFromHubTest {
  static final String TOKEN = "hf_" + "sftfromhubtoken0123456789abc";

  @TempDir Path tmp;
  LocalHubServer hub;
  ScriptedOpenAiServer llm;
  Map<String, String> env;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    llm = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec());
    env = new HashMap<>();
    env.put("HF_ENDPOINT", hub.url());
    env.put("HF_TOKEN", TOKEN);
    env.put("HF_HOME", tmp.resolve("hf").toString());
    env.put("OPENAI_BASE_URL", llm.baseUrl());
    env.put("OPENAI_API_KEY", "sk-" + "test-abcdef123456");
    HubClient c = HubClient.Settings.builder().environment(env).build().newClient();
    RepoId repo = RepoId.dataset("alice/medec");
    c.createRepo(repo, true, false);
    c.createCommit(
        repo,
        "main",
        List.of(
            CommitOperation.add(
                "data/validation.csv", Files.readAllBytes(Path.of(SftGenerateTest.MEDEC)))),
        "MEDEC",
        null);
  }

  @AfterEach
  void stop() {
    llm.close();
    hub.close();
  }

  @Test
  void pairsFromAHubDatasetArePublishedAsANewDataset() throws Exception {
    Path out = tmp.resolve("out");
    Cli r =
        Cli.runWith(
            env,
            "sft-generate",
            "--input",
            "hf://datasets/alice/medec",
            "--split",
            "validation",
            "--num-pairs",
            "6",
            "--output",
            out.toString(),
            "--repo",
            "alice/medec-sft");
    assertEquals(0, r.exitCode, r.toString());
    assertTrue(r.out.contains("6 pairs to make"), r.out);
    assertEquals(6, Files.readAllLines(out.resolve("sft_correct.jsonl")).size());
    HubClient c = HubClient.Settings.builder().environment(env).build().newClient();
    List<String> files =
        c.listFiles(RepoId.dataset("alice/medec-sft"), "main", "", true).stream()
            .map(f -> f.path())
            .toList();
    assertTrue(files.contains("sft_combined_safe.jsonl"), files.toString());
    assertTrue(files.contains("generation_stats.json"), files.toString());
    assertTrue(files.contains("README.md"), files.toString());
    assertEquals(6, llm.chatRequests());
  }
}
