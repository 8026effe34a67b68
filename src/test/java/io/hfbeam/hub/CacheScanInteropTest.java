package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our scan and huggingface_hub's {@code scan_cache_dir()} give the same repos, revisions, refs,
 * files, sizes and times on a cache both clients filled, and leave out the same corrupt repos; our
 * verify and Python's {@code verify_repo_checksums} agree on a corrupt blob.
 */
class CacheScanInteropTest {
  @TempDir Path tmp;

  private static final String SCAN =
      """
      import json, sys
      from huggingface_hub import scan_cache_dir
      info = scan_cache_dir(sys.argv[1])
      root = str(info.cache_dir)
      def rel(p): return str(p)[len(root) + 1:]
      out = {"size_on_disk": info.size_on_disk,
             "warnings": sorted(str(w) for w in info.warnings),
             "incomplete": sorted([rel(f.file_path), f.size_on_disk] for f in info.incomplete_files),
             "repos": []}
      for r in sorted(info.repos, key=lambda r: r.repo_path):
          revs = []
          for v in sorted(r.revisions, key=lambda v: v.commit_hash):
              files = sorted([rel(f.file_path), f.file_name, rel(f.blob_path), f.size_on_disk,
                              f.blob_last_accessed, f.blob_last_modified] for f in v.files)
              revs.append({"commit_hash": v.commit_hash, "refs": sorted(v.refs),
                           "size_on_disk": v.size_on_disk, "nb_files": v.nb_files,
                           "last_modified": v.last_modified, "files": files})
          out["repos"].append({"repo_type": r.repo_type, "repo_id": r.repo_id, "path": rel(r.repo_path),
                               "size_on_disk": r.size_on_disk, "nb_files": r.nb_files,
                               "last_accessed": r.last_accessed, "last_modified": r.last_modified,
                               "revisions": revs})
      print("JSON" + json.dumps(out))
      """;

