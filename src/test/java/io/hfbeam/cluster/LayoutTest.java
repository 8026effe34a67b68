package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hfbeam.cluster.Layout.Method;
import io.hfbeam.cluster.Layout.Points;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayoutTest {
  @Test
  void umapIsSeededAndKeepsBlobsApart() {
    Blobs blobs = new Blobs(90, 3, 24, 0.05, 2);
    Points a = Layout.of(blobs.points, 7);
    Points b = Layout.of(blobs.points, 7);
    assertEquals(Method.UMAP, a.method());
    assertEquals(90, a.xy().length);
    for (int i = 0; i < 90; i++) {
      assertEquals(2, a.xy()[i].length);
      assertArrayEquals(a.xy()[i], b.xy()[i], "same input and seed, same layout");
    }
    assertTrue(within(a.xy(), blobs.truth) < 0.5 * across(a.xy(), blobs.truth));
  }

  @Test
  void pcaAboveTheThresholdKeepsAPlanesDistances() {
    // points on a 2-D plane inside 10-D: the two main axes keep every distance
    Random r = new Random(4);
    double[] u = new double[10];
    double[] v = new double[10];
    u[0] = 0.6;
    u[1] = 0.8;
    v[2] = 1;
    float[][] points = new float[50][10];
    for (float[] p : points) {
      double s = 5 * r.nextGaussian();
      double t = r.nextGaussian();
      for (int j = 0; j < 10; j++) p[j] = (float) (s * u[j] + t * v[j] + 3);
    }
    Points pca = Layout.of(points, 7, 10);
    assertEquals(Method.PCA, pca.method());
    for (int i = 1; i < 50; i++) {
      assertEquals(
          Math.sqrt(Clustering.distance2(points[0], points[i])),
          Math.sqrt(Clustering.distance2(pca.xy()[0], pca.xy()[i])),
          1e-3);
    }
    assertArrayEquals(pca.xy()[3], Layout.of(points, 99, 10).xy()[3], "PCA has no randomness");
  }

  /**
   * umap-java's random-projection forest (used from 4,096 points) fails on these vectors with the
   * cosine metric; the layout falls back to PCA and says so instead of failing the run.
   */
  @Test
  void aFailingUmapFallsBackToPca() {
    Random r = new Random(3);
    float[][] topics = new float[500][384];
    for (float[] t : topics) for (int j = 0; j < 384; j++) t[j] = (float) r.nextGaussian();
    float[][] x = new float[5000][384];
    for (float[] p : x) {
      float[] t = topics[r.nextInt(500)];
      for (int j = 0; j < 384; j++) p[j] = t[j] + (float) (0.05 * r.nextGaussian());
    }
    Points p = Layout.of(x, 0, Integer.MAX_VALUE);
    assertEquals(Method.PCA, p.method());
    assertEquals(5000, p.xy().length);
  }

  @Test
  void tinyInputsHaveFixedAnswers() {
    assertEquals(0, Layout.of(new float[0][], 1).xy().length);
    assertArrayEquals(new float[] {0, 0}, Layout.of(new float[][] {{1, 2}}, 1).xy()[0]);
    Points two = Layout.of(new float[][] {{1, 2}, {3, 4}}, 1);
    assertEquals(Method.TRIVIAL, two.method());
    assertEquals(2, two.xy().length);
    assertEquals(Method.PCA, Layout.of(new float[][] {{1, 2}, {3, 4}, {0, 1}}, 1).method());
  }

  private static double within(float[][] xy, int[] truth) {
    return mean(xy, truth, true);
  }

  private static double across(float[][] xy, int[] truth) {
    return mean(xy, truth, false);
  }

  private static double mean(float[][] xy, int[] truth, boolean same) {
    double s = 0;
    int n = 0;
    for (int i = 0; i < xy.length; i++) {
      for (int j = i + 1; j < xy.length; j++) {
        if ((truth[i] == truth[j]) != same) continue;
        s += Math.sqrt(Clustering.distance2(xy[i], xy[j]));
        n++;
      }
    }
    return s / n;
  }
}
