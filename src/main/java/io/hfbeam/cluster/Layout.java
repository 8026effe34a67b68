package io.hfbeam.cluster;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import tagbio.umap.Umap;

/**
 * 2-D positions for the explorer (one point per cluster, as Kura's {@code dimensionality} stage):
 * UMAP as Kura runs it ({@code n_neighbors = min(15, n - 1)}, {@code min_dist} 0.1, cosine metric),
 * seeded and on one thread so the same input gives the same layout; PCA (the two main axes) above
 * {@code umapUpTo} points, where UMAP's time grows too large (measured in BENCHMARKS.md).
 */
public final class Layout {
  /**
   * Above this many points PCA is used: UMAP takes 13 s at 2,000 points on 2 cores and, from 4,096
   * points (where umap-java switches to a random-projection forest), fails with the cosine metric
   * (BENCHMARKS.md, "Conversations: embeddings and clustering").
   */
  public static final int UMAP_UP_TO = 2_000;

  /** How the points were placed (the card records it). */
  public enum Method {
    UMAP,
    PCA,
    TRIVIAL
  }

  /** Positions, one [x, y] per input point. */
  public record Points(float[][] xy, Method method) {}

  private Layout() {}

  public static Points of(float[][] vectors, long seed) {
    return of(vectors, seed, UMAP_UP_TO);
  }

  public static Points of(float[][] vectors, long seed, int umapUpTo) {
    int n = vectors.length;
    if (n == 0) return new Points(new float[0][], Method.TRIVIAL);
    Clustering.dimension(vectors);
    // UMAP needs a neighbourhood: one or two points have a fixed answer
    if (n == 1) return new Points(new float[][] {{0, 0}}, Method.TRIVIAL);
    if (n == 2) return new Points(new float[][] {{-1, 0}, {1, 0}}, Method.TRIVIAL);
    if (n <= 3 || n > umapUpTo) return new Points(pca(vectors), Method.PCA);
    Umap umap = new Umap();
    umap.setNumberComponents(2);
    umap.setNumberNearestNeighbours(Math.min(15, n - 1));
    umap.setMinDist(0.1f);
    umap.setMetric("cosine");
    umap.setSeed(seed);
    umap.setThreads(1); // parallel neighbour search would make the layout depend on timing
    umap.setVerbose(false);
    try {
      return new Points(umap.fitTransform(vectors), Method.UMAP);
    } catch (RuntimeException e) {
      // umap-java's forest fails on some inputs (a NullPointerException inside the library): a
      // layout is still owed, and the method field says which one was made
      return new Points(pca(vectors), Method.PCA);
    }
  }

  /** The projection on the two main axes, each axis's sign fixed so its largest weight is > 0. */
  static float[][] pca(float[][] vectors) {
    int n = vectors.length;
    int d = vectors[0].length;
    double[] mean = new double[d];
    for (float[] row : vectors) for (int j = 0; j < d; j++) mean[j] += row[j];
    for (int j = 0; j < d; j++) mean[j] /= n;
    // the covariance by one pass of outer products (commons-math's Covariance copies a column per
    // pair: 16 s and 800 MB at 5,000 x 384); the eigenvectors by commons-math
    double[][] cov = new double[d][d];
    double[] centred = new double[d];
    for (float[] row : vectors) {
      for (int j = 0; j < d; j++) centred[j] = row[j] - mean[j];
      for (int a = 0; a < d; a++) {
        double ca = centred[a];
        double[] line = cov[a];
        for (int b = a; b < d; b++) line[b] += ca * centred[b];
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        cov[a][b] /= Math.max(1, n - 1);
        cov[b][a] = cov[a][b];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
    double[] values = eig.getRealEigenvalues();
    int[] top = {-1, -1};
    for (int i = 0; i < values.length; i++) {
      if (top[0] < 0 || values[i] > values[top[0]]) {
        top[1] = top[0];
        top[0] = i;
      } else if (top[1] < 0 || values[i] > values[top[1]]) {
        top[1] = i;
      }
    }
    float[][] xy = new float[n][2];
    for (int a = 0; a < 2; a++) {
      double[] axis = eig.getEigenvector(top[a]).toArray();
      int big = 0;
      for (int j = 1; j < d; j++) if (Math.abs(axis[j]) > Math.abs(axis[big])) big = j;
      double sign = axis[big] < 0 ? -1 : 1;
      for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < d; j++) s += (vectors[i][j] - mean[j]) * axis[j];
        xy[i][a] = (float) (sign * s);
      }
    }
    return xy;
  }
}
