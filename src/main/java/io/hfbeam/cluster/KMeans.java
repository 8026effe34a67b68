package io.hfbeam.cluster;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;

/**
 * Seeded k-means++ (commons-math3's {@code KMeansPlusPlusClusterer}), the best of {@code trials}
 * runs by within-cluster variance as scikit-learn's {@code n_init} does. The same points, k and
 * seed give the same clustering: the only randomness is the seeded generator.
 */
public final class KMeans {
  private final int k;
  private final long seed;
  private final int trials;
  private final int maxIterations;

  /**
   * @param k the number of clusters (more than the points: one cluster a point)
   * @param seed the generator's seed
   * @param trials runs from different seeds, the best kept (scikit-learn's n_init; 10 by default)
   * @param maxIterations Lloyd iterations per run (scikit-learn: 300)
   */
  public KMeans(int k, long seed, int trials, int maxIterations) {
    if (k < 1) throw new IllegalArgumentException("k must be >= 1: " + k);
    if (trials < 1) throw new IllegalArgumentException("trials must be >= 1: " + trials);
    this.k = k;
    this.seed = seed;
    this.trials = trials;
    this.maxIterations = maxIterations;
  }

  public KMeans(int k, long seed) {
    this(k, seed, 10, 300);
  }

  public Clustering fit(float[][] points) {
    Clustering.dimension(points);
    int kk = Math.min(k, points.length);
    List<Point> list = new ArrayList<>(points.length);
    for (int i = 0; i < points.length; i++) list.add(new Point(i, points[i]));
    KMeansPlusPlusClusterer<Point> one =
        new KMeansPlusPlusClusterer<>(
            kk,
            maxIterations,
            new EuclideanDistance(),
            new Well19937c(seed),
            // an emptied cluster takes the point farthest from its centre (scikit-learn relocates
            // too)
            KMeansPlusPlusClusterer.EmptyClusterStrategy.FARTHEST_POINT);
    // best of the trials by inertia (the sum of squared distances to the centres), as scikit-learn
    // picks; commons-math's MultiKMeansPlusPlusClusterer ranks by the unweighted sum of cluster
    // variances, which favours different splits
    int[] best = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int t = 0; t < trials; t++) {
      List<CentroidCluster<Point>> clusters = one.cluster(list);
      int[] labels = new int[points.length];
      double inertia = 0;
      int c = 0;
      for (CentroidCluster<Point> cluster : clusters) {
        double[] centre = cluster.getCenter().getPoint();
        for (Point p : cluster.getPoints()) {
          labels[p.index] = c;
          for (int j = 0; j < centre.length; j++) {
            double d = p.values[j] - centre[j];
            inertia += d * d;
          }
        }
        c++;
      }
      if (inertia < bestInertia) {
        bestInertia = inertia;
        best = labels;
      }
    }
    return Clustering.canonical(points, best);
  }

  /** A point that remembers its index (commons-math hands back the objects it was given). */
  private static final class Point implements Clusterable {
    final int index;
    final double[] values;

    Point(int index, float[] v) {
      this.index = index;
      this.values = new double[v.length];
      for (int j = 0; j < v.length; j++) values[j] = v[j];
    }

    @Override
    public double[] getPoint() {
      return values;
    }
  }
}
