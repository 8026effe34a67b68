package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import io.hfbeam.dataset.WrittenFile;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublishPlanTest {
  static WrittenFile file(String path, long bytes) {
    return new WrittenFile("train", path, "/tmp/" + path, 1, bytes, 1);
  }

  static List<List<String>> paths(PublishPlan plan) {
    return plan.commits().stream().map(c -> c.stream().map(WrittenFile::path).toList()).toList();
  }

  @Test
  void sortsByPathPutsTheCardLastAndCutsByFilesAndBytes() {
    List<WrittenFile> files =
        List.of(
            file("README.md", 5),
            file("train/batch_002.parquet", 10),
            file("test/batch_001.parquet", 10),
            file("train/batch_001.parquet", 10),
            file("train/batch_003.parquet", 100));
    assertThat(
        paths(PublishPlan.of(files, 2, 1000)),
        is(
            List.of(
                List.of("test/batch_001.parquet", "train/batch_001.parquet"),
                List.of(
                    "train/batch_002.parquet",
                    "train/batch_003.parquet",
                    "README.md")))); // the card is not counted
    assertThat(
        paths(PublishPlan.of(files, 50, 50)),
        is(
            List.of(
                List.of(
                    "test/batch_001.parquet", "train/batch_001.parquet", "train/batch_002.parquet"),
                List.of("train/batch_003.parquet"),
                List.of("README.md"))));
  }

  @Test
  void messagesSayWhatIsAdded() {
    assertThat(
        PublishPlan.message(List.of("train/batch_004.parquet", "README.md")),
        is("Add train/batch_004.parquet and 1 more"));
    assertThat(
        PublishPlan.message(List.of("train/batch_004.parquet")), is("Add train/batch_004.parquet"));
    assertThat(PublishPlan.message(List.of("README.md")), is("Update README.md"));
  }
}
