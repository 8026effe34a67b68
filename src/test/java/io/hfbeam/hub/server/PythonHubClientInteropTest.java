package io.hfbeam.hub.server;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The official Python clients, unmodified, against {@link LocalHubServer}. */
class PythonHubClientInteropTest {
  static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";

  @TempDir Path tmp;
  LocalHubServer hub;

  @BeforeEach
  void start() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    // Small pages so that both clients must follow Link headers.
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withPageSizes(3, 2)
                .withToken(TOKEN, "hfbeam-local", "alice")
                .withToken("hf_" + "malloryxxxxxxxxxxxxxxxxxxxxxxxxxxx", "mallory"));
  }

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
  }

  static Map<String, String> pythonEnv(String endpoint, Path hfHome) {
    return Map.of(
        "HF_ENDPOINT",
        endpoint,
        "HF_HUB_DISABLE_XET",
        "1",
        "HF_TOKEN",
        TOKEN,
        "HF_HOME",
        hfHome.toString(),
        "HF_HUB_DISABLE_TELEMETRY",
        "1",
        "HF_HUB_DISABLE_PROGRESS_BARS",
        "1",
        "HF_DATASETS_CACHE",
        hfHome.resolve("datasets").toString());
  }

  @Test
  void huggingfaceHubUploadsListsAndDownloads() throws Exception {
    String script =
        """
        import hashlib, os, random, tempfile
        from huggingface_hub import HfApi, hf_hub_download, snapshot_download
        from huggingface_hub.errors import HfHubHTTPError
        api = HfApi()
        assert api.whoami()["name"] == "hfbeam-local"
        url = api.create_repo("alice/demo", repo_type="dataset")
        assert url.endswith("/datasets/alice/demo"), url
        api.create_repo("alice/demo", repo_type="dataset", exist_ok=True)
        try:
            api.create_repo("alice/demo", repo_type="dataset")
            raise SystemExit("second create_repo without exist_ok must fail")
        except HfHubHTTPError as e:
            assert e.response.status_code == 409, e.response.status_code
        api.upload_file(path_or_fileobj=b"hello\\n", path_in_repo="hello.txt", repo_id="alice/demo", repo_type="dataset")
        big = random.Random(7).randbytes(11 * 1024 * 1024)
        api.upload_file(path_or_fileobj=big, path_in_repo="data/big.bin", repo_id="alice/demo", repo_type="dataset",
                        commit_message="Add big file")
        folder = tempfile.mkdtemp()
        os.makedirs(os.path.join(folder, "a", "b"))
        open(os.path.join(folder, "a", "x.txt"), "w").write("x")
        open(os.path.join(folder, "a", "b", "y.txt"), "w").write("y")
        open(os.path.join(folder, "README.md"), "w").write("---\\nlicense: mit\\n---\\n# Demo\\n")
        api.upload_folder(folder_path=folder, repo_id="alice/demo", repo_type="dataset")
        files = api.list_repo_files("alice/demo", repo_type="dataset")
        assert sorted(files) == [".gitattributes", "README.md", "a/b/y.txt", "a/x.txt", "data/big.bin", "hello.txt"], files
        infos = {i.path: i for i in api.get_paths_info("alice/demo", ["hello.txt", "data/big.bin", "nope"], repo_type="dataset")}
        assert sorted(infos) == ["data/big.bin", "hello.txt"], infos
        assert infos["data/big.bin"].lfs.sha256 == hashlib.sha256(big).hexdigest()
        assert infos["hello.txt"].lfs is None
        commits = api.list_repo_commits("alice/demo", repo_type="dataset")
        assert [c.title for c in commits][1:] == ["Add big file", "Upload hello.txt with huggingface_hub", "initial commit"], [c.title for c in commits]
        p = hf_hub_download("alice/demo", "hello.txt", repo_type="dataset")
        assert open(p, "rb").read() == b"hello\\n"
        p = hf_hub_download("alice/demo", "data/big.bin", repo_type="dataset")
        assert hashlib.sha256(open(p, "rb").read()).digest() == hashlib.sha256(big).digest()
        old = hf_hub_download("alice/demo", "hello.txt", repo_type="dataset", revision=commits[2].commit_id)
        assert open(old, "rb").read() == b"hello\\n"
        try:
            hf_hub_download("alice/demo", "README.md", repo_type="dataset", revision=commits[2].commit_id)
            raise SystemExit("README.md must not exist at an older revision")
        except Exception as e:
            assert "EntryNotFound" in type(e).__name__, repr(e)
        snap = snapshot_download("alice/demo", repo_type="dataset")
        assert open(os.path.join(snap, "a", "b", "y.txt")).read() == "y"
        assert open(os.path.join(snap, "README.md")).read().startswith("---")
        assert os.path.getsize(os.path.join(snap, "data", "big.bin")) == len(big)
        # Another user: may read the public repo, not write to it, and not see a private one.
        api.create_repo("alice/hidden", repo_type="dataset", private=True)
        other = HfApi(token="@MALLORY@")
        assert other.whoami()["name"] == "mallory"
        assert "hello.txt" in other.list_repo_files("alice/demo", repo_type="dataset")
        from huggingface_hub.errors import RepositoryNotFoundError
        try:
            other.repo_info("alice/hidden", repo_type="dataset")
            raise SystemExit("a private repo must be invisible to others")
        except RepositoryNotFoundError:
            pass
        try:
            other.upload_file(path_or_fileobj=b"x", path_in_repo="x.txt", repo_id="alice/demo", repo_type="dataset")
            raise SystemExit("another user must not write to alice/demo")
        except HfHubHTTPError as e:
            assert e.response.status_code == 403, e.response.status_code
        print("PYTHON-OK")
        """
            .replace("@MALLORY@", "hf_" + "malloryxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    PythonEnv.Result r =
        PythonEnv.runScript(script, pythonEnv(hub.url(), tmp.resolve("hf")), tmp, 120);
    assertThat(r.output(), r.output(), containsString("PYTHON-OK"));
  }

  @Test
  void datasetsLoadsParquetSplitsThroughHfEndpoint() throws Exception {
    String script =
        """
        import os, tempfile
        import pyarrow as pa, pyarrow.parquet as pq
        from huggingface_hub import HfApi
        from datasets import load_dataset
        api = HfApi()
        api.create_repo("alice/chess", repo_type="dataset")
        folder = tempfile.mkdtemp()
        for split, n in (("train", 20), ("test", 5)):
            os.makedirs(os.path.join(folder, split))
            table = pa.table({"id": pa.array(range(n), pa.int64()), "text": [f"{split}-{i}" for i in range(n)]})
            pq.write_table(table, os.path.join(folder, split, "batch_000.parquet"))
        open(os.path.join(folder, "README.md"), "w").write(
            "---\\nconfigs:\\n- config_name: default\\n  data_files:\\n  - split: train\\n    path: train/*.parquet\\n"
            "  - split: test\\n    path: test/*.parquet\\n---\\n# Chess\\n")
        api.upload_folder(folder_path=folder, repo_id="alice/chess", repo_type="dataset")
        ds = load_dataset("alice/chess")
        assert ds["train"].num_rows == 20 and ds["test"].num_rows == 5, ds
        assert ds["test"][4]["text"] == "test-4", ds["test"][4]
        assert str(ds["train"].features["id"].dtype) == "int64"
        print("DATASETS-OK")
        """;
    PythonEnv.Result r =
        PythonEnv.runScript(script, pythonEnv(hub.url(), tmp.resolve("hf")), tmp, 150);
    assertThat(r.output(), r.output(), containsString("DATASETS-OK"));
  }
}
