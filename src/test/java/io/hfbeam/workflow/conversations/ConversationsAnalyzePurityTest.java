package io.hfbeam.workflow.conversations;

import static io.hfbeam.workflow.conversations.AnalyzeRuns.analyzeOk;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.testing.PythonEnv;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "Quality, measured", on the workflow's own output: offline defaults, --clusters 8 on
 * the 80 MT-Bench questions (8 categories). Purity (share of conversations whose cluster's majority
 * category is their own) of the clusters checkpoint, against scikit-learn's {@code KMeans(8,
 * n_init=10)} on the vectors of the embeddings checkpoint, averaged over five random states.
 */
class ConversationsAnalyzePurityTest {
  @TempDir Path tmp;

  @Test
  void mtBenchPurityIsWithinFiveHundredthsOfScikitLearn() throws Exception {
    Path root = tmp.resolve("out");
    analyzeOk(root, "--input", AnalyzeRuns.MT_BENCH.toString(), "--clusters", "8");
    Assumptions.assumeTrue(
        PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    PythonEnv.Result r =
        PythonEnv.runScript(
            """
            import os, sys
            from collections import Counter
            import numpy as np
            from datasets import load_dataset, disable_progress_bars
            from sklearn.cluster import KMeans
            disable_progress_bars()
            root = os.environ["ROOT"]
            cache = os.path.join(os.environ["TMP_DIR"], "cache")
            conv = load_dataset(root, "conversations", split="train", cache_dir=cache)
            category = {r["chat_id"]: r["metadata"]["category"] for r in conv}
            emb = load_dataset(root, "embeddings", split="train", cache_dir=cache)
            ids = list(emb["chat_id"])
            x = np.asarray(emb["embedding"], dtype=np.float32)
            cats = [category[i] for i in ids]
            def purity(labels):
                return sum(Counter(c for c, l in zip(cats, labels) if l == k).most_common(1)[0][1]
                           for k in set(labels)) / len(cats)
            clusters = load_dataset(root, "clusters", split="train", cache_dir=cache)
            label = {}
            for k, row in enumerate(clusters):
                for cid in row["chat_ids"]:
                    label[cid] = k
            print("CLUSTERS", len(clusters), "LABELLED", len(label), "POINTS", len(ids), x.shape[1])
            ours = purity([label[i] for i in ids])
            runs = [purity(KMeans(n_clusters=8, n_init=10, random_state=s).fit_predict(x)) for s in range(5)]
            print("RUNS", " ".join("%.4f" % p for p in runs))
            print("OURS %.6f" % ours)
            print("SKLEARN %.6f" % (sum(runs) / len(runs)))
            """,
            Map.of("ROOT", root.toString(), "TMP_DIR", tmp.toString(), "HF_DATASETS_OFFLINE", "1"),
            tmp,
            600);
    assertEquals(0, r.exitCode(), r.output());
    assertTrue(r.output().contains("CLUSTERS 8 LABELLED 80 POINTS 80 384"), r.output());
    double ours = value(r.output(), "OURS ");
    double sklearn = value(r.output(), "SKLEARN ");
    System.out.printf(
        "MT-Bench purity, k=8, conversations analyze: %.4f; scikit-learn KMeans(8, n_init=10),"
            + " mean of random_state 0..4: %.4f (%s)%n",
        ours, sklearn, line(r.output(), "RUNS "));
    assertTrue(ours >= sklearn - 0.05, "hf-beam " + ours + " vs scikit-learn " + sklearn);
    assertTrue(ours > 0.4, "the clusters follow the categories at all: " + ours);
  }

  static String line(String out, String prefix) {
    return out.lines().filter(s -> s.startsWith(prefix)).findFirst().orElseThrow();
  }

  static double value(String out, String prefix) {
    return Double.parseDouble(line(out, prefix).substring(prefix.length()));
  }
}
