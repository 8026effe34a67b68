package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving a staged dataset into place: stale files of the manifest go, others stay, nothing outside
 * is touched.
 */
class StagedDatasetTest {
  @TempDir Path tmp;

  WrittenFile staged(Path out, String rel, String text) throws Exception {
    Path f = StagedDataset.stagingDir(out).resolve(rel);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    return new WrittenFile(
        rel.equals("README.md") ? null : "train", rel, f.toString(), 1, text.length(), 0);
  }

  @Test
  void aCommitReplacesTheManifestsFilesAndLeavesOthersAlone() throws Exception {
    Path out = tmp.resolve("out");
    StagedDataset.commit(
        out,
        List.of(
            staged(out, "train/batch_001.parquet", "a"),
            staged(out, "train/batch_002.parquet", "b"),
            staged(out, "README.md", "card")),
        true);
    Files.writeString(out.resolve("notes.txt"), "mine");
    Files.writeString(tmp.resolve("outside.txt"), "not hf-beam's");
    // a manifest is data: a path in it that leads outside the output is never followed
    Files.writeString(
        out.resolve(StagedDataset.MANIFEST),
        "{\"files\": [\"README.md\", \"train/batch_001.parquet\", \"train/batch_002.parquet\", \"../outside.txt\"]}");

    List<WrittenFile> placed =
        StagedDataset.commit(
            out,
            List.of(
                staged(out, "train/batch_001.parquet", "A"), staged(out, "README.md", "card 2")),
            true);

    assertThat(placed.get(placed.size() - 1).path(), equalTo("README.md")); // the card last
    assertThat(
        placed.get(0).localPath(), equalTo(out.resolve("train/batch_001.parquet").toString()));
    assertThat(Files.readString(out.resolve("train/batch_001.parquet")), equalTo("A"));
    assertThat(Files.exists(out.resolve("train/batch_002.parquet")), is(false));
    assertThat(Files.readString(tmp.resolve("outside.txt")), equalTo("not hf-beam's"));
    assertThat(StagedDataset.others(out), equalTo(List.of("notes.txt")));
    assertThat(
        Files.readString(out.resolve(StagedDataset.MANIFEST)),
        equalTo(
            """
        {
          "written_by" : "hf-beam",
          "files" : [ "README.md", "train/batch_001.parquet" ]
        }
        """));
  }

  @Test
  void theRuleForNoRowsAndTheErrorBudget() {
    assertThat(
        StagedDataset.rejection(0, 0, 1.0), equalTo("no records in the input: nothing to write"));
    assertThat(
        StagedDataset.rejection(0, 3, 1.0), equalTo("no records to write: all 3 records failed"));
    assertThat(StagedDataset.rejection(99, 1, 0.01), nullValue());
    assertThat(
        StagedDataset.rejection(98, 2, 0.01),
        equalTo("2 of 100 records failed (2.0%), more than --max-error-rate 0.01"));
    assertThat(
        StagedDataset.overBudget(0, 5, 1.0),
        is(false)); // a pane of failures only, with no limit set
  }
}
