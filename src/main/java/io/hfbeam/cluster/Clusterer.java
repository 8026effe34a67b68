package io.hfbeam.cluster;

/**
 * Base clusters the way the conversations workflow makes them: k from Kura's rule unless given,
 * k-means++ with 10 trials up to {@code miniBatchAbove} points, mini-batch k-means above.
 *
 * @param k the number of clusters, or 0 for Kura's rule
 * @param perCluster Kura's {@code clusters_per_group} (10)
 * @param seed the seed; the same points and settings give the same clusters
 * @param miniBatchAbove the input size from which mini-batch k-means is used
 */
public record Clusterer(int k, int perCluster, long seed, int miniBatchAbove) {
  /**
   * Full k-means++ (10 trials) takes 8 s for 1,000 points into 100 clusters on 2 cores, mini-batch
   * 1.4 s with 3% more inertia (BENCHMARKS.md, "Conversations: embeddings and clustering").
   */
  public static final int MINI_BATCH_ABOVE = 1_000;

  public static Clusterer kura(long seed) {
    return new Clusterer(0, 10, seed, MINI_BATCH_ABOVE);
  }

  public Clusterer withK(int k) {
    return new Clusterer(k, perCluster, seed, miniBatchAbove);
  }

  public int kFor(int n) {
    return k > 0 ? Math.min(k, n) : Clustering.kuraK(n, perCluster);
  }

  public Clustering fit(float[][] points) {
    return fit(Vectors.of(points));
  }

  /** Mini-batch reads the points where they are; full k-means takes them into memory (few). */
  public Clustering fit(Vectors points) {
    int kk = kFor(points.size());
    return points.size() > miniBatchAbove
        ? new MiniBatchKMeans(kk, seed).fit(points)
        : new KMeans(kk, seed).fit(points.toArray());
  }
}
