package io.hfbeam.bench;

import io.hfbeam.cluster.Clustering;
import io.hfbeam.cluster.KMeans;
import io.hfbeam.cluster.Layout;
import io.hfbeam.cluster.MiniBatchKMeans;
import io.hfbeam.llm.LocalEmbeddings;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Embedding and clustering figures for BENCHMARKS.md ("Conversations: embeddings and clustering"),
 * one measurement a JVM so bench/cluster.sh can read its peak RSS:
 *
 * <pre>
 *   embed N THREADS               N synthetic 25-word texts through LocalEmbeddings
 *   kmeans N K full|full1|minibatch   N x 384 unit vectors around K topics
 *   layout N umap|pca             N x 384 vectors -> 2-D
 * </pre>
 */
public final class ClusterBench {
  private static final String[] WORDS =
      ("coffee order latte milk sugar size large small python code function bug error list sort "
              + "travel hotel flight paris booking refund price essay poem story blog email draft "
              + "math equation probability triangle integral physics energy photosynthesis cell "
              + "history war empire economy market stock inflation contract law court health sleep")
          .split(" ");

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "embed" -> embed(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
      case "kmeans" -> kmeans(Integer.parseInt(args[1]), Integer.parseInt(args[2]), args[3]);
      case "layout" -> layout(Integer.parseInt(args[1]), args[2]);
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  static void embed(int n, int threads) throws Exception {
    Random r = new Random(1);
    List<String> texts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      StringBuilder b = new StringBuilder("The user asks about");
      for (int w = 0; w < 25; w++) b.append(' ').append(WORDS[r.nextInt(WORDS.length)]);
      texts.add(b.append('.').toString());
    }
    try (LocalEmbeddings e = new LocalEmbeddings(threads)) {
      long t0 = System.nanoTime();
      e.embed(List.of("warm up: load the model"));
      double load = (System.nanoTime() - t0) / 1e9;
      long t1 = System.nanoTime();
      long tokens = e.embed(texts).promptTokens();
      double secs = (System.nanoTime() - t1) / 1e9;
      System.out.printf(
          "RESULT embed n=%d threads=%d load=%.2fs embed=%.2fs texts/s=%.0f tokens/text=%.0f%n",
          n, threads, load, secs, n / secs, (double) tokens / n);
    }
  }

  /** N unit vectors around `topics` random unit directions (noise 0.6 of the radius). */
  static float[][] vectors(int n, int topics, long seed) {
    Random r = new Random(seed);
    float[][] centres = new float[topics][384];
    for (float[] c : centres) {
      for (int j = 0; j < 384; j++) c[j] = (float) r.nextGaussian();
      normalise(c);
    }
    float[][] x = new float[n][384];
    for (int i = 0; i < n; i++) {
      float[] c = centres[r.nextInt(topics)];
      for (int j = 0; j < 384; j++)
        x[i][j] = c[j] + (float) (0.6 / Math.sqrt(384) * 1.5 * r.nextGaussian());
      normalise(x[i]);
    }
    return x;
  }

  static void normalise(float[] v) {
    double s = 0;
    for (float f : v) s += f * f;
    float norm = (float) Math.sqrt(s);
    for (int j = 0; j < v.length; j++) v[j] /= norm;
  }

  static void kmeans(int n, int k, String method) {
    float[][] x = vectors(n, k, 3);
    long t0 = System.nanoTime();
    Clustering c =
        switch (method) {
          case "full" -> new KMeans(k, 0).fit(x);
          case "full1" -> new KMeans(k, 0, 1, 300).fit(x);
          case "minibatch" -> new MiniBatchKMeans(k, 0).fit(x);
          default -> throw new IllegalArgumentException(method);
        };
    double secs = (System.nanoTime() - t0) / 1e9;
    double inertia = 0;
    for (int i = 0; i < n; i++) {
      float[] a = x[i];
      float[] b = c.centroids()[c.labels()[i]];
      for (int j = 0; j < a.length; j++) inertia += (a[j] - b[j]) * (a[j] - b[j]);
    }
    System.out.printf(
        "RESULT kmeans n=%d k=%d method=%s secs=%.2f clusters=%d inertia/n=%.4f%n",
        n, k, method, secs, c.k(), inertia / n);
  }

  static void layout(int n, String method) {
    float[][] x = vectors(n, Math.max(2, n / 10), 5);
    long t0 = System.nanoTime();
    Layout.Points p = Layout.of(x, 0, method.equals("umap") ? Integer.MAX_VALUE : 0);
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("RESULT layout n=%d method=%s secs=%.2f%n", n, p.method(), secs);
  }
}
