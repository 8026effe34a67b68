package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.llm.LocalEmbeddings;
import io.hfbeam.testing.PythonEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality measure: the 80 MT-Bench questions (8 labelled categories), their user turns
 * embedded by the offline model, k = 8. Purity (share of conversations whose cluster's majority
 * category is their own) of our k-means must be within 0.05 of scikit-learn's {@code KMeans(8,
 * n_init=10, random_state=0)} on the same vectors.
 */
class MtBenchPurityTest {
  static final Path DATA = Path.of("src/test/resources/conversations/mt_bench_questions.jsonl");

  /** Chat ids, categories and texts (the user turns joined by newlines), in file order. */
  record Questions(List<String> ids, List<String> categories, List<String> texts) {}

  static Questions read() throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<String> ids = new ArrayList<>();
    List<String> categories = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    for (String line : Files.readAllLines(DATA, StandardCharsets.UTF_8)) {
      if (line.isBlank()) continue;
      JsonNode row = json.readTree(line);
      ids.add(row.get("chat_id").asText());
      categories.add(row.path("metadata").path("category").asText());
      List<String> user = new ArrayList<>();
      for (JsonNode m : row.get("messages")) {
        if ("user".equals(m.path("role").asText())) user.add(m.path("content").asText());
      }
      texts.add(String.join("\n", user));
    }
    return new Questions(ids, categories, texts);
  }

  static double purity(int[] labels, List<String> categories) {
    Map<String, Integer> index = new java.util.TreeMap<>();
    int[] truth = new int[categories.size()];
    for (int i = 0; i < truth.length; i++) {
      truth[i] = index.computeIfAbsent(categories.get(i), c -> index.size());
    }
    return Blobs.purity(labels, truth);
  }

  @Test
  void purityIsWithinFiveHundredthsOfScikitLearn(@TempDir Path dir) throws Exception {
    Questions q = read();
    assertEquals(80, q.texts().size());
    assertEquals(8, q.categories().stream().distinct().count());
    float[][] vectors;
    try (LocalEmbeddings embedder = new LocalEmbeddings(2)) {
      vectors = embedder.embed(q.texts()).vectors();
    }
    Clustering ours = new KMeans(8, 0).fit(vectors);
    assertArrayEquals(ours.labels(), new KMeans(8, 0).fit(vectors).labels(), "deterministic");
    double purity = purity(ours.labels(), q.categories());
    // the same vectors, exactly: written as text with the float's shortest round-trip form
    Path file = dir.resolve("vectors.tsv");
    Files.write(
        file,
        java.util.Arrays.stream(vectors)
            .map(
                v -> {
                  StringBuilder b = new StringBuilder();
                  for (int j = 0; j < v.length; j++) b.append(j == 0 ? "" : "\t").append(v[j]);
                  return b.toString();
                })
            .collect(Collectors.toList()));
    Files.write(dir.resolve("categories.txt"), q.categories());
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    PythonEnv.Result r =
        PythonEnv.runScript(
            String.join(
                "\n",
                "import numpy as np",
                "from collections import Counter",
                "from sklearn.cluster import KMeans",
                "x = np.loadtxt('vectors.tsv', dtype=np.float32)",
                "cats = open('categories.txt').read().split()",
                "labels = KMeans(n_clusters=8, n_init=10, random_state=0).fit_predict(x)",
                "right = sum(Counter(c for c, l in zip(cats, labels) if l == k).most_common(1)[0][1]",
                "            for k in set(labels))",
                "print('PURITY', right / len(cats))"),
            Map.of(),
            dir,
            300);
    assertEquals(0, r.exitCode(), r.output());
    String line = r.output().lines().filter(s -> s.startsWith("PURITY ")).findFirst().orElseThrow();
    double sklearn = Double.parseDouble(line.substring("PURITY ".length()));
    System.out.printf("MT-Bench purity, k=8: hf-beam %.4f, scikit-learn %.4f%n", purity, sklearn);
    assertTrue(purity >= sklearn - 0.05, "hf-beam " + purity + " vs scikit-learn " + sklearn);
    assertTrue(purity > 0.5, "clusters follow the categories at all: " + purity);
  }
}
