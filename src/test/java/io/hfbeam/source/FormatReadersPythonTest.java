package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hf.Features;
import io.hfbeam.testing.DirFiles;
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
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JSON, CSV and text readers against Python {@code datasets} itself: for each small file below,
 * {@code load_dataset(builder, data_files=..., split="train", **kwargs)} gives the features and the
 * rows, and the Java reader (features inferred, files planned into small byte ranges, every unit
 * read) must give the same features and the same rows, value for value, with no failure.
 *
 * <p>Where hf-beam maps a {@code datasets} type it does not model (see {@link JsonInference}), the
 * Python side is normalised the same documented way: {@code Json} and {@code Value("null")} are
 * {@code Value("string")}; a {@code Json} value is compared as its JSON text (a string stays as it
 * is).
 */
class FormatReadersPythonTest {
  /** Python's json writes inf as Infinity: read it, and write ours the same way. */
  private static final ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
          .disable(com.fasterxml.jackson.core.json.JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .build();

  private static final String SCRIPT =
      """
      import datetime, json, sys
      import datasets
      from datasets import load_dataset
      cases = json.load(open(sys.argv[1]))
      def norm_feature(f):
          if isinstance(f, dict):
              if f.get("_type") == "Json" or (f.get("_type") == "Value" and f.get("dtype") == "null"):
                  return {"dtype": "string", "_type": "Value"}
              return {k: norm_feature(v) for k, v in f.items()}
          if isinstance(f, list):
              return [norm_feature(x) for x in f]
          return f
      def norm_value(v, f):
          if v is None:
              return None
          if isinstance(v, datetime.datetime):
              if v.tzinfo is not None:
                  v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
              return v.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (v.microsecond // 1000)
          if isinstance(f, datasets.Json):
              return v if isinstance(v, str) else json.dumps(v, separators=(",", ":"))
          if isinstance(f, dict):
              return {k: norm_value(v.get(k), sub) for k, sub in f.items()}
          if isinstance(f, (datasets.List, datasets.LargeList)) or type(f).__name__ == "Sequence":
              return [norm_value(x, f.feature) for x in v]
          return v
      out = {}
      for name, case in cases.items():
          try:
              kw = dict(case["kwargs"])
              if "features" in case:
                  kw["features"] = datasets.Features.from_dict(case["features"])
              ds = load_dataset(case["builder"], data_files=case["files"], split="train", **kw)
              rows = [{k: norm_value(r[k], ds.features[k]) for k in ds.features} for r in ds.to_list()]
              out[name] = {"features": norm_feature(ds.features.to_dict()), "rows": rows}
          except Exception as e:
              cause = e.__cause__ or e
              out[name] = {"error": type(cause).__name__ + ": " + str(cause)[:300]}
      print("RESULT " + json.dumps(out))
      """;

  /**
   * @param features the card's features in datasets' JSON form, or null to infer them
   */
  private record Case(
      String builder, List<String> files, Map<String, Object> kwargs, String features) {
    Case(String builder, List<String> files, Map<String, Object> kwargs) {
      this(builder, files, kwargs, null);
    }
  }

  @Test
  void readsWhatDatasetsReads(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(PythonEnv.available(), PythonEnv.skipReason());
    Map<String, Case> cases = new LinkedHashMap<>();
    write(
        dir,
        "mixed.jsonl",
        "{\"id\": 1, \"score\": 1, \"ok\": true, \"name\": \"a\u00e9\", \"tags\": [\"x\", \"y\"],"
            + " \"pos\": {\"x\": 1, \"y\": 2.5}, \"none\": null, \"empty\": []}\r\n"
            + "\n"
            + "{\"id\": 2, \"score\": 2.5, \"ok\": false, \"name\": null, \"tags\": [],"
            + " \"pos\": {\"x\": 3, \"y\": null}, \"none\": null, \"empty\": []}\n"
            + "{\"id\": 3, \"ok\": null, \"name\": \"c\", \"tags\": null, \"pos\": null}\n"
            + "{\"id\": 4, \"score\": -7, \"nested\": [[1, 2], [3]], \"name\": \"\\\"q\\\"\"}");
    cases.put("jsonl", new Case("json", List.of("mixed.jsonl"), Map.of()));
    write(
        dir,
        "conflict.jsonl",
        "{\"a\": 1, \"d\": {\"x\": 1}}\n{\"a\": \"x\", \"d\": {\"y\": \"s\"}}\n{\"a\": [1], \"d\": null}\n");
    cases.put("json-type-conflicts", new Case("json", List.of("conflict.jsonl"), Map.of()));
    write(
        dir,
        "array.json",
        "[\n  {\"a\": 1, \"b\": \"x\"},\n  {\"a\": 2.5, \"b\": null, \"c\": [true]}\n]\n");
    cases.put("json-array", new Case("json", List.of("array.json"), Map.of()));
    write(dir, "strings.json", "[\"first\", \"second\", \"third\"]");
    cases.put("json-array-of-strings", new Case("json", List.of("strings.json"), Map.of()));
    write(
        dir,
        "field.json",
        "{\"version\": 1, \"data\": [{\"q\": \"a\", \"n\": 1, \"s\": {\"k\": 1}}, {\"q\": \"b\", \"n\": 2, \"s\": {\"k\": 3}}]}");
    cases.put("json-field", new Case("json", List.of("field.json"), Map.of("field", "data")));
    write(dir, "columns.json", "{\"data\": {\"a\": [1, 2, 3], \"b\": [\"x\", \"y\", \"z\"]}}");
    cases.put(
        "json-field-dict-of-lists",
        new Case("json", List.of("columns.json"), Map.of("field", "data")));
    gzip(dir, "lines.jsonl.gz", "{\"a\": 1, \"b\": \"x\"}\n{\"a\": 2, \"b\": \"y\"}\n");
    cases.put("jsonl-gz", new Case("json", List.of("lines.jsonl.gz"), Map.of()));
    write(
        dir,
        "table.csv",
        "\uFEFFint,float,intmiss,bool,text,empty,quoted\r\n"
            + "1,1.5,1,True,plain,,\"a,b\"\r\n"
            + "2,2,,False,NA,,\"line\nbreak\"\r\n"
            + "\r\n"
            + "-3,1e3,3,true,\"say \"\"hi\"\"\",,x\r\n"
            + "007,.5,4,FALSE,n/a,,\"\"\r\n");
    cases.put("csv", new Case("csv", List.of("table.csv"), Map.of()));
    write(dir, "short.csv", "a,b,c\n1,x,2\n2,y\n3\n");
    cases.put("csv-short-rows", new Case("csv", List.of("short.csv"), Map.of()));
    write(dir, "table.tsv", "a\tb\n1\tx y\n2\t\"z\"\n");
    cases.put("tsv", new Case("csv", List.of("table.tsv"), Map.of("sep", "\t")));
    write(dir, "noheader.csv", "# comment line\n1;a\n2;b\n");
    cases.put(
        "csv-kwargs",
        new Case(
            "csv",
            List.of("noheader.csv"),
            Map.of("sep", ";", "skiprows", 1, "column_names", List.of("n", "s"))));
    write(dir, "usecols.csv", "a,b,c\n1,2,3\n4,5,6\n");
    cases.put(
        "csv-usecols",
        new Case("csv", List.of("usecols.csv"), Map.of("usecols", List.of("c", "a"))));
    write(dir, "lines.txt", "first line\r\nsecond\rthird\n\n  indented \nlast");
    cases.put("text", new Case("text", List.of("lines.txt"), Map.of()));
    cases.put(
        "text-keep-linebreaks",
        new Case("text", List.of("lines.txt"), Map.of("keep_linebreaks", true)));
    write(dir, "paras.txt", "p1 l1\np1 l2\n\np2\n\n\n\np3\n");
    cases.put(
        "text-paragraph", new Case("text", List.of("paras.txt"), Map.of("sample_by", "paragraph")));
    cases.put(
        "text-document", new Case("text", List.of("paras.txt"), Map.of("sample_by", "document")));

    write(
        dir,
        "edge.csv",
        "b,mix,none,sp,big,inf,q\n"
            + "True,1,,1,9223372036854775807,inf,\"5\"\n"
            + ",x,,2,1,-Infinity,\"6\"\n"
            + "  \n"
            + "false,2.5,, 3 ,2,1.5,7\n");
    cases.put("csv-edge-types", new Case("csv", List.of("edge.csv"), Map.of()));
    write(
        dir,
        "labels.jsonl",
        "{\"text\": \"good\", \"label\": \"pos\", \"score\": 1, \"ids\": [1, 2]}\n"
            + "{\"text\": \"bad\", \"label\": \"neg\", \"score\": 2.5, \"ids\": []}\n"
            + "{\"text\": \"meh\", \"label\": null, \"score\": 3, \"ids\": null}\n");
    String labelFeatures =
        "{\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
            + " \"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"},"
            + " \"score\": {\"dtype\": \"float64\", \"_type\": \"Value\"},"
            + " \"ids\": {\"feature\": {\"dtype\": \"int32\", \"_type\": \"Value\"}, \"_type\": \"List\"}}";
    write(
        dir,
        "times.jsonl",
        "{\"a\": \"2024-01-02 03:04:05\", \"b\": \"2024-01-02T03\", \"c\": \"2024-01-02T03:04+01:00\","
            + " \"m\": \"2024-01-02\", \"n\": \"2024-01-02T03:04:05.5\"}\n"
            + "{\"a\": \"1969-12-31\", \"b\": null, \"c\": \"2024-01-02T03:04:05-0130\","
            + " \"m\": \"hello\", \"n\": null}\n");
    cases.put("jsonl-timestamps", new Case("json", List.of("times.jsonl"), Map.of()));
    cases.put(
        "jsonl-card-features", new Case("json", List.of("labels.jsonl"), Map.of(), labelFeatures));
    write(dir, "labels.csv", "text,label,score\ngood,pos,1\nbad,0,2.5\nmeh,,3\n");
    cases.put(
        "csv-card-features",
        new Case(
            "csv",
            List.of("labels.csv"),
            Map.of(),
            "{\"text\": {\"dtype\": \"string\", \"_type\": \"Value\"},"
                + " \"label\": {\"names\": [\"neg\", \"pos\"], \"_type\": \"ClassLabel\"},"
                + " \"score\": {\"dtype\": \"float32\", \"_type\": \"Value\"}}"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      many.append("{\"i\": ").append(i).append(", \"f\": ").append(i % 2 == 0 ? i : i + 0.25);
      many.append(", \"s\": \"").append("\u00e9".repeat(i % 5)).append("\"}");
      many.append(i % 4 == 0 ? "\r\n" : "\n");
    }
    write(dir, "many.jsonl", many.toString());
    cases.put("jsonl-many-ranges", new Case("json", List.of("many.jsonl", "many.jsonl"), Map.of()));

    ObjectNode input = JSON.createObjectNode();
    cases.forEach(
        (name, c) -> {
          ObjectNode n = input.putObject(name);
          n.put("builder", c.builder());
          var files = n.putArray("files");
          c.files().forEach(f -> files.add(dir.resolve(f).toString()));
          n.set("kwargs", JSON.valueToTree(c.kwargs()));
          if (c.features() != null) {
            try {
              n.set("features", JSON.readTree(c.features()));
            } catch (IOException e) {
              throw new IllegalStateException(e);
            }
          }
        });
    Path casesFile = Files.createTempFile("cases", ".json");
    Files.writeString(casesFile, input.toString());
    Path cache = Files.createTempDirectory("hfcache");
    PythonEnv.Result r =
        PythonEnv.runScript(
            SCRIPT.replace("sys.argv[1]", "\"" + casesFile + "\""),
            Map.of("HF_DATASETS_CACHE", cache.toString(), "HF_HUB_OFFLINE", "1"),
            dir,
            600);
    assertThat(r.output(), r.exitCode(), is(0));
    String line = r.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
    JsonNode expected = JSON.readTree(line.substring("RESULT ".length()));

    DirFiles files = new DirFiles(dir);
    int rows = 0;
    List<String> mismatches = new ArrayList<>();
    for (Map.Entry<String, Case> e : cases.entrySet()) {
      String name = e.getKey();
      Case c = e.getValue();
      JsonNode want = expected.get(name);
      if (want.has("error")) {
        mismatches.add(name + ": datasets failed: " + want.get("error").asText());
        continue;
      }
      Map<String, JsonNode> kwargs = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = JSON.valueToTree(c.kwargs()).fields();
          it.hasNext(); ) {
        var kv = it.next();
        kwargs.put(kv.getKey(), kv.getValue());
      }
      FormatReader reader = FormatReaders.forBuilder(c.builder());
      List<DataFile> dataFiles = new ArrayList<>();
      for (String f : c.files()) dataFiles.add(files.file(f));
      Features features =
          c.features() != null
              ? Features.fromJson(c.features())
              : reader.features(files, dataFiles, kwargs);
      Features wantFeatures = Features.parse(want.get("features"));
      if (!features.equals(wantFeatures)) {
        mismatches.add(name + ": features " + features.toJson() + " != " + wantFeatures.toJson());
        continue;
      }
      List<JsonNode> got = new ArrayList<>();
      List<String> failures = new ArrayList<>();
      long order = 0;
      for (DataFile f : dataFiles) {
        for (ReadUnit u : reader.plan(files, f, order, 16, kwargs)) {
          order = u.order() + 1;
          reader.read(
              files,
              u,
              features,
              kwargs,
              List.of(),
              new RowSink() {
                @Override
                public void row(Row row) {
                  got.add(JSON.valueToTree(RowJson.of(row)));
                }

                @Override
                public void failure(String where, String reason, String excerpt) {
                  failures.add(where + ": " + reason);
                }
              });
        }
      }
      if (!failures.isEmpty()) mismatches.add(name + ": failures " + failures);
      JsonNode gotRows = JSON.readTree(JSON.writeValueAsString(got));
      if (!gotRows.equals(want.get("rows"))) {
        mismatches.add(name + ": rows\n  java:   " + gotRows + "\n  python: " + want.get("rows"));
      }
      rows += want.get("rows").size();
    }
    System.out.println(
        "FormatReadersPythonTest: " + cases.size() + " cases, " + rows + " rows compared");
    assertThat(String.join("\n", mismatches), mismatches, equalTo(List.of()));
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
  }

  private static void gzip(Path dir, String name, String text) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(b)) {
      z.write(text.getBytes(StandardCharsets.UTF_8));
    }
    Files.write(dir.resolve(name), b.toByteArray());
  }
}
