package io.hfbeam.cluster;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Points in a file of little-endian float32 rows, read by position: the clustering of a large set
 * keeps a sample and the centres on the heap, not every vector (100k x 384 floats are 154 MB). Not
 * mapped into memory: a mapped file's pages would count in the process's resident memory all the
 * same.
 */
public final class VectorFile implements Vectors, Closeable {
  private final FileChannel channel;
  private final int size;
  private final int dimension;
  private final int[] order;

  private VectorFile(FileChannel channel, int size, int dimension, int[] order) {
    this.channel = channel;
    this.size = size;
    this.dimension = dimension;
    this.order = order;
  }

  /** Writes rows of {@code dimension} floats to a new file. */
  public static Writer writer(Path file, int dimension) throws IOException {
    return new Writer(file, dimension);
  }

  /**
   * The file's rows; with {@code order}, point i is the file's row {@code order[i]} (a view sorted
   * some other way than written).
   */
  public static VectorFile open(Path file, int dimension, int[] order) throws IOException {
    long rowBytes = 4L * dimension;
    long rows = dimension == 0 ? 0 : Files.size(file) / rowBytes;
    if (rows > Integer.MAX_VALUE) throw new IOException(file + ": too many rows");
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    int n = order == null ? (int) rows : order.length;
    return new VectorFile(ch, n, dimension, order);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int dimension() {
    return dimension;
  }

  @Override
  public float[] row(int i) {
    if (i < 0 || i >= size) throw new IndexOutOfBoundsException(i);
    long at = 4L * dimension * (order == null ? i : order[i]);
    ByteBuffer b = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    try {
      while (b.hasRemaining()) {
        if (channel.read(b, at + b.position()) < 0) throw new IOException("row " + i + " cut");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    b.flip();
    float[] v = new float[dimension];
    b.asFloatBuffer().get(v);
    return v;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /** Appends rows; every row must have the file's dimension. */
  public static final class Writer implements Closeable {
    private final OutputStream out;
    private final int dimension;
    private final ByteBuffer row;
    private int rows;

    private Writer(Path file, int dimension) throws IOException {
      this.out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      this.dimension = dimension;
      this.row = ByteBuffer.allocate(4 * dimension).order(ByteOrder.LITTLE_ENDIAN);
    }

    public void add(float[] v) throws IOException {
      if (v.length != dimension) {
        throw new IllegalArgumentException(
            "row " + rows + " has " + v.length + " dimensions, the file " + dimension);
      }
      row.clear();
      row.asFloatBuffer().put(v);
      out.write(row.array());
      rows++;
    }

    public int rows() {
      return rows;
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
