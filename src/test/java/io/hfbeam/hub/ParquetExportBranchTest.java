package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.hf.DataFilesResolver;
import io.hfbeam.hf.DatasetLayout;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local Hub holds a {@code refs/convert/parquet} branch (created as huggingface_hub's
 * create_branch does, committed to, listed and read with the name percent-encoded), and the
 * resolver's export layout agrees with what {@code datasets} reads at that revision.
 */
class ParquetExportBranchTest {
  static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final String EXPORT = DataFilesResolver.PARQUET_EXPORT_REVISION;

  @TempDir Path tmp;
  LocalHubServer hub;
  HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(TOKEN, "hfbeam-local", "alice"));
    client = client(TOKEN);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubClient client(String token) throws Exception {
    Map<String, String> env =
        token == null
            ? Map.of("HF_HOME", tmp.resolve("hf").toString())
            : Map.of("HF_TOKEN", token, "HF_HOME", tmp.resolve("hf").toString());
    return HubClient.Settings.builder().endpoint(hub.url()).environment(env).build().newClient();
  }

  static List<String> paths(List<RepoFile> files) {
    return files.stream().filter(f -> !f.directory()).map(RepoFile::path).toList();
  }

  @Test
  void aBranchWithSlashesIsCreatedCommittedListedAndRead() throws Exception {
    RepoId repo = RepoId.dataset("alice/exported");
    client.createRepo(repo, false, false);
    client.createCommit(
        repo,
        "main",
        List.of(
            CommitOperation.add(
                "data/train.jsonl", "{\"a\":1}\n".getBytes(StandardCharsets.UTF_8))),
        "data",
        null);
    client.createBranch(repo, EXPORT, null, false);
    CommitInfo c =
        client.createCommit(
            repo,
            EXPORT,
            List.of(
                CommitOperation.add(
                    "default/train/0000.parquet", "PAR1 one".getBytes(StandardCharsets.UTF_8)),
                CommitOperation.add(
                    "default/test/0000.parquet", "PAR1 two".getBytes(StandardCharsets.UTF_8)),
                CommitOperation.delete("data/train.jsonl")),
            "Update parquet files",
            null);
    List<String> onBranch = paths(client.listFiles(repo, EXPORT, "", true));
    assertThat(
        onBranch,
        is(List.of(".gitattributes", "default/test/0000.parquet", "default/train/0000.parquet")));
    assertThat(
        paths(client.listFiles(repo, "main", "", true)),
        is(List.of(".gitattributes", "data/train.jsonl")));
    assertThat(client.repoInfo(repo, EXPORT).sha(), is(c.oid()));
    Path file = client.download(repo, EXPORT, "default/train/0000.parquet");
    assertThat(Files.readString(file), is("PAR1 one"));
    try (RangedFile r = client.openRange(repo, EXPORT, "default/test/0000.parquet")) {
      assertThat(r.size(), is(8L));
    }
    DatasetLayout layout = DataFilesResolver.resolveParquetExport(onBranch);
    assertThat(layout.config(null).splitNames(), is(List.of("train", "test")));

    // create_branch's errors, as the Hub gives them
    HubException exists =
        assertThrows(HubException.class, () -> client.createBranch(repo, EXPORT, null, false));
    assertThat(exists.status(), is(409));
    client.createBranch(repo, EXPORT, null, true); // exist_ok
    client.createBranch(repo, "v1", c.oid(), false);
    assertThat(client.repoInfo(repo, "v1").sha(), is(c.oid()));
    for (String bad : List.of("refs/pr/1", "HEAD", "a".repeat(40))) {
      assertThat(
          bad,
          assertThrows(HubException.class, () -> client.createBranch(repo, bad, null, false))
              .status(),
          is(400));
    }
    assertThat(
        assertThrows(HubException.class, () -> client.createBranch(repo, "x", "nope", false))
            .status(),
        is(404));
    assertThat(
        assertThrows(HubException.class, () -> client(null).createBranch(repo, "y", null, false))
            .status(),
        is(401));
  }

  @Test
  void theExportLayoutAgreesWithDatasetsAtThatRevision() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    RepoId single = RepoId.dataset("alice/single");
    RepoId multi = RepoId.dataset("alice/multi");
    for (RepoId r : List.of(single, multi)) client.createRepo(r, false, false);
    PythonEnv.Result py =
        PythonEnv.runScript(
            """
            import io, json
            import pyarrow as pa, pyarrow.parquet as pq
            from huggingface_hub import HfApi, CommitOperationAdd
            from datasets import get_dataset_config_names, get_dataset_split_names, load_dataset
            api = HfApi()
            REV = "refs/convert/parquet"
            def table(ids):
                b = io.BytesIO(); pq.write_table(pa.table({"id": ids}), b); return b.getvalue()
            layouts = {
                "alice/single": {"default/train/0000.parquet": [0, 1, 2], "default/train/0001.parquet": [3, 4],
                                 "default/test/0000.parquet": [10]},
                "alice/multi": {"cfgA/train/0000.parquet": [0], "cfgB/train/0000.parquet": [1, 2],
                                "cfgB/partial-test/0000.parquet": [3]},
            }
            for repo, files in layouts.items():
                api.create_branch(repo, repo_type="dataset", branch=REV, exist_ok=True)
                api.create_commit(repo, repo_type="dataset", revision=REV, commit_message="Update parquet files",
                                  operations=[CommitOperationAdd(p, table(ids)) for p, ids in files.items()])
                out = {"files": sorted(api.list_repo_files(repo, repo_type="dataset", revision=REV)),
                       "configs": get_dataset_config_names(repo, revision=REV)}
                out["splits"] = {c: get_dataset_split_names(repo, c, revision=REV) for c in out["configs"]}
                out["train"] = [r["id"] for r in load_dataset(repo, revision=REV, split="train")]
                print("RESULT", repo, json.dumps(out))
            """,
            Map.of(
                "HF_ENDPOINT",
                hub.url(),
                "HF_TOKEN",
                TOKEN,
                "HF_HOME",
                tmp.resolve("py").toString(),
                "HF_HUB_DISABLE_TELEMETRY",
                "1",
                "HF_HUB_DISABLE_XET",
                "1"),
            tmp,
            300);
    assertThat(py.output(), py.exitCode(), is(0));

    // one config: the same config, splits and train rows (in file order) as datasets
    DatasetLayout one =
        DataFilesResolver.resolveParquetExport(paths(client.listFiles(single, EXPORT, "", true)));
    assertThat(one.configNames(), is(List.of("default")));
    assertThat(one.config(null).splitNames(), is(List.of("train", "test")));
    assertThat(
        one.config(null).split("train"),
        is(List.of("default/train/0000.parquet", "default/train/0001.parquet")));
    assertThat(
        py.output(),
        containsString(
            "RESULT alice/single {\"files\": [\".gitattributes\", \"default/test/0000.parquet\","
                + " \"default/train/0000.parquet\", \"default/train/0001.parquet\"], \"configs\":"
                + " [\"default\"], \"splits\": {\"default\": [\"train\", \"test\"]}, \"train\": [0, 1,"
                + " 2, 3, 4]}"));

    // several configs: the export's configs; datasets, reading the branch as a plain revision,
    // merges them into one default config (documented in resolveParquetExport)
    DatasetLayout two =
        DataFilesResolver.resolveParquetExport(paths(client.listFiles(multi, EXPORT, "", true)));
    assertThat(two.configNames(), is(List.of("cfgA", "cfgB")));
    assertThat(two.config("cfgB").splitNames(), is(List.of("train", "test")));
    assertThat(
        py.output(),
        containsString(
            "\"configs\": [\"default\"], \"splits\": {\"default\": [\"train\", \"test\"]},"
                + " \"train\": [0, 1, 2]}"));
  }
}
