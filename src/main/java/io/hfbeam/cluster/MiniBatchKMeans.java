package io.hfbeam.cluster;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Seeded mini-batch k-means (Sculley 2010, as scikit-learn's {@code MiniBatchKMeans}) for inputs
 * too large for full Lloyd iterations: centres seeded by k-means++ on a sample and polished by a
 * few Lloyd rounds there, then moved by random batches with per-centre learning rates 1/count,
 * stopped early when the smoothed batch inertia has not improved for 10 steps; every point is
 * finally assigned to its nearest centre. commons-math has no mini-batch variant, and its k-means++
 * and distances (boxed points, one double sum) are too slow at Kura's k = n / 10 on large inputs
 * (BENCHMARKS.md), hence this loop. Deterministic: batches come from a seeded generator and each
 * batch's assignment (computed in parallel) does not depend on thread order; the centre updates are
 * sequential.
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
   * @param epochs at most this many passes' worth of steps (default 10; the early stop usually
   *     comes first)
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
    this(k, seed, 1000, 10);
  }

  public Clustering fit(float[][] points) {
    return fit(Vectors.of(points));
  }

  /**
   * Clusters the points where they are: only the seeding sample, a batch and the centres are held
   * (the points may be a {@link VectorFile}).
   */
  public Clustering fit(Vectors points) {
    int d = Clustering.dimension(points);
    int n = points.size();
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
    float[][] rows = new float[b][];
    int[] nearest = new int[b];
    double[] dist = new double[b];
    for (long step = 0; step < steps; step++) {
      for (int i = 0; i < b; i++) batch[i] = random.nextInt(n);
      for (int i = 0; i < b; i++) rows[i] = points.row(batch[i]);
      float[][] c = centres;
      float[] half = halfNorms(c);
      IntStream.range(0, b)
          .parallel()
          .forEach(
              i -> {
                float[] x = rows[i];
                int arg = nearest(x, c, half);
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
        float[] x = rows[i];
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
    float[] half = halfNorms(c);
    for (int from = 0; from < n; from += CHUNK) {
      int start = from;
      float[][] chunk = new float[Math.min(CHUNK, n - from)][];
      for (int i = 0; i < chunk.length; i++) chunk[i] = points.row(start + i);
      IntStream.range(0, chunk.length)
          .parallel()
          .forEach(i -> labels[start + i] = nearest(chunk[i], c, half));
    }
    return Clustering.canonical(points, labels);
  }

  /** Points assigned a chunk at a time (read, then compared in parallel). */
  private static final int CHUNK = 4096;

  /** k-means++ centres from a seeded sample of at most max(3 batches, 3k) points. */
  private float[][] seed(Vectors points, int kk, SplittableRandom random) {
    int n = points.size();
    int size = (int) Math.min(n, Math.max(3L * batchSize, 3L * kk));
    int[] sample = IntStream.range(0, n).toArray();
    for (int i = 0; i < size; i++) { // partial Fisher-Yates: the first `size` are the sample
      int j = i + random.nextInt(n - i);
      int t = sample[i];
      sample[i] = sample[j];
      sample[j] = t;
    }
    float[][] chosen = new float[size][];
    for (int i = 0; i < size; i++) chosen[i] = points.row(sample[i]);
    // The best of `inits` k-means++ seedings, each polished by 5 Lloyd rounds, on the sample. One
    // seeding alone can leave two true clusters under one centre, which small mini-batch steps
    // never
    // undo; more seedings cost k * sample * d each, so large problems get one.
    int inits = (long) size * kk <= 20_000_000L ? 3 : 1;
    float[][] best = null;
    double bestInertia = Double.POSITIVE_INFINITY;
    for (int t = 0; t < inits; t++) {
      float[][] centres = kMeansPlusPlus(chosen, kk, new SplittableRandom(random.nextLong()));
      int[] labels = new int[size];
      for (int round = 0; round < 5; round++) {
        float[][] c = centres;
        float[] half = halfNorms(c);
        IntStream.range(0, size).parallel().forEach(i -> labels[i] = nearest(chosen[i], c, half));
        centres = means(chosen, labels, centres);
      }
      double inertia = 0;
      for (int i = 0; i < size; i++) inertia += Clustering.distance2(chosen[i], centres[labels[i]]);
      if (inertia < bestInertia) {
        bestInertia = inertia;
        best = centres;
      }
    }
    return best;
  }

  /** k-means++ seeding (D² sampling), min distances updated in parallel. */
  static float[][] kMeansPlusPlus(float[][] x, int k, SplittableRandom random) {
    int n = x.length;
    float[][] centres = new float[k][];
    centres[0] = x[random.nextInt(n)].clone();
    double[] min = new double[n];
    float[] first = centres[0];
    IntStream.range(0, n).parallel().forEach(i -> min[i] = Clustering.distance2(x[i], first));
    for (int c = 1; c < k; c++) {
      double total = 0;
      for (double m : min) total += m;
      int pick;
      if (total <= 0) {
        pick = random.nextInt(n); // every point is on a centre already
      } else {
        double r = random.nextDouble() * total;
        pick = n - 1;
        for (int i = 0; i < n; i++) {
          r -= min[i];
          if (r < 0) {
            pick = i;
            break;
          }
        }
      }
      float[] centre = x[pick].clone();
      centres[c] = centre;
      IntStream.range(0, n)
          .parallel()
          .forEach(i -> min[i] = Math.min(min[i], Clustering.distance2(x[i], centre)));
    }
    return centres;
  }

  /** The means of the labelled points; a centre with no points stays where it was. */
  private static float[][] means(float[][] x, int[] labels, float[][] old) {
    int k = old.length;
    int d = old[0].length;
    double[][] sums = new double[k][d];
    int[] counts = new int[k];
    for (int i = 0; i < x.length; i++) {
      counts[labels[i]]++;
      double[] s = sums[labels[i]];
      for (int j = 0; j < d; j++) s[j] += x[i][j];
    }
    float[][] centres = new float[k][d];
    for (int c = 0; c < k; c++) {
      if (counts[c] == 0) {
        centres[c] = old[c].clone();
        continue;
      }
      for (int j = 0; j < d; j++) centres[c][j] = (float) (sums[c][j] / counts[c]);
    }
    return centres;
  }

  /** Half the squared norm of each centre: |x - c|² = |x|² + 2 (half(c) - x.c). */
  static float[] halfNorms(float[][] centres) {
    float[] h = new float[centres.length];
    for (int c = 0; c < centres.length; c++) h[c] = 0.5f * dot(centres[c], centres[c]);
    return h;
  }

  /** The index of the centre nearest to x (ties: the lowest index). */
  static int nearest(float[] x, float[][] centres, float[] halfNorms) {
    int arg = 0;
    float best = Float.POSITIVE_INFINITY;
    for (int c = 0; c < centres.length; c++) {
      float s = halfNorms[c] - dot(x, centres[c]);
      if (s < best) {
        best = s;
        arg = c;
      }
    }
    return arg;
  }

  /** Four running sums: independent additions the CPU can overlap (about 3x one sum). */
  static float dot(float[] a, float[] b) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int d = a.length;
    int j = 0;
    for (; j + 3 < d; j += 4) {
      s0 += a[j] * b[j];
      s1 += a[j + 1] * b[j + 1];
      s2 += a[j + 2] * b[j + 2];
      s3 += a[j + 3] * b[j + 3];
    }
    for (; j < d; j++) s0 += a[j] * b[j];
    return (s0 + s1) + (s2 + s3);
  }
}
