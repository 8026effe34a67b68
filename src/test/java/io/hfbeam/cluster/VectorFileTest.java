package io.hfbeam.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorFileTest {
  @TempDir Path dir;

  private VectorFile write(float[][] rows, int[] order) throws Exception {
    Path f = dir.resolve("v.f32");
    try (VectorFile.Writer w = VectorFile.writer(f, rows[0].length)) {
      for (float[] r : rows) w.add(r);
      assertEquals(rows.length, w.rows());
    }
    assertEquals(4L * rows.length * rows[0].length, Files.size(f));
    return VectorFile.open(f, rows[0].length, order);
  }

  @Test
  void rowsComeBackExactlyInTheFileOrderOrAView() throws Exception {
    float[][] rows = {{1.5f, -0f, Float.MIN_VALUE}, {3, 4, 5}, {-7.25f, 1e30f, 8}};
    try (VectorFile v = write(rows, null)) {
      assertEquals(3, v.size());
      assertEquals(3, v.dimension());
      for (int i = 0; i < 3; i++) assertArrayEquals(rows[i], v.row(i));
      assertThrows(IndexOutOfBoundsException.class, () -> v.row(3));
    }
    try (VectorFile v = write(rows, new int[] {2, 0})) {
      assertEquals(2, v.size());
      assertArrayEquals(rows[2], v.row(0));
      assertArrayEquals(rows[0], v.row(1));
    }
  }

  @Test
  void aRowOfAnotherDimensionIsRefused() throws Exception {
    try (VectorFile.Writer w = VectorFile.writer(dir.resolve("w.f32"), 2)) {
      w.add(new float[] {1, 2});
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> w.add(new float[] {1, 2, 3}));
      assertEquals("row 1 has 3 dimensions, the file 2", e.getMessage());
    }
  }

  /** Clustering points read from the file gives what clustering them in memory gives. */
  @Test
  void miniBatchOnTheFileEqualsMiniBatchInMemory() throws Exception {
    Blobs blobs = new Blobs(6000, 12, 32, 0.1, 5);
    Clustering memory = new MiniBatchKMeans(12, 9, 500, 20).fit(blobs.points);
    try (VectorFile v = write(blobs.points, null)) {
      Clustering file = new MiniBatchKMeans(12, 9, 500, 20).fit(v);
      assertArrayEquals(memory.labels(), file.labels());
      for (int c = 0; c < memory.k(); c++)
        assertArrayEquals(memory.centroids()[c], file.centroids()[c]);
      // the facade: mini-batch above its threshold reads the file, full k-means below takes it in
      assertArrayEquals(
          new Clusterer(12, 10, 9, 1000).fit(blobs.points).labels(),
          new Clusterer(12, 10, 9, 1000).fit(v).labels());
    }
    float[][] few = new float[300][];
    System.arraycopy(blobs.points, 0, few, 0, 300);
    try (VectorFile v = write(few, null)) {
      assertArrayEquals(
          new Clusterer(5, 10, 3, 1000).fit(few).labels(),
          new Clusterer(5, 10, 3, 1000).fit(v).labels());
    }
  }
}
