package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dataset committed by HubClient is what datasets.load_dataset reads through HF_ENDPOINT. */
class PublishedDatasetInteropTest {
  @TempDir Path tmp;

  @Test
  void datasetsLoadsParquetThatHubClientCommitted() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Path folder = tmp.resolve("dataset");
    PythonEnv.Result made =
        PythonEnv.runScript(
            """
        import os
        import pyarrow as pa, pyarrow.parquet as pq
        root = "dataset"  # relative to the working directory, tmp
        for split, n in (("train", 30), ("test", 3)):
            os.makedirs(os.path.join(root, split), exist_ok=True)
            pq.write_table(pa.table({"id": pa.array(range(n), pa.int8()), "fen": [f"{split}/{i}" for i in range(n)]}),
                           os.path.join(root, split, "batch_000.parquet"))
        print("MADE")
        """,
            Map.of(),
            tmp,
            60);
    assertThat(made.output(), made.output(), containsString("MADE"));
    Files.writeString(
        folder.resolve("README.md"),
        """
        ---
        configs:
        - config_name: default
          data_files:
          - split: train
            path: train/*.parquet
          - split: test
            path: test/*.parquet
        ---
        # Chess positions
        """,
        StandardCharsets.UTF_8);

    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubClientTest.TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_TOKEN",
              HubClientTest.TOKEN,
              "HF_HOME",
              tmp.resolve("hf").toString(),
              "HF_HUB_DISABLE_XET",
              "1",
              "HF_HUB_DISABLE_TELEMETRY",
              "1");
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      RepoId repo = RepoId.dataset("alice/chess-positions");
      client.createRepo(repo, false, false);
      List<CommitOperation> ops = new ArrayList<>();
      try (Stream<Path> files = Files.walk(folder)) {
        for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
          ops.add(CommitOperation.add(folder.relativize(f).toString(), f));
        }
      }
      client.createCommit(repo, "main", ops, "Add chess positions", null);
      assertThat(
          client.pathsInfo(repo, "main", List.of("train/batch_000.parquet")).get(0).lfsSha256()
              != null,
          is(true));

      PythonEnv.Result loaded =
          PythonEnv.runScript(
              """
          from datasets import load_dataset
          ds = load_dataset("alice/chess-positions")
          assert ds["train"].num_rows == 30 and ds["test"].num_rows == 3, ds
          assert str(ds["train"].features["id"].dtype) == "int8", ds["train"].features
          assert ds["test"][2]["fen"] == "test/2"
          print("LOADED")
          """,
              env,
              tmp,
              120);
      assertThat(loaded.output(), loaded.output(), containsString("LOADED"));
    }
  }
}
