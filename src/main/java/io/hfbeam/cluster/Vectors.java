package io.hfbeam.cluster;

/**
 * Points to cluster, by index: in memory ({@link #of(float[][])}) or in a file ({@link
 * VectorFile}), so a large input need not be on the heap. Reads are thread-safe.
 */
public interface Vectors {
  int size();

  int dimension();

  /** Point {@code i}; callers do not change it (an in-memory set hands out its own array). */
  float[] row(int i);

  /** The points of an array (not copied). */
  static Vectors of(float[][] rows) {
    int d = rows.length == 0 ? 0 : rows[0].length;
    return new Vectors() {
      @Override
      public int size() {
        return rows.length;
      }

      @Override
      public int dimension() {
        return d;
      }

      @Override
      public float[] row(int i) {
        return rows[i];
      }
    };
  }

  /** Every point in an array (a small set, for the algorithms that need them all at once). */
  default float[][] toArray() {
    float[][] out = new float[size()][];
    for (int i = 0; i < out.length; i++) out[i] = row(i);
    return out;
  }
}
