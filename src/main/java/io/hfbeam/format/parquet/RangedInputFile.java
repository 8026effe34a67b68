package io.hfbeam.format.parquet;

import io.hfbeam.format.RangedSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A Parquet {@link InputFile} over a {@link RangedSource}, so that each request fetches what the
 * reader will need next rather than what it asked for this instant: the file's tail (magic, footer
 * length and, for most files, the footer) in one request, and a row group's selected column chunks
 * as the few coalesced ranges {@link RangedParquetFile} plans. Reads outside any plan go straight
 * to the source, with a small minimum so stray small reads do not each become a request.
 */
public final class RangedInputFile implements InputFile {
  private final RangedSource source;
  private final int tailBytes;
  private final int minFetch;
  private byte[] tail;
  private List<long[]> planned = List.of();

  /** Bumped by every {@link #plan}; a stream drops a range it loaded under an older plan. */
  private volatile int generation;

  /**
   * @param tailBytes how much of the end to fetch at once for the footer
   * @param minFetch the smallest request for a read outside the plan
   */
  public RangedInputFile(RangedSource source, int tailBytes, int minFetch) {
    if (tailBytes < 8 || minFetch < 1)
      throw new IllegalArgumentException("tailBytes must be >= 8 and minFetch >= 1");
    this.source = source;
    this.tailBytes = tailBytes;
    this.minFetch = minFetch;
  }

  public RangedSource source() {
    return source;
  }

  @Override
  public long getLength() {
    return source.size();
  }

  @Override
  public SeekableInputStream newStream() {
    return new Stream();
  }

  @Override
  public String toString() {
    return source.name();
  }

  /**
   * Takes the last {@code min(size, tailBytes)} bytes as already known (read earlier from the same
   * content), so that {@link #tail} fetches nothing.
   */
  synchronized void knownTail(byte[] t) {
    int n = (int) Math.min(source.size(), tailBytes);
    if (t.length != n) {
      throw new IllegalArgumentException(
          source.name() + ": a known tail of " + t.length + " bytes where " + n + " were expected");
    }
    tail = t.clone();
  }

  /** The last {@code min(size, tailBytes)} bytes, fetched once. */
  synchronized byte[] tail() throws IOException {
    if (tail == null) {
      int n = (int) Math.min(source.size(), tailBytes);
      byte[] t = new byte[n];
      source.readFully(source.size() - n, t, 0, n);
      tail = t;
    }
    return tail;
  }

  /**
   * Byte ranges {@code [start, end)} fetched whole when a read first touches them; replaces the
   * previous plan.
   */
  synchronized void plan(List<long[]> ranges) {
    this.planned = new ArrayList<>(ranges);
    generation++;
  }

  private synchronized long[] plannedRange(long pos) {
    for (long[] r : planned) if (pos >= r[0] && pos < r[1]) return r;
    return null;
  }

  private final class Stream extends SeekableInputStream {
    private long pos;
    private byte[] buf = new byte[0];
    private long bufStart;
    private int bufGeneration;

    @Override
    public long getPos() {
      return pos;
    }

    @Override
    public void seek(long newPos) throws IOException {
      if (newPos < 0 || newPos > source.size())
        throw new EOFException(source.name() + ": seek to " + newPos + " of " + source.size());
      pos = newPos;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      long left = source.size() - pos;
      if (left <= 0) return -1;
      int n = (int) Math.min(len, left);
      readFully(b, off, n);
      return n;
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(bytes, 0, bytes.length);
    }

    @Override
    public void readFully(byte[] b, int off, int len) throws IOException {
      source.checkRange(pos, len);
      while (len > 0) {
        int n = fromMemory(b, off, len);
        if (n == 0) n = fetch(b, off, len);
        pos += n;
        off += n;
        len -= n;
      }
    }

    /** Copies what the tail or the current planned range already hold; 0 if nothing. */
    private int fromMemory(byte[] b, int off, int len) throws IOException {
      long size = source.size();
      long tailStart = size - Math.min(size, tailBytes);
      if (pos >= tailStart) {
        byte[] t = tail();
        int n = (int) Math.min(len, size - pos);
        System.arraycopy(t, (int) (pos - tailStart), b, off, n);
        return n;
      }
      if (bufGeneration != generation) buf = new byte[0]; // a row group's bytes go with its plan
      if (pos >= bufStart && pos < bufStart + buf.length) {
        int n = (int) Math.min(len, bufStart + buf.length - pos);
        System.arraycopy(buf, (int) (pos - bufStart), b, off, n);
        return n;
      }
      return 0;
    }

    /** Loads the planned range holding {@code pos}, or reads straight into {@code b}. */
    private int fetch(byte[] b, int off, int len) throws IOException {
      long tailStart = source.size() - Math.min(source.size(), tailBytes);
      long[] r = plannedRange(pos);
      if (r != null) {
        long end = Math.min(tailStart, Math.max(r[1], pos + len));
        buf = new byte[0]; // let the old range go before the new one is allocated
        byte[] next = new byte[Math.toIntExact(end - pos)];
        source.readFully(pos, next, 0, next.length);
        buf = next;
        bufStart = pos;
        bufGeneration = generation;
        return fromMemory(b, off, len);
      }
      int n = (int) Math.min(len, tailStart - pos);
      if (n >= minFetch) {
        source.readFully(pos, b, off, n);
        return n;
      }
      long end = Math.min(tailStart, pos + minFetch);
      byte[] next = new byte[(int) (end - pos)];
      source.readFully(pos, next, 0, next.length);
      buf = next;
      bufStart = pos;
      bufGeneration = generation;
      return fromMemory(b, off, len);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      if (!dst.hasRemaining()) return 0;
      long left = source.size() - pos;
      if (left <= 0) return -1;
      int n = (int) Math.min(dst.remaining(), left);
      byte[] tmp = new byte[n];
      readFully(tmp, 0, n);
      dst.put(tmp);
      return n;
    }

    @Override
    public void readFully(ByteBuffer dst) throws IOException {
      if (dst.hasArray()) {
        int n = dst.remaining();
        readFully(dst.array(), dst.arrayOffset() + dst.position(), n);
        dst.position(dst.position() + n);
      } else {
        byte[] tmp = new byte[dst.remaining()];
        readFully(tmp, 0, tmp.length);
        dst.put(tmp);
      }
    }

    @Override
    public void close() {
      buf = new byte[0];
    }
  }
}
