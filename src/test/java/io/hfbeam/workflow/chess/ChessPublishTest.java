package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.hfbeam.cli.Cli;
import io.hfbeam.hub.CommitEntry;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.workflow.convert.ConvertPublishTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chess-positions --repo: publishes batches; the same run repeated makes no commit; a run with new
 * data appends after the highest batch (v2 batches, as the chess proposal foresees).
 */
class ChessPublishTest {
  static final RepoId REPO = RepoId.dataset("alice/chess");

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(ConvertPublishTest.TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT",
            hub.url(),
            "HF_TOKEN",
            ConvertPublishTest.TOKEN,
            "HF_HOME",
            tmp.resolve("hf").toString());
    client = HubClient.Settings.builder().environment(env).build().newClient();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  String[] run(String out, String... more) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "chess-positions",
                "--data-path",
                ChessPositionsWorkflowTest.PGN50.toString(),
                "--batch-size",
                "1000",
                "--output",
                tmp.resolve(out).toString(),
                "--repo",
                REPO.id()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  @Test
  void publishesAppendsAfterTheHighestBatchAndRepublishesNothingTwice() throws Exception {
    Cli first = Cli.runWith(env, run("v1"));
    assertThat(first.toString(), first.exitCode, equalTo(0));
    List<String> files =
        client.listFiles(REPO, "main", "", true).stream()
            .filter(f -> !f.directory())
            .map(RepoFile::path)
            .toList();
    assertThat(files, hasItems("README.md", "train/batch_001.parquet", "train/batch_004.parquet"));
    int commits = client.listCommits(REPO, "main").size();

    Cli again = Cli.runWith(env, run("v1-again"));
    assertThat(again.toString(), again.exitCode, equalTo(0));
    assertThat(again.out, containsString("re-publishing its batches from batch 1"));
    assertThat(
        "the same run repeated: no new commit",
        client.listCommits(REPO, "main").size(),
        equalTo(commits));

    // new data (other settings give other files) continues after the highest batch
    Cli append = Cli.runWith(env, run("v2", "--seed", "7"));
    assertThat(append.toString(), append.exitCode, equalTo(0));
    assertThat(append.out, containsString("at batch 5"));
    List<String> after =
        client.listFiles(REPO, "main", "", true).stream().map(RepoFile::path).toList();
    assertThat(after, hasItems("train/batch_005.parquet", "train/batch_008.parquet"));
    List<CommitEntry> log = client.listCommits(REPO, "main");
    assertThat(log.get(0).title(), containsString("batch_00"));
    assertThat(log.get(0).title(), containsString(" more"));
    Path card = client.download(REPO, "main", "README.md");
    assertThat(
        Files.readString(card), containsString("num_examples: " + (2 * 3391 - countTest(card))));
  }

  @Test
  void aRunOverTheErrorBudgetPublishesNothingNotEvenItsMarker() throws Exception {
    Path pgn =
        Files.writeString(
            tmp.resolve("games.pgn"),
            "[Event \"good\"]\n\n1. e4 e5 2. Nf3 Nc6 *\n\n[Event \"bad\"]\n\n1. e4 e4 *\n");
    Cli run =
        Cli.runWith(
            env,
            "chess-positions",
            "--data-path",
            pgn.toString(),
            "--output",
            tmp.resolve("out").toString(),
            "--repo",
            REPO.id(),
            "--max-error-rate",
            "0");
    assertThat(run.toString(), run.exitCode, equalTo(1));
    assertThat(run.err, containsString("--max-error-rate"));
    List<String> files =
        client.listFiles(REPO, "main", "", true).stream()
            .filter(f -> !f.directory())
            .map(RepoFile::path)
            .filter(f -> !f.equals(".gitattributes"))
            .toList();
    assertThat(files, equalTo(List.of()));
    assertThat(
        client.listCommits(REPO, "main").size(), equalTo(1)); // the repo's initial commit only
  }

  /** test rows in the card (the 2 x 3391 positions split between train and test). */
  static long countTest(Path card) throws Exception {
    String text = Files.readString(card);
    int i = text.indexOf("- name: test");
    String tail = text.substring(i);
    int j = tail.indexOf("num_examples: ") + "num_examples: ".length();
    return Long.parseLong(tail.substring(j, tail.indexOf('\n', j)).trim());
  }
}
