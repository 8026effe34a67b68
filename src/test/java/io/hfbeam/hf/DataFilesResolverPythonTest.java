package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.testing.PythonEnv;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The resolver against Python {@code datasets} itself: each layout below is a local dataset
 * directory; one Python process reports, per layout, the config names, the default config, and per
 * config the builder, split names, the builder's resolved data files and its sep/field kwargs and
 * feature names; the Java resolver must give the same.
 */
class DataFilesResolverPythonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String SCRIPT =
      """
      import json, os, sys
      import datasets
      from datasets import (get_dataset_config_names, get_dataset_default_config_name,
                            get_dataset_split_names, load_dataset_builder)
      root = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
      import pyarrow as pa, pyarrow.parquet as pq
      # The Java side writes placeholders; split names need real Parquet footers.
      for d, _, fs in os.walk(root):
          for f in fs:
              if f.endswith(".parquet"):
                  pq.write_table(pa.table({"id": [1], "text": ["a"]}), os.path.join(d, f))
      print("datasets " + datasets.__version__)
      out = {}
      for name in sorted(os.listdir(root)):
          p = os.path.join(root, name)
          try:
              names = get_dataset_config_names(p)
              configs = {}
              for c in names:
                  b = load_dataset_builder(p, c)
                  files = {str(s): [os.path.relpath(f, p).replace(os.sep, "/") for f in fs]
                           for s, fs in b.config.data_files.items()}
                  # Only kwargs the card or the extension set: not the config class's defaults.
                  plain = type(b.config)()
                  kw = {k: getattr(b.config, k, None) for k in ("sep", "field")}
                  kw = {k: (None if v == getattr(plain, k, None) else v) for k, v in kw.items()}
                  configs[c] = {
                      "builder": type(b).__module__.split(".")[-1],
                      "splits": get_dataset_split_names(p, c),
                      "files": files,
                      "sep": kw["sep"],
                      "field": kw["field"],
                      "features": list(b.info.features) if b.info.features else None,
                  }
              out[name] = {"configs": names, "default": get_dataset_default_config_name(p),
                           "per_config": configs}
          except Exception as e:
              out[name] = {"error": type(e).__name__ + ": " + str(e).splitlines()[0]}
      print("RESULT " + json.dumps(out))
      """;

  private static final String CSV = "a,b\n1,2\n";
  private static final String JSONL = "{\"a\": 1}\n";

  /** name -> (path -> content); ".gz" files are gzipped. */
  static Map<String, Map<String, String>> layouts() {
    Map<String, Map<String, String>> l = new LinkedHashMap<>();
    l.put(
        "only_data_train_parquet",
        Map.of("data/train-0.parquet", "x", "data/train-1.parquet", "x", "README.md", "# hi\n"));
    l.put("train_test_csv", Map.of("train.csv", CSV, "test.csv", CSV));
    l.put("validation_jsonl_gz", Map.of("validation.jsonl.gz", JSONL));
    l.put(
        "dev_eval_folders",
        Map.of(
            "dev/a.jsonl", JSONL, "eval/b.jsonl", JSONL, "eval/c.jsonl", JSONL, "x.jsonl", JSONL));
    l.put(
        "nested_data_dirs",
        Map.of(
            "data/train/b.parquet", "x",
            "data/train/a.parquet", "x",
            "data/train/sub/c.parquet", "x",
            "data/test/z.parquet", "x"));
    l.put(
        "sharded",
        Map.of(
            "data/train-00001-of-00002.parquet", "x",
            "data/train-00000-of-00002.parquet", "x",
            "data/random-00000-of-00001.parquet", "x",
            "data/test-00000-of-00001.parquet", "x",
            "data/validation-00000-of-00001.parquet", "x"));
    l.put("mixed_tie_parquet", Map.of("a.csv", CSV, "b.parquet", "x", "c.txt", "t\n"));
    l.put(
        "mixed_majority_csv",
        Map.of("a.csv", CSV, "b.csv", CSV, "c.jsonl", JSONL, "d.txt", "t\n", "e.md", "m\n"));
    l.put("mixed_tie_json", Map.of("a.csv", CSV, "b.csv", CSV, "c.json", "[]", "d.json", "[]"));
    l.put(
        "two_configs_globs",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: main
              data_files:
              - split: train
                path: [main/train-*.csv, extra/*.csv]
              - split: test
                path: main/test-*.csv
            - config_name: other
              data_files: other/*.csv
            ---
            # card
            """,
            "main/train-1.csv",
            CSV,
            "main/train-0.csv",
            CSV,
            "extra/more.csv",
            CSV,
            "main/test-0.csv",
            CSV,
            "other/x.csv",
            CSV,
            "other/y.csv",
            CSV));
    l.put(
        "data_dir_configs",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: en
              data_dir: en
            - config_name: fr
              data_dir: fr
              sep: ";"
            ---
            """,
            "en/train.csv",
            CSV,
            "en/test.csv",
            CSV,
            "fr/train.csv",
            "a;b\\n1;2\\n",
            "fr/validation.csv",
            CSV));
    l.put(
        "json_field",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: default
              data_files: records.json
              field: data
            ---
            """,
            "records.json",
            "{\"data\": [{\"a\": 1}]}"));
    l.put(
        "default_second",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: first
              data_files: a/*.jsonl
            - config_name: second
              data_files:
              - split: train
                path: b/train.jsonl
              default: true
            ---
            """,
            "a/x.jsonl",
            JSONL,
            "b/train.jsonl",
            JSONL));
    l.put(
        "hidden_dirs",
        Map.of(
            "data.csv", CSV,
            "_hidden/x.csv", CSV,
            ".hidden/y.csv", CSV,
            "__special__/z.csv", CSV,
            ".dot.csv", CSV,
            "sub/__init__.csv", CSV));
    l.put("single_unknown", Map.of("stuff.jsonl", JSONL, "config.json", "{}"));
    l.put("tsv", Map.of("my_train_file.tsv", "a\tb\n", "test1.tsv", "a\tb\n"));
    l.put(
        "dataset_info_features",
        Map.of(
            "README.md",
            """
            ---
            dataset_info:
              features:
              - name: id
                dtype: int64
              - name: text
                dtype: string
            ---
            """,
            "data/train.parquet",
            "x"));
    l.put(
        "keywords_not_delimited",
        Map.of("testfile.txt", "t\n", "pretrain.txt", "t\n", "train_v2.txt", "t\n"));
    l.put(
        "card_splits_differ_from_files",
        Map.of(
            "README.md",
            """
            ---
            dataset_info:
              features:
              - name: a
                dtype: int64
              splits:
              - name: train
                num_examples: 5
                num_bytes: 10
            ---
            """,
            "train.csv",
            CSV,
            "test.csv",
            CSV));
    l.put(
        "standalone_yaml_over_card",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: from_card
              data_files: a.csv
            ---
            """,
            ".huggingface.yaml",
            """
            configs:
            - config_name: from_yaml
              data_files:
              - split: test
                path: b.csv
            """,
            "a.csv",
            CSV,
            "b.csv",
            CSV));
    l.put("duplicate_match", Map.of("train_x_train.csv", CSV, "test.csv", CSV));
    l.put(
        "custom_split_dropped",
        Map.of("data/train.jsonl", JSONL, "data/random-0.jsonl", JSONL, "data/test.jsonl", JSONL));
    l.put(
        "data_dir_with_files",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: a
              data_files: "*.csv"
            - config_name: b
              data_dir: sub
              data_files:
              - split: train
                path: "*.csv"
            ---
            """,
            "top.csv",
            CSV,
            "sub/one.csv",
            CSV,
            "sub/two.csv",
            CSV));
    l.put(
        "unicode_and_case",
        Map.of(
            "Daten/TRAIN.jsonl", JSONL,
            "Daten/zeta_train.jsonl", JSONL,
            "é_train.jsonl", JSONL,
            // Python sorts by code point: U+FF21 before U+1F600 (UTF-16 order says the opposite).
            "\uFF21_train.jsonl", JSONL,
            "\uD83D\uDE00_train.jsonl", JSONL,
            "data (1)/[x]+_train.jsonl", JSONL));
    return l;
  }

  /** Layouts datasets refuses; the resolver must refuse them too. */
  static Map<String, Map<String, String>> refused() {
    Map<String, Map<String, String>> l = new LinkedHashMap<>();
    l.put("formats_differ_by_split", Map.of("train.csv", CSV, "test.jsonl", JSONL));
    l.put(
        "first_config_files_outside_its_data_dir",
        Map.of(
            "README.md",
            """
            ---
            configs:
            - config_name: a
              data_dir: sub
              data_files: "*.csv"
            ---
            """,
            "sub/one.csv",
            CSV));
    l.put("no_data_files", Map.of("README.md", "# empty\n", ".hidden/x.csv", CSV));
    return l;
  }

  @Test
  void matchesPythonDatasets(@TempDir Path root) throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Map<String, Map<String, String>> layouts = layouts();
    Map<String, Map<String, String>> all = new LinkedHashMap<>(layouts);
    all.putAll(refused());
    for (Map.Entry<String, Map<String, String>> e : all.entrySet()) {
      write(root.resolve(e.getKey()), e.getValue());
    }
    Path cache = Files.createDirectories(root.getParent().resolve(root.getFileName() + "-cache"));
    PythonEnv.Result r =
        PythonEnv.runScript(
            SCRIPT,
            Map.of(
                "HF_DATASETS_OFFLINE",
                "1",
                "HF_HUB_OFFLINE",
                "1",
                "HF_DATASETS_CACHE",
                cache.toString(),
                "HF_HOME",
                cache.toString()),
            root,
            600);
    assertThat(r.output(), r.exitCode(), is(0));
    String line =
        r.output()
            .lines()
            .filter(s -> s.startsWith("RESULT "))
            .findFirst()
            .orElseThrow(() -> new AssertionError(r.output()));
    JsonNode python = JSON.readTree(line.substring(7));

    List<String> checked = new ArrayList<>();
    int files = 0;
    for (String name : layouts.keySet()) {
      JsonNode want = python.get(name);
      assertThat(name + ": python failed: " + want, want.has("error"), is(false));
      DatasetLayout got = DataFilesResolver.resolveDirectory(root.resolve(name));
      assertThat(name + " configs", got.configNames(), equalTo(strings(want.get("configs"))));
      assertThat(
          name + " default",
          got.defaultConfig().orElse(null),
          equalTo(want.get("default").isNull() ? null : want.get("default").asText()));
      for (ConfigLayout c : got.configs()) {
        JsonNode wc = want.get("per_config").get(c.name());
        String where = name + "/" + c.name();
        assertThat(where + " builder", c.builder(), equalTo(wc.get("builder").asText()));
        assertThat(where + " splits", c.reportedSplitNames(), equalTo(strings(wc.get("splits"))));
        Map<String, List<String>> wantFiles = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = wc.get("files").fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> f = it.next();
          wantFiles.put(f.getKey(), strings(f.getValue()));
          files += f.getValue().size();
        }
        assertThat(where + " files", c.splits(), equalTo(wantFiles));
        for (String kw : List.of("sep", "field")) {
          if (!wc.get(kw).isNull()) {
            assertThat(where + " " + kw, c.builderKwargs().get(kw), equalTo(wc.get(kw)));
          } else {
            assertThat(where + " " + kw, c.builderKwargs().containsKey(kw), is(false));
          }
        }
        if (!wc.get("features").isNull()) {
          assertThat(where + " features", c.features().isPresent(), is(true));
          assertThat(
              where + " features",
              c.features().get().names(),
              equalTo(strings(wc.get("features"))));
        }
      }
      checked.add(name);
    }
    for (String name : refused().keySet()) {
      JsonNode want = python.get(name);
      assertThat(name + ": python accepted it: " + want, want.has("error"), is(true));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> DataFilesResolver.resolveDirectory(root.resolve(name)),
              name);
      assertThat(name + ": " + e.getMessage(), e.getMessage().contains("\n"), is(false));
      checked.add(name);
    }
    System.out.println(
        "DataFilesResolverPythonTest: "
            + checked.size()
            + " layouts, "
            + files
            + " data files equal to datasets "
            + r.output().lines().filter(s -> s.startsWith("datasets ")).findFirst().orElse(""));
  }

  private static List<String> strings(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.asText()));
    return out;
  }

  static void write(Path dir, Map<String, String> files) throws IOException {
    for (Map.Entry<String, String> f : files.entrySet()) {
      Path p = dir.resolve(f.getKey());
      Files.createDirectories(p.getParent());
      byte[] bytes = f.getValue().getBytes(StandardCharsets.UTF_8);
      if (f.getKey().endsWith(".gz")) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
          gz.write(bytes);
        }
        bytes = buf.toByteArray();
      }
      Files.write(p, bytes);
    }
  }
}
