package io.hfbeam.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.stream.Stream;

/**
 * Sorts more items than fit a memory budget. Items are buffered until their estimated size ({@link
 * Codec#bytes}) is over the budget; the buffer is then sorted and spilled to a run file in the
 * scratch folder. {@link #sorted()} gives every item added, in order: the buffer alone when nothing
 * was spilled, else a k-way merge of the runs and the buffer. The result is exactly what a stable
 * {@code List.sort(order)} of the items in the order added gives, whatever the budget: runs hold
 * consecutive items, each sorted stably, and a tie in the merge goes to the earlier run.
 *
 * <p>The scratch folder is created at the first spill and removed, with its runs, by {@link
 * #close}. Beyond the budget a merge holds one item and one read buffer per run; more than {@value
 * #FAN_IN} runs are first merged in groups, so that no more files than that are open at once.
 */
public final class ExternalSort<T> implements Closeable {
  /** Writes and reads one item of a run file, and says how much heap it takes while buffered. */
  public interface Codec<T> {
    void write(T item, DataOutput out) throws IOException;

    T read(DataInput in) throws IOException;

    /** The item's estimated heap size while buffered, with its objects' overhead. */
    long bytes(T item);
  }

  /** The most runs read at once (each a 64 KiB buffer): a tiny budget still opens few files. */
  static final int FAN_IN = 64;

  private static final int IO_BUFFER = 1 << 16;

  private final Path scratch;
  private final long budget;
  private final Comparator<? super T> order;
  private final Codec<T> codec;
  private final List<Run> runs = new ArrayList<>();
  private List<T> buffer = new ArrayList<>();
  private long buffered;
  private long count;
  private int nextRun;
  private boolean sortedBuffer;

  /**
   * @param scratch a folder of this sort's own (created when needed, removed by {@link #close})
   * @param budgetBytes the most buffered item bytes before a spill; > 0
   */
  public ExternalSort(Path scratch, long budgetBytes, Comparator<? super T> order, Codec<T> codec) {
    if (budgetBytes <= 0)
      throw new IllegalArgumentException("sort budget must be > 0 bytes, got " + budgetBytes);
    this.scratch = scratch;
    this.budget = budgetBytes;
    this.order = order;
    this.codec = codec;
  }

  public void add(T item) throws IOException {
    buffer.add(item);
    buffered += codec.bytes(item);
    count++;
    sortedBuffer = false;
    if (buffered > budget) spill();
  }

  /** Items added. */
  public long count() {
    return count;
  }

  /** Run files written so far (0: everything was sorted in memory). */
  public int spills() {
    return nextRun;
  }

  /**
   * Every item added, in order. May be called more than once (each call merges again); the iterator
   * must be closed, and no item may be added while one is open.
   */
  public Sorted<T> sorted() throws IOException {
    if (!sortedBuffer) {
      buffer.sort(order);
      sortedBuffer = true;
    }
    if (runs.isEmpty()) return new Sorted<>(buffer.iterator(), () -> {});
    // merge the oldest consecutive runs in place first: the merged run keeps their position
    while (runs.size() + 1 > FAN_IN) {
      List<Run> group = runs.subList(0, FAN_IN);
      Run merged = newRun();
      try (Merge m = merge(new ArrayList<>(group), null);
          DataOutputStream out = open(merged)) {
        while (m.hasNext()) {
          codec.write(m.next(), out);
          merged.items++;
        }
      }
      for (Run r : group) Files.deleteIfExists(r.file);
      group.clear();
      runs.add(0, merged);
    }
    Merge m = merge(runs, buffer);
    return new Sorted<>(m, m);
  }

  /** Removes the run files and the scratch folder. */
  @Override
  public void close() throws IOException {
    buffer = new ArrayList<>();
    runs.clear();
    deleteScratch();
  }

  private void deleteScratch() throws IOException {
    if (!Files.isDirectory(scratch)) return;
    try (Stream<Path> files = Files.list(scratch)) {
      for (Path f : files.toList()) Files.deleteIfExists(f);
    }
    Files.deleteIfExists(scratch);
  }

  private void spill() throws IOException {
    buffer.sort(order);
    Run run = newRun();
    try (DataOutputStream out = open(run)) {
      for (T item : buffer) codec.write(item, out);
    }
    run.items = buffer.size();
    runs.add(run);
    buffer = new ArrayList<>();
    buffered = 0;
  }

  private Run newRun() throws IOException {
    if (nextRun == 0) {
      // a folder left by an attempt that was killed before its close: its runs are not ours
      deleteScratch();
      Files.createDirectories(scratch);
    }
    return new Run(scratch.resolve(String.format("run-%06d", nextRun++)));
  }

  private DataOutputStream open(Run run) throws IOException {
    return new DataOutputStream(
        new BufferedOutputStream(Files.newOutputStream(run.file), IO_BUFFER));
  }

  private Merge merge(List<Run> from, List<T> memory) throws IOException {
    Merge m = new Merge();
    try {
      int source = 0;
      for (Run r : from) {
        RunReader reader = new RunReader(r);
        m.open.add(reader);
        m.push(reader, source++);
      }
      if (memory != null && !memory.isEmpty()) m.push(memory.iterator(), source);
    } catch (IOException | RuntimeException e) {
      m.close();
      throw e;
    }
    return m;
  }

  /** Every item, in order; closing it closes the run files it reads. */
  public static final class Sorted<T> implements Iterator<T>, Closeable {
    private final Iterator<T> items;
    private final Closeable onClose;

    Sorted(Iterator<T> items, Closeable onClose) {
      this.items = items;
      this.onClose = onClose;
    }

    @Override
    public boolean hasNext() {
      return items.hasNext();
    }

    @Override
    public T next() {
      return items.next();
    }

    @Override
    public void close() throws IOException {
      onClose.close();
    }
  }

  private static final class Run {
    final Path file;
    long items;

    Run(Path file) {
      this.file = file;
    }
  }

  private final class RunReader implements Iterator<T>, Closeable {
    private final DataInputStream in;
    private long left;

    RunReader(Run run) throws IOException {
      this.in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(run.file), IO_BUFFER));
      this.left = run.items;
    }

    @Override
    public boolean hasNext() {
      return left > 0;
    }

    @Override
    public T next() {
      if (left == 0) throw new NoSuchElementException();
      left--;
      try {
        return codec.read(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /** The smallest head of the sources; a tie goes to the lower source (the earlier items). */
  private final class Merge implements Iterator<T>, Closeable {
    private final PriorityQueue<Head<T>> heads =
        new PriorityQueue<>(
            (a, b) -> {
              int c = order.compare(a.item, b.item);
              return c != 0 ? c : Integer.compare(a.source, b.source);
            });
    final List<RunReader> open = new ArrayList<>();

    void push(Iterator<T> from, int source) {
      if (from.hasNext()) heads.add(new Head<>(from.next(), from, source));
    }

    @Override
    public boolean hasNext() {
      return !heads.isEmpty();
    }

    @Override
    public T next() {
      Head<T> h = heads.poll();
      if (h == null) throw new NoSuchElementException();
      push(h.rest, h.source);
      return h.item;
    }

    @Override
    public void close() throws IOException {
      IOException first = null;
      for (RunReader r : open) {
        try {
          r.close();
        } catch (IOException e) {
          if (first == null) first = e;
        }
      }
      open.clear();
      if (first != null) throw first;
    }
  }

  private record Head<T>(T item, Iterator<T> rest, int source) {}
}