  @Test
  void scanMatchesHuggingfaceHubOnACacheBothClientsFilled() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Path hfHome = tmp.resolve("hf");
    Map<String, String> env =
        new HashMap<>(
            Map.of(
                "HF_TOKEN",
                HubClientTest.TOKEN,
                "HF_HOME",
                hfHome.toString(),
                "HF_HUB_DISABLE_XET",
                "1",
                "HF_HUB_DISABLE_TELEMETRY",
                "1"));
    Path cache = hfHome.resolve("hub");
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(HubClientTest.TOKEN, "alice"))) {
      env.put("HF_ENDPOINT", hub.url());
      HubClient client = HubCacheTest.clientFor(hub.url(), hfHome);
      HubCacheTest.fill(client); // two revisions of alice/cached, alice/other
      RepoId py = RepoId.dataset("alice/py");
      client.createRepo(py, false, false);
      client.createCommit(
          py,
          "main",
          List.of(
              CommitOperation.add("t.txt", "python's".getBytes()),
              CommitOperation.add("same-as-t.txt", "python's".getBytes()), // one blob, two files
              CommitOperation.add("d/deep/b.bin", HubClientTest.randomBytes(7000, 3))),
          "py",
          null);
      client.createPullRequest(
          py, "main", List.of(CommitOperation.add("pr.txt", "proposed".getBytes())), "pr");
      PythonEnv.Result download =
          PythonEnv.runScript(
              """
              from huggingface_hub import hf_hub_download as d
              for f in ["t.txt", "same-as-t.txt", "d/deep/b.bin"]: d("alice/py", f, repo_type="dataset")
              d("alice/py", "pr.txt", repo_type="dataset", revision="refs/pr/1")
              d("alice/cached", "a.txt", repo_type="dataset")
              print("ok")
              """,
              env,
              tmp,
              120);
      assertThat(download.output(), download.output(), containsString("ok"));
      compareScans(cache, env);
      compareVerify(cache, env, client);
    }
  }

  private void compareScans(Path cache, Map<String, String> env) throws Exception {
    // what scan_cache_dir calls corrupt, next to the good repos
    Files.createDirectories(cache.resolve("not-a-repo"));
    Files.createDirectories(cache.resolve("robots--alice--x/snapshots"));
    Files.createDirectories(cache.resolve("datasets--alice--nosnap/blobs"));
    Path badRef = Files.createDirectories(cache.resolve("datasets--alice--badref/snapshots"));
    Files.createDirectories(badRef.resolveSibling("refs"));
    Files.writeString(badRef.resolveSibling("refs/main"), "f".repeat(40));
    Path broken =
        Files.createDirectories(cache.resolve("models--bob--broken/snapshots/" + "b".repeat(40)));
    Files.createSymbolicLink(broken.resolve("w.bin"), Path.of("../../blobs/" + "c".repeat(64)));
    Path incomplete =
        cache.resolve("datasets--alice--cached/blobs/" + "d".repeat(64) + ".incomplete");
    Files.write(incomplete, new byte[123]);

    CacheReport ours = CacheScanner.scan(cache);
    PythonEnv.Result scanned =
        PythonEnv.runScript(SCAN.replace("sys.argv[1]", "'" + cache + "'"), env, tmp, 120);
    String out = scanned.output();
    assertThat(out, out, containsString("JSON"));
    JsonNode theirs = HubHttp.JSON.readTree(out.substring(out.indexOf("JSON") + 4));

    System.out.println(
        "scan_cache_dir vs ours: "
            + theirs.path("repos").size()
            + " repos, "
            + ours.revisionCount()
            + " revisions, "
            + theirs.path("size_on_disk").asLong()
            + " vs "
            + ours.sizeOnDisk()
            + " bytes, "
            + theirs.path("warnings").size()
            + " vs "
            + ours.warnings().size()
            + " warnings");
    assertThat(ours.sizeOnDisk(), is(theirs.path("size_on_disk").asLong()));
    assertThat(theirs.path("repos").size(), is(3));
    assertThat(ours.repos().size(), is(3));
    for (JsonNode t : theirs.path("repos")) {
      CacheReport.Repo r =
          HubCacheTest.repo(ours, t.path("repo_type").asText() + "/" + t.path("repo_id").asText());
      String where = r.cacheId();
      assertThat(
          where, ours.cacheDir().relativize(r.path()).toString(), is(t.path("path").asText()));
      assertThat(where, r.sizeOnDisk(), is(t.path("size_on_disk").asLong()));
      assertThat(where, r.nbFiles(), is(t.path("nb_files").asInt()));
      assertTime(where, r.lastAccessed(), t.path("last_accessed"));
      assertTime(where, r.lastModified(), t.path("last_modified"));
      assertThat(where, r.revisions().size(), is(t.path("revisions").size()));
      for (JsonNode tv : t.path("revisions")) {
        CacheReport.Revision v = HubCacheTest.revision(r, tv.path("commit_hash").asText());
        String at = where + "@" + v.commitHash();
        assertThat(at, new TreeSet<>(v.refs()).toString(), is(strings(tv.path("refs")).toString()));
        assertThat(at, v.sizeOnDisk(), is(tv.path("size_on_disk").asLong()));
        assertThat(at, v.files().size(), is(tv.path("nb_files").asInt()));
        assertTime(at, v.lastModified(), tv.path("last_modified"));
        List<String> ourFiles = new ArrayList<>();
        for (CacheReport.CachedFile f : v.files()) {
          ourFiles.add(
              String.join(
                  " ",
                  ours.cacheDir().relativize(f.filePath()).toString(),
                  f.fileName(),
                  ours.cacheDir().relativize(f.blob()).toString(),
                  String.valueOf(f.sizeOnDisk())));
        }
        List<String> theirFiles = new ArrayList<>();
        for (JsonNode tf : tv.path("files")) {
          theirFiles.add(
              tf.get(0).asText()
                  + " "
                  + tf.get(1).asText()
                  + " "
                  + tf.get(2).asText()
                  + " "
                  + tf.get(3).asLong());
          CacheReport.CachedFile f =
              v.files().stream()
                  .filter(
                      x ->
                          ours.cacheDir()
                              .relativize(x.filePath())
                              .toString()
                              .equals(tf.get(0).asText()))
                  .findFirst()
                  .orElseThrow();
          assertTime(at, f.blobLastAccessed(), tf.get(4));
          assertTime(at, f.blobLastModified(), tf.get(5));
        }
        assertThat(at, new TreeSet<>(ourFiles), is(new TreeSet<>(theirFiles)));
      }
    }
    // the refs/pr/1 ref Python wrote, nested as refs/refs/pr/1
    assertThat(
        HubCacheTest.repo(ours, "dataset/alice/py").refs().toString(), is("[main, refs/pr/1]"));
    List<String> theirWarnings = strings(theirs.path("warnings"));
    assertThat(ours.warnings().size(), is(theirWarnings.size()));
    assertThat(ours.warnings().size(), is(5));
    for (CacheReport.Warning w : ours.warnings()) {
      String folder = w.path().getFileName().toString();
      assertThat(
          folder + " warned by Python: " + theirWarnings,
          theirWarnings.stream().anyMatch(m -> m.contains(folder)),
          is(true));
    }
    assertThat(ours.incompleteFiles().size(), is(theirs.path("incomplete").size()));
    assertThat(ours.incompleteSizeOnDisk(), is(123L));
  }

  /** A blob corrupted in place: both verifiers name it, with the same expected and actual hash. */
  private void compareVerify(Path cache, Map<String, String> env, HubClient client)
      throws Exception {
    CacheReport report = CacheScanner.scan(cache);
    CacheReport.CachedFile b =
        HubCacheTest.file(
            HubCacheTest.repo(report, "dataset/alice/py").revisions().stream()
                .filter(r -> r.refs().contains("main"))
                .findFirst()
                .orElseThrow(),
            "d/deep/b.bin");
    byte[] bytes = Files.readAllBytes(b.blob());
    bytes[0] ^= 1;
    Files.write(b.blob(), bytes);
    CacheVerifier.Result ours =
        CacheVerifier.of(client)
            .verify(CacheScanner.scan(cache), r -> r.cacheId().equals("dataset/alice/py"));
    assertThat(ours.corrupt().size(), is(1));
    CacheVerifier.Corrupt c = ours.corrupt().get(0);
    PythonEnv.Result theirs =
        PythonEnv.runScript(
            """
            from huggingface_hub import HfApi
            r = HfApi().verify_repo_checksums("alice/py", repo_type="dataset", cache_dir="%s")
            for m in r.mismatches: print("MISMATCH", m["path"], m["expected"], m["actual"], m["algorithm"])
            print("CHECKED", r.checked_count)
            """
                .formatted(cache),
            env,
            tmp,
            120);
    assertThat(
        theirs.output(),
        theirs.output(),
        containsString("MISMATCH d/deep/b.bin " + c.expected() + " " + c.actual() + " sha256"));
    System.out.println(
        "verify: ours "
            + ours.checked()
            + " blobs, 1 corrupt ("
            + c.actual()
            + "); huggingface_hub "
            + theirs.output().trim().replace('\n', ' '));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Python has the same nanoseconds as a double; a microsecond covers its rounding. */
  private static void assertTime(String where, Instant ours, JsonNode theirs) {
    double s = ours.getEpochSecond() + ours.getNano() / 1e9;
    assertThat(where, s, closeTo(theirs.asDouble(), 1e-5));
  }
}
