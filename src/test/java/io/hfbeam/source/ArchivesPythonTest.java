package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.hf.ConfigLayout;
import io.hfbeam.hf.DataFilesResolver;
import io.hfbeam.hf.DatasetLayout;
import io.hfbeam.testing.PythonEnv;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Archives against Python {@code datasets}: the same extracted path (each reuses the other's
 * extraction), the builder inferred from a zip's members, and the rows {@code load_dataset} reads
 * from the zips in the order {@link ExtractedFiles} lists the members.
 */
class ArchivesPythonTest {
  @TempDir Path tmp;

  static byte[] jsonl(int from, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = from; i < from + n; i++) sb.append("{\"a\": ").append(i).append("}\n");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void datasetsSharesTheExtractionAndReadsTheMembersInOurOrder() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Path repo = Files.createDirectories(tmp.resolve("repo/data"));
    Map<String, byte[]> train = new LinkedHashMap<>();
    train.put("z/2.jsonl", jsonl(20, 2));
    train.put("b.jsonl", jsonl(10, 3));
    train.put("a.jsonl", jsonl(0, 2));
    train.put("z/1.jsonl", jsonl(30, 1));
    train.put("__MACOSX/._a.jsonl", jsonl(99, 1));
    train.put(".hidden.jsonl", jsonl(98, 1));
    Files.write(repo.resolve("train.zip"), ArchivesTest.zip(train));
    Files.write(repo.resolve("test.zip"), ArchivesTest.zip(Map.of("t.jsonl", jsonl(7, 1))));
    Path root = tmp.resolve("repo");

    // the resolver: builder from the zips' members, the zips flagged for extraction
    DatasetLayout layout = DataFilesResolver.resolveDirectory(root);
    ConfigLayout config = layout.config(null);
    assertThat(config.builder(), is("json"));
    assertThat(config.splitNames(), is(List.of("train", "test")));
    assertThat(config.archives("train"), is(List.of("data/train.zip")));

    // ours first: the members in iter_files order, and their rows
    Archives archives = Archives.in(tmp.resolve("cache/downloads/extracted"));
    ArchivesTest.DirFiles files = new ArchivesTest.DirFiles(root, true);
    ExtractedFiles extracted = archives.open(files, "data/train.zip");
    List<String> ours = new ArrayList<>();
    for (DataFile f : extracted.list()) {
      for (String line : new String(ArchivesTest.read(extracted, f.path()), "UTF-8").split("\n")) {
        ours.add(line.replaceAll("\\D", ""));
      }
    }
    assertThat(ours, is(List.of("0", "1", "10", "11", "12", "30", "20", "21")));
    Path ourTrain = archives.extract(files, "data/train.zip");
    Files.writeString(ourTrain.resolve(".ours"), "marker");

    PythonEnv.Result r =
        PythonEnv.runScript(
            """
            import os, sys
            from datasets import load_dataset, load_dataset_builder
            from datasets.utils.extract import ExtractManager
            root, cache = os.environ["REPO"], os.environ["HF_DATASETS_CACHE"]
            m = ExtractManager(cache_dir=os.path.join(cache, "downloads"))
            for z in ("train", "test"):
                p = os.path.join(root, "data", z + ".zip")
                print(z, "path", m._get_output_path(p))
                print(z, "extracted", m.extract(p))
            print("builder", load_dataset_builder(root).name)
            ds = load_dataset(root, split="train")
            print("rows", ",".join(str(x["a"]) for x in ds))
            print("marker", os.path.exists(os.path.join(m._get_output_path(os.path.join(root, "data", "train.zip")), ".ours")))
            """,
            Map.of(
                "REPO",
                root.toString(),
                "HF_DATASETS_CACHE",
                tmp.resolve("cache").toString(),
                "HF_HOME",
                tmp.resolve("hf").toString(),
                "HF_DATASETS_OFFLINE",
                "1",
                "HF_HUB_OFFLINE",
                "1"),
            tmp,
            300);
    assertThat(r.output(), r.exitCode(), is(0));
    assertThat(r.output(), containsString("train path " + ourTrain + "\n"));
    // Python found our extraction and kept it (it would have deleted the marker re-extracting)
    assertThat(r.output(), containsString("train extracted " + ourTrain + "\n"));
    assertThat(r.output(), containsString("marker True"));
    assertThat(r.output(), containsString("builder json"));
    assertThat(r.output(), containsString("rows " + String.join(",", ours) + "\n"));

    // Python's extraction of test.zip is found by us with no work
    Path theirs =
        tmp.resolve("cache/downloads/extracted")
            .resolve(Archives.sha256(root.resolve("data/test.zip").toAbsolutePath().toString()));
    assertThat(r.output(), containsString("test extracted " + theirs + "\n"));
    ArchivesTest.DirFiles remoteView = new ArchivesTest.DirFiles(root, true);
    Files.delete(root.resolve("data/test.zip"));
    assertThat(archives.extract(remoteView, "data/test.zip"), is(theirs));
    assertThat(
        archives.open(remoteView, "data/test.zip").list(), is(List.of(new DataFile("t.jsonl", 9))));
  }
}
