package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FileNamingTest {
  @Test
  void batchesAndHfShardNames() {
    assertThat(
        FileNaming.of(FileNaming.BATCHES).name("train", 4, 3, 9),
        equalTo("train/batch_004.parquet"));
    assertThat(
        FileNaming.of(FileNaming.HF_SHARDS).name("test", 7, 0, 3),
        equalTo("data/test-00000-of-00003.parquet"));
    assertThat(
        FileNaming.of("{split}/part-{batch:05d}.parquet").name("x", 12, 0, 1),
        equalTo("x/part-00012.parquet"));
    assertThat(
        FileNaming.of(FileNaming.BATCHES).withExtension("jsonl").name("train", 1, 0, 1),
        equalTo("train/batch_001.jsonl"));
  }

  @Test
  void globsForTheCard() {
    assertThat(FileNaming.of(FileNaming.BATCHES).glob("train"), equalTo("train/batch_*.parquet"));
    assertThat(
        FileNaming.of(FileNaming.HF_SHARDS).glob("test"), equalTo("data/test-*-of-*.parquet"));
    FileNaming fixed = new FileNaming("{split}.jsonl", Map.of("train", "qa_pairs.jsonl"));
    assertThat(fixed.glob("train"), equalTo("qa_pairs.jsonl"));
    assertThat(fixed.name("other", 1, 0, 1), equalTo("other.jsonl"));
  }

  @Test
  void patternWithoutSplitIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> FileNaming.of("batch_{NNN}.parquet"));
  }
}
