package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watch run started again numbers on from the dataset's batches, not from files in hidden
 * folders.
 */
class NextBatchNumberTest {
  @TempDir Path tmp;

  @Test
  void batchesInHiddenFoldersAreNotTheDatasets() throws Exception {
    assertThat(HubTarget.nextLocalBatchNumber(tmp.resolve("none")), equalTo(1));
    Files.createDirectories(tmp.resolve("train"));
    Files.writeString(tmp.resolve("train/batch_003.parquet"), "x");
    Path rejected = Files.createDirectories(tmp.resolve(".hfbeam/staging/pane-00004/train"));
    Files.writeString(rejected.resolve("batch_007.parquet"), "x");
    assertThat(HubTarget.nextLocalBatchNumber(tmp), equalTo(4));
  }
}
