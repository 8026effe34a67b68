package io.hfbeam.cluster;

import java.util.ArrayList;
import java.util.List;

/**
 * The result of a flat clustering: a cluster per point and each cluster's centroid. Clusters are
 * numbered in the order of their first member (cluster 0 holds point 0), so the numbering does not
 * depend on the algorithm's internal order; no cluster is empty.
 *
 * @param labels the cluster of each input point
 * @param centroids the mean of each cluster's points
 */
public record Clustering(int[] labels, float[][] centroids) {
  public int k() {
    return centroids.length;
  }

  /** The indices of each cluster's points, ascending. */
  public List<List<Integer>> members() {
    List<List<Integer>> m = new ArrayList<>();
    for (int c = 0; c < k(); c++) m.add(new ArrayList<>());
    for (int i = 0; i < labels.length; i++) m.get(labels[i]).add(i);
    return m;
  }

  /**
   * Kura's rule: about {@code perCluster} points a cluster, {@code k = ceil(n / perCluster)} (its
   * {@code clusters_per_group}, default 10), at least 1 and at most n.
   */
  public static int kuraK(int n, int perCluster) {
    if (perCluster < 1)
      throw new IllegalArgumentException("per cluster must be >= 1: " + perCluster);
    if (n <= 0) return 0;
    return Math.max(1, (int) Math.min(n, (n + (long) perCluster - 1) / perCluster));
  }

  /**
   * Renumbers clusters by first member, drops empty ones and recomputes centroids as the means of
   * the points (so every algorithm reports centroids the same way).
   */
  static Clustering canonical(float[][] points, int[] rawLabels) {
    return canonical(Vectors.of(points), rawLabels);
  }

  static Clustering canonical(Vectors points, int[] rawLabels) {
    int n = points.size();
    int max = 0;
    for (int l : rawLabels) max = Math.max(max, l);
    int[] remap = new int[max + 1];
    java.util.Arrays.fill(remap, -1);
    int next = 0;
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      int l = rawLabels[i];
      if (remap[l] < 0) remap[l] = next++;
      labels[i] = remap[l];
    }
    int d = n == 0 ? 0 : points.dimension();
    double[][] sums = new double[next][d];
    int[] counts = new int[next];
    for (int i = 0; i < n; i++) {
      counts[labels[i]]++;
      double[] s = sums[labels[i]];
      float[] p = points.row(i);
      for (int j = 0; j < d; j++) s[j] += p[j];
    }
    float[][] centroids = new float[next][d];
    for (int c = 0; c < next; c++) {
      for (int j = 0; j < d; j++) centroids[c][j] = (float) (sums[c][j] / counts[c]);
    }
    return new Clustering(labels, centroids);
  }

  /** Checks the input: a non-empty rectangle of finite numbers. */
  static int dimension(float[][] points) {
    return dimension(Vectors.of(points));
  }

  static int dimension(Vectors points) {
    if (points.size() == 0) throw new IllegalArgumentException("no points to cluster");
    int d = points.row(0).length;
    for (int i = 0; i < points.size(); i++) {
      float[] p = points.row(i);
      if (p.length != d) {
        throw new IllegalArgumentException(
            "point " + i + " has " + p.length + " dimensions, point 0 has " + d);
      }
      for (float v : p) {
        if (!Float.isFinite(v)) throw new IllegalArgumentException("point " + i + " is not finite");
      }
    }
    return d;
  }

  /** Squared Euclidean distance (four running sums: independent additions the CPU overlaps). */
  static double distance2(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int d = a.length;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      float t0 = a[j] - b[j];
      float t1 = a[j + 1] - b[j + 1];
      float t2 = a[j + 2] - b[j + 2];
      float t3 = a[j + 3] - b[j + 3];
      s0 += t0 * t0;
      s1 += t1 * t1;
      s2 += t2 * t2;
      s3 += t3 * t3;
    }
    for (; j < d; j++) {
      float t = a[j] - b[j];
      s0 += t * t;
    }
    return (s0 + s1) + ((double) s2 + s3);
  }
}
