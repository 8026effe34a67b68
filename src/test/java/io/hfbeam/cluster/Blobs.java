package io.hfbeam.cluster;

import java.util.Random;

/** Seeded synthetic data: {@code k} well separated Gaussian blobs in {@code d} dimensions. */
final class Blobs {
  final float[][] points;
  final int[] truth;

  Blobs(int n, int k, int d, double spread, long seed) {
    Random r = new Random(seed);
    float[][] centres = new float[k][d];
    for (float[] c : centres) for (int j = 0; j < d; j++) c[j] = (float) r.nextGaussian();
    points = new float[n][d];
    truth = new int[n];
    for (int i = 0; i < n; i++) {
      int c = i % k;
      truth[i] = c;
      for (int j = 0; j < d; j++)
        points[i][j] = centres[c][j] + (float) (spread * r.nextGaussian());
    }
  }

  /** Share of points whose cluster's majority true class is their own. */
  static double purity(int[] labels, int[] truth) {
    java.util.Map<Integer, java.util.Map<Integer, Integer>> byCluster = new java.util.HashMap<>();
    for (int i = 0; i < labels.length; i++) {
      byCluster
          .computeIfAbsent(labels[i], x -> new java.util.HashMap<>())
          .merge(truth[i], 1, Integer::sum);
    }
    int right = 0;
    for (var m : byCluster.values()) right += java.util.Collections.max(m.values());
    return (double) right / labels.length;
  }
}
