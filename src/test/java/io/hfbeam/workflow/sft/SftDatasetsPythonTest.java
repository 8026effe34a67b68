package io.hfbeam.workflow.sft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ScriptedOpenAiServer;
import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real reader: Python's {@code datasets} loads what sft-generate writes, the dataset (its
 * card's splits, Parquet) and the three JSON Lines files, with the declared features and the same
 * rows.
 */
class SftDatasetsPythonTest {
  private static final String SCRIPT =
      """
      import json, os, sys
      import datasets
      out = sys.argv[1] if len(sys.argv) > 1 else "out"
      ds = datasets.load_dataset(out, cache_dir="hfcache")
      res = {"splits": {k: v.num_rows for k, v in ds.items()},
             "features": {k: {f: repr(t) for f, t in v.features.items()} for k, v in ds.items()},
             "types": sorted({type(v).__name__ + ":" + k for r in ds["incorrect"] for k, v in r.items()
                              if k != "messages"}),
             "message_types": sorted({type(m[k]).__name__ + ":" + k for r in ds["combined"]
                                      for m in r["messages"] for k in m}),
             "roles": sorted({",".join(m["role"] for m in r["messages"]) for r in ds["combined"]}),
             "jsonl": {}}
      for split, name in [("correct", "sft_correct.jsonl"), ("incorrect", "sft_incorrect.jsonl"),
                          ("combined", "sft_combined_safe.jsonl")]:
          j = datasets.load_dataset("json", data_files=os.path.join(out, name), split="train",
                                    cache_dir="hfcache")
          res["jsonl"][name] = {"rows": j.num_rows,
                                "features": {f: repr(t) for f, t in j.features.items()},
                                "same_rows": j.to_list() == ds[split].to_list()}
      print(json.dumps(res))
      """;

  @TempDir Path dir;

  @Test
  void datasetsLoadsTheSplitsAndTheJsonLinesFiles() throws Exception {
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    Path out = dir.resolve("out");
    int pairs = 4;
    try (ScriptedOpenAiServer server =
        new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec())) {
      Cli c = SftRuns.run(server, out, "--num-pairs", "" + pairs, "--add-reasoning");
      assertEquals(0, c.exitCode, c.toString());
    }
    PythonEnv.Result r =
        PythonEnv.runScript(
            SCRIPT.replace("\"out\"", "\"" + out.toString().replace("\\", "\\\\") + "\""),
            Map.of("HF_DATASETS_OFFLINE", "1", "HF_HOME", dir.resolve("hf").toString()),
            dir,
            300);
    assertEquals(0, r.exitCode(), r.output());
    String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
    JsonNode res = SftRuns.JSON.readTree(last);

    JsonNode splits = res.path("splits");
    assertEquals(3, splits.size(), res.toString());
    assertEquals(2 * pairs, splits.path("combined").asInt(), res.toString());
    assertEquals(pairs, splits.path("correct").asInt(), res.toString());
    assertEquals(pairs, splits.path("incorrect").asInt(), res.toString());

    String messages = "List({'role': Value('string'), 'content': Value('string')})";
    for (String split : new String[] {"combined", "correct", "incorrect"}) {
      JsonNode f = res.path("features").path(split);
      assertEquals(messages, f.path("messages").asText(), res.toString());
      for (String k : new String[] {"label", "source_id", "error_type", "reasoning"})
        assertEquals("Value('string')", f.path(k).asText(), split + " " + k + ": " + res);
      assertEquals(5, f.size(), res.toString());
    }
    assertEquals(
        "[\"str:error_type\",\"str:label\",\"str:reasoning\",\"str:source_id\"]",
        res.path("types").toString());
    assertEquals("[\"str:content\",\"str:role\"]", res.path("message_types").toString());
    assertEquals("[\"system,user,assistant\"]", res.path("roles").toString());

    JsonNode jsonl = res.path("jsonl");
    for (String name :
        new String[] {"sft_correct.jsonl", "sft_incorrect.jsonl", "sft_combined_safe.jsonl"}) {
      JsonNode j = jsonl.path(name);
      assertEquals(
          name.equals("sft_combined_safe.jsonl") ? 2 * pairs : pairs,
          j.path("rows").asInt(),
          name + ": " + res);
      assertEquals(messages, j.path("features").path("messages").asText(), name + ": " + res);
      assertEquals("Value('string')", j.path("features").path("label").asText(), name);
      assertTrue(j.path("same_rows").asBoolean(), name + " differs from its split: " + res);
    }
  }
}
