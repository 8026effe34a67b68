package io.hfbeam.cluster;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded mini-batch k-means (Sculley 2010, as scikit-learn's {@code MiniBatchKMeans}) for inputs
 * too large for full Lloyd iterations: centres seeded by {@link KMeans} (commons-math3's k-means++)
 * on a sample, then moved by random batches with per-centre learning rates 1/count, stopped early
 * when the smoothed batch inertia has not improved for 10 steps; every point is finally assigned to
 * its nearest centre. commons-math has no mini-batch variant, hence this loop. Deterministic:
 * batches come from a seeded generator and each batch's assignment (computed in parallel) does not
 * depend on thread order; the centre updates are sequential.
 */
public final class MiniBatchKMeans {
  private final int k;
  private final long seed;
  private final int batchSize;
  private final int epochs;

  /**
   * @param k the number of clusters
   * @param seed the generator's seed
   * @param batchSize points a step (Kura's MiniBatchKmeansClusteringMethod: 1000)
   * @param epochs at most this many passes' worth of steps (Kura: max_iter 100)
   */
  public MiniBatchKMeans(int k, long seed, int batchSize, int epochs) {
    if (k < 1) throw new IllegalArgumentException("k must be >= 1: " + k);
    if (batchSize < 1) throw new IllegalArgumentException("batch size must be >= 1: " + batchSize);
    this.k = k;
    this.seed = seed;
    this.batchSize = batchSize;
    this.epochs = epochs;
  }

  public MiniBatchKMeans(int k, long seed) {
    this(k, seed, 1000, 100);
  }

  public Clustering fit(float[][] points) {
    int d = Clustering.dimension(points);
    int n = points.length;
    int kk = Math.min(k, n);
    SplittableRandom random = new SplittableRandom(seed);
    float[][] centres = seed(points, kk, random);
    long[] counts = new long[kk];
    int b = Math.min(batchSize, n);
    long steps = Math.max(1, (long) epochs * ((n + b - 1) / b));
    double smoothed = Double.NaN;
    double best = Double.POSITIVE_INFINITY;
    int sinceBest = 0;
    int[] batch = new int[b];
    int[] nearest = new int[b];
    double[] dist = new double[b];
    for (long step = 0; step < steps; step++) {
      for (int i = 0; i < b; i++) batch[i] = random.nextInt(n);
      float[][] c = centres;
      IntStream.range(0, b)
          .parallel()
          .forEach(
              i -> {
                float[] x = points[batch[i]];
                int arg = nearest(x, c);
                nearest[i] = arg;
                dist[i] = Clustering.distance2(x, c[arg]);
              });
      double inertia = 0;
      for (int i = 0; i < b; i++) {
        inertia += dist[i];
        int ci = nearest[i];
        counts[ci]++;
        double eta = 1.0 / counts[ci];
        float[] centre = centres[ci];
        float[] x = points[batch[i]];
        for (int j = 0; j < d; j++) centre[j] += (float) (eta * (x[j] - centre[j]));
      }
      inertia /= b;
      // scikit-learn's early stop: an exponentially weighted average of the batch inertia
      double alpha = Math.min(1.0, b * 2.0 / (n + 1));
      smoothed = Double.isNaN(smoothed) ? inertia : smoothed * (1 - alpha) + inertia * alpha;
      if (smoothed < best) {
        best = smoothed;
        sinceBest = 0;
      } else if (++sinceBest >= 10) {
        break;
      }
    }
    int[] labels = new int[n];
    float[][] c = centres;
    IntStream.range(0, n).parallel().forEach(i -> labels[i] = nearest(points[i], c));
    return Clustering.canonical(points, labels);
  }

  /** k-means++ centres from a seeded sample of at most max(3 batches, 3k) points. */
  private float[][] seed(float[][] points, int kk, SplittableRandom random) {
    int n = points.length;
    int size = (int) Math.min(n, Math.max(3L * batchSize, 3L * kk));
    int[] sample = IntStream.range(0, n).toArray();
    for (int i = 0; i < size; i++) { // partial Fisher-Yates: the first `size` are the sample
      int j = i + random.nextInt(n - i);
      int t = sample[i];
      sample[i] = sample[j];
      sample[j] = t;
    }
    float[][] chosen = new float[size][];
    for (int i = 0; i < size; i++) chosen[i] = points[sample[i]];
    // the best of 3 k-means++ seedings, each polished by 10 Lloyd rounds, on the sample (cheap:
    // the sample is small); one seeding alone can leave two true clusters under one centre, which
    // the small mini-batch steps never undo (scikit-learn reassigns such centres instead)
    float[][] centres = new KMeans(kk, random.nextLong(), 3, 10).fit(chosen).centroids();
    return centres;
  }

  /** The index of the centre nearest to x (ties: the lowest index). */
  static int nearest(float[] x, float[][] centres) {
    int arg = 0;
    double best = Double.POSITIVE_INFINITY;
    for (int c = 0; c < centres.length; c++) {
      double s = Clustering.distance2(x, centres[c]);
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    return arg;
  }
}
