package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hf.Features;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Image, Audio and Translation against datasets 5 itself: the JSON and YAML forms it writes, the
 * Parquet it writes (read here), and the Parquet written here (loaded and decoded there).
 */
class EncodedFeaturesPythonTest {
  @TempDir Path dir;

  private static final String FEATURES_PY =
      """
      Features({"img": Image(), "img2": Image(mode="RGB", decode=False), "snd": Audio(),
                "snd2": Audio(sampling_rate=16000, num_channels=1, decode=False),
                "tr": Translation(languages=["fr", "en"]),
                "trv": TranslationVariableLanguages(languages=["fr", "en"]),
                "imgs": List(Image()), "js": Json()})
      """;

  private static final String SCRIPT =
      """
      import io, json, sys
      import PIL.Image
      import datasets
      from datasets import Features, Image, Audio, Translation, TranslationVariableLanguages, List, Json
      f = FEATURES
      png = io.BytesIO()
      PIL.Image.new("RGB", (3, 2), (10, 20, 30)).save(png, format="PNG")
      png = png.getvalue()
      import os
      os.makedirs("a", exist_ok=True)
      open("a/b.png", "wb").write(png)  # datasets sizes path-only images from the file
      # the Parquet datasets writes (no audio column: decoding audio needs torchcodec)
      # (encoding an Audio value needs torch: its storage struct is cast instead)
      data = Features({k: v for k, v in f.items() if k != "snd"})
      data["snd2"] = {"bytes": datasets.Value("binary"), "path": datasets.Value("string")}
      ds = datasets.Dataset.from_dict(
          {"img": [{"bytes": png, "path": None}], "img2": ["a/b.png"],
           "snd2": [{"bytes": b"RIFF", "path": "x.wav"}], "tr": [{"en": "hi", "fr": "salut"}],
           "trv": [{"fr": ["b", "a"], "en": "hello"}], "imgs": [[{"bytes": png, "path": "p.png"}]],
           "js": [{"a": [1, "x"]}]},
          features=data)
      ds = ds.cast_column("snd2", f["snd2"])
      # batch_size: datasets 5.0.1 cannot estimate the size of a Translation column (a bug of its own)
      ds.to_parquet("from_python.parquet", batch_size=100)
      result = {"json": json.dumps(f.to_dict()), "yaml": f._to_yaml_list()}
      if len(sys.argv) > 1 or __import__("os").path.exists("from_java.parquet"):
          back = datasets.Dataset.from_parquet("from_java.parquet", cache_dir="hfcache")
          row = back[0]
          result["java_features"] = repr(back.features)
          result["java_img"] = [row["img"].mode, list(row["img"].size), list(row["img"].getpixel((2, 1)))]
          result["java_rest"] = {k: row[k] for k in ("img2", "tr", "trv", "js")}
      print(json.dumps(result))
      """
          .replace("FEATURES", FEATURES_PY.strip().replace("\n", " "));

  private JsonNode run() throws Exception {
    PythonEnv.Result r = PythonEnv.runScript(SCRIPT, Map.of("HF_DATASETS_OFFLINE", "1"), dir, 300);
    assertThat(r.output(), r.exitCode(), is(0));
    String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
    return new ObjectMapper().readTree(last);
  }

  @Test
  void formsAndParquetMatchDatasets() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    JsonNode out = run();

    // the JSON datasets writes is ours, character for character, and reads back the same
    // (but for the list: hf-beam writes "Sequence", which datasets 2..5 all read, for "List")
    Features f = Features.fromJson(out.get("json").asText());
    assertThat(
        f.toJson(),
        equalTo(
            out.get("json")
                .asText()
                .replace(
                    "\"imgs\": {\"feature\": {\"_type\": \"Image\"}, \"_type\": \"List\"}",
                    "\"imgs\": {\"feature\": {\"_type\": \"Image\"}, \"_type\": \"Sequence\"}")));
    assertThat(f.toYamlList(), equalTo(out.get("yaml")));
    assertThat(Features.parse(out.get("yaml")), equalTo(f));

    // the Parquet datasets wrote: features from its metadata, values as the storage structs
    try (HfParquetReader r = HfParquetReader.open(dir.resolve("from_python.parquet"))) {
      LinkedHashMapCheck.assertNames(
          r.features(), List.of("img", "img2", "snd2", "tr", "trv", "imgs", "js"));
      assertThat(r.features().get("js"), equalTo(f.get("js")));
      assertThat(r.features().get("img"), equalTo(f.get("img")));
      assertThat(r.features().get("trv"), equalTo(f.get("trv")));
      Row row = r.next();
      byte[] png = row.getRow("img").getBytes("bytes");
      assertThat(png.length > 8 && png[1] == 'P', is(true));
      assertThat(row.getRow("img2").getValues(), equalTo(java.util.Arrays.asList(null, "a/b.png")));
      assertThat(row.getRow("tr").getValues(), equalTo(List.of("hi", "salut")));
      assertThat(
          row.getRow("trv").getValues(),
          equalTo(List.of(List.of("en", "fr", "fr"), List.of("hello", "a", "b"))));
      assertThat(row.getArray("imgs").size(), is(1));
      assertThat(row.getString("js"), equalTo("{\"a\":[1,\"x\"]}"));

      // written back by hf-beam: datasets loads the same features and decodes the image
      Features written = r.features();
      Schema s = written.beamSchema();
      try (HfParquetWriter w =
          HfParquetWriter.create(
              dir.resolve("from_java.parquet"), written, ParquetSettings.defaults())) {
        w.write(Row.withSchema(s).addValues(row.getValues()).build());
      }
    }
    Files.delete(dir.resolve("from_python.parquet"));
    JsonNode back = run();
    assertThat(
        back.get("java_features").asText(),
        equalTo(
            "{'img': Image(mode=None, decode=True), 'img2': Image(mode='RGB', decode=False),"
                + " 'snd2': Audio(sampling_rate=16000, decode=False, num_channels=1,"
                + " stream_index=None), 'tr': Translation(languages=['fr', 'en']), 'trv':"
                + " TranslationVariableLanguages(languages=['en', 'fr'], num_languages=2),"
                + " 'imgs': List(Image(mode=None, decode=True)), 'js': Json(decode=True)}"));
    assertThat(back.get("java_img").toString(), equalTo("[\"RGB\",[3,2],[10,20,30]]"));
    assertThat(
        back.get("java_rest").toString(),
        equalTo(
            "{\"img2\":{\"bytes\":null,\"path\":\"a/b.png\"},\"tr\":{\"en\":\"hi\",\"fr\":\"salut\"},"
                + "\"trv\":{\"language\":[\"en\",\"fr\",\"fr\"],\"translation\":[\"hello\",\"a\",\"b\"]},"
                + "\"js\":{\"a\":[1,\"x\"]}}"));
  }

  /** Field order is part of the features' identity. */
  private static final class LinkedHashMapCheck {
    static void assertNames(Features f, List<String> names) {
      assertThat(f.names(), equalTo(names));
    }
  }
}
