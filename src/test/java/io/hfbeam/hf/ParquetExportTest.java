package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@link DataFilesResolver#resolveParquetExport} on the layouts the dataset viewer documents and
 * the Hub shows for {@code refs/convert/parquet} (docs/source/parquet.md of dataset-viewer; the
 * older flat names from parquet-converter commits).
 */
class ParquetExportTest {
  static Map<String, List<String>> splits(DatasetLayout l, String config) {
    return l.config(config).splits();
  }

  @Test
  void configAndSplitDirectoriesWithShardsInOrder() {
    DatasetLayout l =
        DataFilesResolver.resolveParquetExport(
            List.of(
                ".gitattributes",
                "SelfRC/validation/0000.parquet",
                "SelfRC/train/0001.parquet",
                "SelfRC/train/0000.parquet",
                "SelfRC/test/0000.parquet",
                "ParaphraseRC/zzz/0000.parquet",
                "ParaphraseRC/extra/0000.parquet",
                "ParaphraseRC/train/0000.parquet"));
    assertThat(l.configNames(), is(List.of("ParaphraseRC", "SelfRC")));
    assertThat(l.defaultConfig(), is(Optional.empty()));
    assertThat(
        splits(l, "SelfRC"),
        is(
            Map.of(
                "train", List.of("SelfRC/train/0000.parquet", "SelfRC/train/0001.parquet"),
                "validation", List.of("SelfRC/validation/0000.parquet"),
                "test", List.of("SelfRC/test/0000.parquet"))));
    assertThat(l.config("SelfRC").splitNames(), is(List.of("train", "validation", "test")));
    assertThat(l.config("ParaphraseRC").splitNames(), is(List.of("train", "extra", "zzz")));
    assertThat(l.config("SelfRC").builder(), is("parquet"));
  }

  @Test
  void partialSplitsAndTheDefaultConfig() {
    DatasetLayout l =
        DataFilesResolver.resolveParquetExport(
            List.of(
                "default/partial-train/0000.parquet",
                "default/partial-train/0001.parquet",
                "default/test/0000.parquet",
                "en/train/0000.parquet"));
    assertThat(l.defaultConfig(), is(Optional.of("default")));
    assertThat(
        l.config(null).split("train"),
        is(List.of("default/partial-train/0000.parquet", "default/partial-train/0001.parquet")));
    assertThat(DataFilesResolver.isPartialExport("default/partial-train/0000.parquet"), is(true));
    assertThat(DataFilesResolver.isPartialExport("default/test/0000.parquet"), is(false));
    assertThat(
        DataFilesResolver.resolveParquetExport(List.of("only/train/0000.parquet")).defaultConfig(),
        is(Optional.of("only")));
  }

  @Test
  void theOlderFlatNames() {
    DatasetLayout l =
        DataFilesResolver.resolveParquetExport(
            List.of(
                "default/custom-splits-test-custom_split_1.parquet",
                "default/custom-splits-test-custom_split_2.parquet",
                "owner--data/parquet-train-00001-of-00002.parquet",
                "owner--data/parquet-train-00000-of-00002.parquet",
                "owner--data/parquet-test.parquet",
                "plain/train-00000.parquet"));
    assertThat(l.config("default").splitNames(), is(List.of("custom_split_1", "custom_split_2")));
    assertThat(
        l.config("owner--data").split("train"),
        is(
            List.of(
                "owner--data/parquet-train-00000-of-00002.parquet",
                "owner--data/parquet-train-00001-of-00002.parquet")));
    assertThat(l.config("owner--data").splitNames(), is(List.of("train", "test")));
    assertThat(l.config("plain").splitNames(), is(List.of("train")));
  }

  @Test
  void otherLayoutsAreRefusedNamingTheFile() {
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> DataFilesResolver.resolveParquetExport(List.of("a/b/c/0000.parquet")))
            .getMessage(),
        containsString("a/b/c/0000.parquet"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> DataFilesResolver.resolveParquetExport(List.of("top.parquet")))
            .getMessage(),
        containsString("top.parquet"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> DataFilesResolver.resolveParquetExport(List.of("c/bad split/0.parquet")))
            .getMessage(),
        containsString("'bad split'"));
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () ->
                    DataFilesResolver.resolveParquetExport(
                        List.of("c/train/0.parquet", "c/partial-train/0.parquet")))
            .getMessage(),
        containsString("both a full and a partial export of split 'train'"));
    assertThrows(
        IllegalArgumentException.class,
        () -> DataFilesResolver.resolveParquetExport(List.of(".gitattributes", "README.md")));
    assertThrows(
        IllegalArgumentException.class,
        () -> DataFilesResolver.resolveParquetExport(List.of("../x/train/0.parquet")));
  }
}
