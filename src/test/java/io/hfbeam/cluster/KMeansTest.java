package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KMeansTest {
  @Test
  void kurasRuleIsCeilOfNOverTen() {
    assertEquals(0, Clustering.kuraK(0, 10));
    assertEquals(1, Clustering.kuraK(1, 10));
    assertEquals(1, Clustering.kuraK(10, 10));
    assertEquals(2, Clustering.kuraK(11, 10));
    assertEquals(56, Clustering.kuraK(560, 10)); // Kura's notebook: 560 conversations, 56 clusters
    assertEquals(10_000, Clustering.kuraK(100_000, 10));
    assertEquals(3, Clustering.kuraK(3, 1));
    assertEquals(8, Clusterer.kura(0).withK(8).kFor(80));
    assertEquals(8, Clusterer.kura(0).kFor(80));
    assertEquals(5, Clusterer.kura(0).withK(8).kFor(5), "never more clusters than points");
  }

  @Test
  void findsSeparatedBlobsAndIsDeterministic() {
    Blobs blobs = new Blobs(300, 6, 32, 0.15, 1);
    Clustering a = new KMeans(6, 42).fit(blobs.points);
    Clustering b = new KMeans(6, 42).fit(blobs.points);
    assertEquals(6, a.k());
    assertEquals(1.0, Blobs.purity(a.labels(), blobs.truth), 1e-9);
    assertArrayEquals(a.labels(), b.labels(), "same input and seed, same clusters");
    for (int c = 0; c < a.k(); c++) assertArrayEquals(a.centroids()[c], b.centroids()[c]);
    // canonical numbering: cluster 0 holds point 0, and numbers appear in order of first member
    assertEquals(0, a.labels()[0]);
    int seen = -1;
    for (int l : a.labels()) {
      assertTrue(l <= seen + 1, "cluster " + l + " before " + (seen + 1));
      seen = Math.max(seen, l);
    }
  }

  /** Uniform noise: no true clusters, so the seed decides the answer. */
  private static float[][] noise(int n, int d, long seed) {
    java.util.Random r = new java.util.Random(seed);
    float[][] x = new float[n][d];
    for (float[] p : x) for (int j = 0; j < d; j++) p[j] = r.nextFloat();
    return x;
  }

  private static double inertia(float[][] x, Clustering c) {
    double s = 0;
    for (int i = 0; i < x.length; i++)
      s += Clustering.distance2(x[i], c.centroids()[c.labels()[i]]);
    return s;
  }

  @Test
  void theSeedAloneDecidesAnAmbiguousClustering() {
    float[][] x = noise(400, 6, 8);
    assertArrayEquals(new KMeans(12, 5).fit(x).labels(), new KMeans(12, 5).fit(x).labels());
    assertFalse(
        Arrays.equals(
            new KMeans(12, 5, 1, 300).fit(x).labels(), new KMeans(12, 6, 1, 300).fit(x).labels()),
        "another seed, another local optimum");
    float[][] big = noise(3000, 6, 9);
    assertArrayEquals(
        new MiniBatchKMeans(30, 5, 200, 5).fit(big).labels(),
        new MiniBatchKMeans(30, 5, 200, 5).fit(big).labels());
    assertFalse(
        Arrays.equals(
            new MiniBatchKMeans(30, 5, 200, 5).fit(big).labels(),
            new MiniBatchKMeans(30, 6, 200, 5).fit(big).labels()));
  }

  @Test
  void theBestTrialByInertiaIsKept() {
    float[][] x = noise(400, 6, 10);
    // the first of 10 trials is the 1-trial run with the same seed: the best cannot be worse
    for (long seed = 0; seed < 5; seed++) {
      double one = inertia(x, new KMeans(12, seed, 1, 300).fit(x));
      double best = inertia(x, new KMeans(12, seed, 10, 300).fit(x));
      assertTrue(best <= one + 1e-6, "seed " + seed + ": " + best + " > " + one);
    }
  }

  @Test
  void centroidsAreTheMeansOfTheMembers() {
    Blobs blobs = new Blobs(120, 4, 8, 0.3, 3);
    Clustering c = new KMeans(4, 7).fit(blobs.points);
    List<List<Integer>> members = c.members();
    for (int k = 0; k < c.k(); k++) {
      assertFalse(members.get(k).isEmpty());
      for (int j = 0; j < 8; j++) {
        double mean = 0;
        for (int i : members.get(k)) mean += blobs.points[i][j];
        assertEquals(mean / members.get(k).size(), c.centroids()[k][j], 1e-5);
      }
    }
  }

  @Test
  void miniBatchFindsTheBlobsAndIsDeterministic() {
    Blobs blobs = new Blobs(6000, 12, 32, 0.1, 5);
    Clustering a = new MiniBatchKMeans(12, 9, 500, 20).fit(blobs.points);
    Clustering b = new MiniBatchKMeans(12, 9, 500, 20).fit(blobs.points);
    assertArrayEquals(a.labels(), b.labels(), "parallel assignment, same result");
    assertTrue(
        Blobs.purity(a.labels(), blobs.truth) > 0.98, "" + Blobs.purity(a.labels(), blobs.truth));
    // the facade picks mini-batch above its threshold, and gives the same answer for the same seed
    Clusterer clusterer = new Clusterer(12, 10, 9, 1000);
    assertArrayEquals(clusterer.fit(blobs.points).labels(), clusterer.fit(blobs.points).labels());
  }

  @Test
  void moreClustersThanPointsAndDuplicatesAreHandled() {
    float[][] three = {{0, 0}, {1, 1}, {0, 0}};
    Clustering c = new KMeans(10, 1).fit(three);
    assertTrue(c.k() <= 3);
    assertEquals(c.labels()[0], c.labels()[2], "identical points share a cluster");
    float[][] same = new float[20][];
    Arrays.fill(same, new float[] {1, 2});
    assertEquals(1, new MiniBatchKMeans(4, 1, 5, 3).fit(same).k(), "empty clusters are dropped");
  }

  @Test
  void badInputIsRefusedWithItsIndex() {
    assertEquals(
        "point 1 has 1 dimensions, point 0 has 2",
        assertThrows(
                IllegalArgumentException.class,
                () -> new KMeans(2, 1).fit(new float[][] {{0, 0}, {1}}))
            .getMessage());
    assertEquals(
        "point 1 is not finite",
        assertThrows(
                IllegalArgumentException.class,
                () -> new KMeans(2, 1).fit(new float[][] {{0, 0}, {Float.NaN, 1}}))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> new KMeans(2, 1).fit(new float[0][]));
  }
}
