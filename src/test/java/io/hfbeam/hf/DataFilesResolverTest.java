package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One rule of datasets' resolution per test; DataFilesResolverPythonTest checks them all. */
class DataFilesResolverTest {

  private static DatasetLayout resolve(String readme, String... files) {
    return DataFilesResolver.resolve(List.of(files), readme);
  }

  private static Map<String, List<String>> splits(DatasetLayout l) {
    return l.config(null).splits();
  }

  private static Map<String, List<String>> map(Object... kv) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> v = (List<String>) kv[i + 1];
      m.put((String) kv[i], v);
    }
    return m;
  }

  private static String error(String readme, String... files) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> resolve(readme, files));
    assertThat(e.getMessage(), not(containsString("\n")));
    return e.getMessage();
  }

  @Test
  void shardedNamesGiveSplitsTrainValidationTestFirstThenByName() {
    DatasetLayout l =
        resolve(
            null,
            "data/zeta-00000-of-00001.parquet",
            "data/test-00000-of-00001.parquet",
            "data/train-00001-of-00002.parquet",
            "data/train-00000-of-00002.parquet",
            "data/alpha-00000-of-00001.parquet",
            "other/train.parquet");
    assertThat(l.configNames(), equalTo(List.of("default")));
    assertThat(l.defaultConfig(), equalTo(Optional.of("default")));
    assertThat(
        l.config("default").splitNames(), equalTo(List.of("train", "test", "alpha", "zeta")));
    assertThat(
        l.config("default").split("train"),
        equalTo(List.of("data/train-00000-of-00002.parquet", "data/train-00001-of-00002.parquet")));
  }

  @Test
  void keywordsCountOnlyBetweenDelimiters() {
    Map<String, List<String>> s =
        splits(resolve(null, "train.csv", "my_train_file.csv", "test1.csv", "testfile.csv"));
    assertThat(
        s,
        equalTo(
            map("train", List.of("train.csv", "my_train_file.csv"), "test", List.of("test1.csv"))));
  }

  @Test
  void directoryNamesWinOverFileNames() {
    Map<String, List<String>> s =
        splits(
            resolve(
                null,
                "dev/a.jsonl",
                "eval/b.jsonl",
                "data/training/x/y.jsonl",
                "train.jsonl",
                "valid.jsonl"));
    assertThat(
        s,
        equalTo(
            map(
                "train", List.of("data/training/x/y.jsonl"),
                "validation", List.of("dev/a.jsonl"),
                "test", List.of("eval/b.jsonl"))));
  }

  @Test
  void aFileMatchingTwoPatternsOfASplitIsListedTwice() {
    assertThat(
        splits(resolve(null, "train_x_train.csv")).get("train"),
        equalTo(List.of("train_x_train.csv", "train_x_train.csv")));
  }

  @Test
  void withoutKeywordsEverythingIsTrainButCardAndMetadataFilesAreIgnored() {
    assertThat(
        splits(resolve("# card\n", "README.md", "config.json", "b.jsonl", "a/c.jsonl")),
        equalTo(map("train", List.of("a/c.jsonl", "b.jsonl"))));
  }

  @Test
  void hiddenAndDoubleUnderscoreDirectoriesAreIgnoredSingleUnderscoreIsNot() {
    assertThat(
        splits(
            resolve(
                null,
                "data.csv",
                ".hidden/a.csv",
                "x/.b.csv",
                "__pycache__/c.csv",
                "_private/d.csv",
                "__e.csv")),
        equalTo(map("train", List.of("__e.csv", "_private/d.csv", "data.csv"))));
  }

  @Test
  void theMostCommonExtensionPicksTheBuilderAndTheOthersAreDropped() {
    ConfigLayout c = resolve(null, "a.csv", "b.csv", "c.jsonl", "notes.md").config(null);
    assertThat(c.builder(), equalTo("csv"));
    assertThat(c.split("train"), equalTo(List.of("a.csv", "b.csv")));
  }

  @Test
  void tiesGoToParquetThenJsonlJsonCsv() {
    assertThat(resolve(null, "a.csv", "b.parquet").config(null).builder(), equalTo("parquet"));
    assertThat(resolve(null, "a.csv", "b.json").config(null).builder(), equalTo("json"));
    assertThat(resolve(null, "a.txt", "b.csv").config(null).builder(), equalTo("csv"));
  }

  @Test
  void compressedFilesCountByTheirInnerExtension() {
    ConfigLayout c = resolve(null, "validation.jsonl.gz").config(null);
    assertThat(c.builder(), equalTo("json"));
    assertThat(c.splits(), equalTo(map("validation", List.of("validation.jsonl.gz"))));
    assertThat(ConfigLayout.compression("validation.jsonl.gz"), equalTo(Optional.of("gzip")));
    assertThat(ConfigLayout.compression("a.csv.ZST"), equalTo(Optional.of("zstd")));
    assertThat(ConfigLayout.compression("a.csv"), equalTo(Optional.empty()));
  }

  @Test
  void tsvMeansCsvWithATab() {
    ConfigLayout c = resolve(null, "train.tsv").config(null);
    assertThat(c.builder(), equalTo("csv"));
    assertThat(c.builderKwargs(), equalTo(Map.of("sep", TextNode.valueOf("\t"))));
  }

  @Test
  void splitsInDifferentFormatsFail() {
    assertThat(error(null, "train.csv", "test.jsonl"), containsString("different formats"));
  }

  @Test
  void noDataFilesFailsNamingTheFiles() {
    String msg = error(null, ".git/config", "README.md");
    assertThat(msg, containsString("no data files"));
    assertThat(msg, containsString("README.md"));
    assertThat(error(null, "notes.md"), containsString("no supported data file"));
    assertThat(error(null, "data.zip"), containsString(".zip"));
  }

  private static final String TWO_CONFIGS =
      """
      ---
      configs:
      - config_name: main
        data_files:
        - split: train
          path: [main/train-*.csv, extra/*.csv]
        - split: test
          path: main/test.csv
        sep: ";"
        bogus: 1
      - config_name: other
        data_files: other/*.csv
        default: true
      dataset_info:
      - config_name: main
        features:
        - name: id
          dtype: int64
      - config_name: other
        features:
        - name: text
          dtype: string
      ---
      # card
      """;

  @Test
  void cardConfigsGiveSplitsKwargsFeaturesAndDefault() {
    DatasetLayout l =
        resolve(
            TWO_CONFIGS,
            "main/train-1.csv",
            "main/train-0.csv",
            "extra/x.csv",
            "main/test.csv",
            "other/a.csv");
    assertThat(l.configNames(), equalTo(List.of("main", "other")));
    assertThat(l.defaultConfig(), equalTo(Optional.of("other")));
    ConfigLayout main = l.config("main");
    assertThat(
        main.splits(),
        equalTo(
            map(
                "train", List.of("main/train-0.csv", "main/train-1.csv", "extra/x.csv"),
                "test", List.of("main/test.csv"))));
    assertThat(main.builderKwargs(), equalTo(Map.of("sep", TextNode.valueOf(";"))));
    assertThat(main.ignoredKwargs(), equalTo(List.of("bogus")));
    assertThat(main.features().get().names(), equalTo(List.of("id")));
    assertThat(l.config(null).splits(), equalTo(map("train", List.of("other/a.csv"))));
    assertThat(l.config(null).features().get().names(), equalTo(List.of("text")));
  }

  @Test
  void dataDirConfigsInferSplitsInsideTheirDirectory() {
    String card =
        """
        ---
        configs:
        - config_name: en
          data_dir: en
        - config_name: fr
          data_dir: ./fr/
          data_files: "*.jsonl"
        ---
        """;
    DatasetLayout l = resolve(card, "en/train.jsonl", "en/test.jsonl", "fr/a.jsonl", "x.jsonl");
    assertThat(l.defaultConfig(), equalTo(Optional.empty()));
    assertThat(
        l.config("en").splits(),
        equalTo(map("train", List.of("en/train.jsonl"), "test", List.of("en/test.jsonl"))));
    assertThat(l.config("en").dataDir(), equalTo(Optional.of("en")));
    assertThat(l.config("fr").splits(), equalTo(map("train", List.of("fr/a.jsonl"))));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> l.config(null)).getMessage(),
        containsString("[en, fr]"));
  }

  @Test
  void aConfigNamedDefaultIsTheDefault() {
    String card =
        """
        ---
        configs:
        - config_name: a
          data_files: a.json
          field: rows
        - config_name: default
          data_files: b.json
        ---
        """;
    DatasetLayout l = resolve(card, "a.json", "b.json");
    assertThat(l.defaultConfig(), equalTo(Optional.of("default")));
    assertThat(l.config("a").builderKwargs(), equalTo(Map.of("field", TextNode.valueOf("rows"))));
  }

  @Test
  void aSingleDatasetInfoNamesTheDefaultWithoutConfigs() {
    String card =
        """
        ---
        dataset_info:
          features:
          - name: n
            dtype: int32
          - name: tags
            list: string
        ---
        """;
    ConfigLayout c = resolve(card, "data/train.parquet").config(null);
    assertThat(c.features().get().names(), equalTo(List.of("n", "tags")));
  }

  @Test
  void theCardsSplitSizesAreKeptAndNameTheReportedSplits() {
    String card =
        """
        ---
        dataset_info:
          splits:
          - name: train
            num_examples: 5
            num_bytes: 10
        ---
        """;
    ConfigLayout c = resolve(card, "train.csv", "test.csv").config(null);
    assertThat(c.splitNames(), equalTo(List.of("train", "test")));
    assertThat(c.reportedSplitNames(), equalTo(List.of("train")));
    assertThat(c.cardSplits().get("train"), equalTo(new ConfigLayout.SplitStats(5, 10)));
    assertThat(
        error("---\ndataset_info:\n  splits:\n  - {name: t, num_examples: -1}\n---\n", "a.csv"),
        containsString("num_examples of split 't' is not a count"));
  }

  @Test
  void theStandaloneYamlReplacesTheCardsKeys() {
    DatasetLayout l =
        DataFilesResolver.resolve(
            List.of("a.csv", "b.csv"),
            "---\nconfigs:\n- {config_name: card, data_files: a.csv}\n---\n",
            "configs:\n- {config_name: yaml, data_files: b.csv}\n");
    assertThat(l.configNames(), equalTo(List.of("yaml")));
    assertThat(l.config(null).split("train"), equalTo(List.of("b.csv")));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DataFilesResolver.resolve(List.of("a.csv"), null, "- a\n"));
    assertThat(e.getMessage(), containsString(".huggingface.yaml is not a YAML mapping"));
  }

  @Test
  void aConfigsFeaturesKwargParsesToFeatures() {
    String card =
        """
        ---
        configs:
        - config_name: default
          data_files: a.jsonl
          features:
          - name: k
            dtype: int8
        ---
        """;
    ConfigLayout c = resolve(card, "a.jsonl").config(null);
    assertThat(c.features().get().names(), equalTo(List.of("k")));
  }

  @Test
  void badCardsFailInOneLine() {
    assertThat(error("---\nconfigs: [\n---\n", "a.csv"), containsString("does not parse"));
    assertThat(error("---\n- a\n---\n", "a.csv"), containsString("not a mapping"));
    assertThat(error("---\nconfigs: {a: 1}\n---\n", "a.csv"), containsString("must be a list"));
    assertThat(
        error("---\nconfigs:\n- data_files: a.csv\n---\n", "a.csv"), containsString("config_name"));
    assertThat(
        error("---\nconfigs:\n- config_name: x\n  data_files: 3\n---\n", "a.csv"),
        containsString("data_files must be"));
    assertThat(
        error(
            "---\nconfigs:\n- config_name: x\n  data_files:\n  - split: bad-name\n    path: a.csv\n---\n",
            "a.csv"),
        containsString("data_files must be"));
    assertThat(
        error(
            "---\nconfigs:\n- {config_name: x, data_files: a.csv, default: true}\n"
                + "- {config_name: y, data_files: a.csv, default: true}\n---\n",
            "a.csv"),
        containsString("several default configs"));
    assertThat(
        error("---\ndataset_info:\n  features:\n  - name: a\n    dtype: nonsense\n---\n", "a.csv"),
        containsString("features do not parse"));
  }

  @Test
  void aSplitWithNoMatchingFileFailsNamingTheFiles() {
    String card =
        """
        ---
        configs:
        - config_name: default
          data_files:
          - split: train
            path: train-*.csv
          - split: test
            path: test-*.csv
        ---
        """;
    String msg = error(card, "train-0.csv", "README.md");
    assertThat(msg, containsString("split 'test'"));
    assertThat(msg, containsString("train-0.csv"));
    String missing =
        error("---\nconfigs:\n- config_name: a\n  data_files: nope.csv\n---\n", "a.csv");
    assertThat(missing, containsString("'nope.csv' not found"));
    assertThat(missing, containsString("a.csv"));
  }

  @Test
  void patternsAndPathsFromOutsideAreChecked() {
    assertThat(error(null, "../etc/passwd"), containsString("not a clean relative path"));
    assertThat(error(null, "/abs.csv"), containsString("not a clean relative path"));
    assertThat(error(null, "a//b.csv"), containsString("not a clean relative path"));
    assertThat(error(null, "a\nb.csv"), containsString("control character"));
    assertThat(
        error("---\nconfigs:\n- config_name: a\n  data_files: ../x/*.csv\n---\n", "a.csv"),
        containsString("leaves the repo"));
    assertThat(
        error("---\nconfigs:\n- config_name: a\n  data_files: https://x/y.csv\n---\n", "a.csv"),
        containsString("relative to the repo root"));
  }

  @Test
  void unknownConfigAndSplitNameWhatExists() {
    DatasetLayout l = resolve(null, "train.csv", "test.csv");
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> l.config("nope")).getMessage(),
        containsString("[default]"));
    assertThat(
        assertThrows(IllegalArgumentException.class, () -> l.config(null).split("dev"))
            .getMessage(),
        containsString("[train, test]"));
  }

  @Test
  void aLocalDirectoryIsWalkedWithRelativePaths(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("data/train"));
    Files.writeString(dir.resolve("data/train/a.csv"), "a\n1\n");
    Files.writeString(dir.resolve("data/b_test.csv"), "a\n1\n");
    Files.writeString(
        dir.resolve("README.md"),
        "---\nconfigs:\n- config_name: c\n  data_files: data/**/*.csv\n  skiprows: 1\n---\n");
    DatasetLayout l = DataFilesResolver.resolveDirectory(dir);
    ConfigLayout c = l.config(null);
    assertThat(c.name(), equalTo("c"));
    assertThat(c.split("train"), equalTo(List.of("data/b_test.csv", "data/train/a.csv")));
    assertThat(c.builderKwargs(), equalTo(Map.of("skiprows", IntNode.valueOf(1))));
  }

  @Test
  void globSegmentsFollowFsspec() {
    assertThat(RepoGlob.of("*/x").matches("/x"), is(false));
    assertThat(RepoGlob.of("a*/x").matches("a/x"), is(true));
    assertThat(RepoGlob.of("**/x").matches("x"), is(true));
    assertThat(RepoGlob.of("**/x").matches("a/b/x"), is(true));
    assertThat(RepoGlob.of("a/**").matches("a/b/c"), is(true));
    assertThat(RepoGlob.of("[!a]b").matches("ab"), is(false));
    assertThat(RepoGlob.of("[!a]b").matches("cb"), is(true));
    assertThat(RepoGlob.of("x[-._ 0-9]y").matches("x-y"), is(true));
    assertThat(RepoGlob.of("x[-._ 0-9]y").matches("x5y"), is(true));
    assertThat(RepoGlob.of("x[-._ 0-9]y").matches("xay"), is(false));
    assertThat(RepoGlob.of("a?c").matches("a/c"), is(false));
    assertThat(RepoGlob.of("a[b").matches("a[b"), is(true));
    assertThat(RepoGlob.of("a.(b)+").matches("a.(b)+"), is(true));
    assertThrows(IllegalArgumentException.class, () -> RepoGlob.of("a**/b"));
  }
}
