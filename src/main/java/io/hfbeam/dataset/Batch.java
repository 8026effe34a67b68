package io.hfbeam.dataset;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Numbers batches of at most {@code maxRows} records in input order and says which rows of which
 * parts make each batch file. Deterministic on any runner: it depends only on the parts' row
 * counts, which depend only on the input. Batches count the records of each split ({@link
 * Scope#PER_SPLIT}), or all records before the split ({@link Scope#BEFORE_SPLIT}: a batch of N
 * records is divided among the splits, as the chess datasets do).
 */
public final class Batch {
  private Batch() {}

  /** What a batch counts: records of one split, or all records before the split. */
  public enum Scope {
    PER_SPLIT,
    BEFORE_SPLIT
  }

  /** Batch size, first batch number, optional limit on the number of batches (-1: none). */
  public record Settings(long maxRows, int firstBatch, long maxBatches, Scope scope)
      implements Serializable {
    public Settings {
      if (maxRows <= 0)
        throw new IllegalArgumentException("batch size must be > 0, got " + maxRows);
      if (firstBatch < 0)
        throw new IllegalArgumentException("first batch must be >= 0, got " + firstBatch);
    }

    /** One batch per split, holding everything. */
    public static Settings single() {
      return new Settings(Long.MAX_VALUE, 1, -1, Scope.PER_SPLIT);
    }

    public static Settings of(long maxRows) {
      return new Settings(maxRows, 1, -1, Scope.PER_SPLIT);
    }

    public Settings withFirstBatch(int first) {
      return new Settings(maxRows, first, maxBatches, scope);
    }
  }

  /** Rows [from, to) of a part. */
  public record Piece(String base, long from, long to, long partRows, long partArrowBytes)
      implements Serializable {
    public boolean whole() {
      return from == 0 && to == partRows;
    }

    public long rows() {
      return to - from;
    }

    /** The part's Arrow bytes in proportion to the rows taken. */
    public long arrowBytes() {
      return partRows == 0
          ? 0
          : partArrowBytes / partRows * rows() + partArrowBytes % partRows * rows() / partRows;
    }
  }

  /**
   * One output file: its split, batch number, position among the split's files, and its pieces in
   * order.
   */
  public record FilePlan(String split, long batch, int index, int count, List<Piece> pieces)
      implements Serializable {
    public long rows() {
      return pieces.stream().mapToLong(Piece::rows).sum();
    }

    public long arrowBytes() {
      return pieces.stream().mapToLong(Piece::arrowBytes).sum();
    }
  }

  /** Plans every output file from the data parts and the chunks' statistics parts. */
  public static List<FilePlan> plan(List<Part> parts, Settings s, Comparator<String> splitOrder)
      throws IOException {
    Map<String, List<Part>> bySplit = new TreeMap<>(splitOrder);
    TreeMap<Long, Long> chunkRecords = new TreeMap<>();
    for (Part p : parts) {
      if (!Part.DATA.equals(p.sink())) continue;
      if (p.isStats()) chunkRecords.put(p.chunk(), p.chunkRecords());
      else bySplit.computeIfAbsent(p.split(), k -> new ArrayList<>()).add(p);
    }
    Map<Long, Long> chunkStart = new TreeMap<>();
    long acc = 0;
    for (Map.Entry<Long, Long> e : chunkRecords.entrySet()) {
      chunkStart.put(e.getKey(), acc);
      acc += e.getValue();
    }
    List<FilePlan> out = new ArrayList<>();
    for (Map.Entry<String, List<Part>> e : bySplit.entrySet()) {
      List<Part> ps = e.getValue();
      ps.sort(Comparator.comparingLong(Part::chunk));
      TreeMap<Long, List<Piece>> batches = new TreeMap<>();
      long rank = 0;
      for (Part p : ps) {
        if (s.scope() == Scope.PER_SPLIT) {
          cut(batches, p, rank, null, s);
          rank += p.rows();
        } else {
          cut(batches, p, chunkStart.getOrDefault(p.chunk(), 0L), readIndex(p), s);
        }
      }
      int index = 0;
      for (Map.Entry<Long, List<Piece>> b : batches.entrySet()) {
        out.add(
            new FilePlan(
                e.getKey(), s.firstBatch() + b.getKey(), index++, batches.size(), b.getValue()));
      }
    }
    return out;
  }

  /**
   * Adds the part's rows to the batches they fall in. Row i has rank {@code start + i} (per split),
   * or {@code start + index[i]} (before the split: index holds each row's place among all the
   * chunk's records).
   */
  private static void cut(
      TreeMap<Long, List<Piece>> batches, Part p, long start, int[] index, Settings s) {
    long n = s.maxRows();
    long i = 0;
    while (i < p.rows()) {
      long rank = start + (index == null ? i : index[(int) i]);
      long b = rank / n;
      if (s.maxBatches() >= 0 && b >= s.maxBatches()) return;
      long end = (b + 1) * n; // first rank of the next batch
      long j =
          index == null ? Math.min(p.rows(), end - start) : firstAtLeast(index, i, end - start);
      batches
          .computeIfAbsent(b, k -> new ArrayList<>())
          .add(new Piece(p.base(), i, j, p.rows(), p.arrowBytes()));
      i = j;
    }
  }

  /** First position >= from whose index is >= value (indices increase). */
  private static long firstAtLeast(int[] index, long from, long value) {
    int lo = (int) from;
    int hi = index.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (index[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private static int[] readIndex(Part p) throws IOException {
    int[] out = new int[(int) p.rows()];
    byte[] bytes =
        Files.readAllBytes(Path.of(p.base() + ".idx")); // a chunk's rows: small, read at once
    if (bytes.length != 4L * out.length)
      throw new IOException("record index of " + p.base() + " is incomplete");
    java.nio.ByteBuffer.wrap(bytes).asIntBuffer().get(out);
    return out;
  }

  /** Splits in the given order first, then the rest by name. */
  public static Comparator<String> splitOrder(List<String> first) {
    return Comparator.<String>comparingInt(x -> first.contains(x) ? first.indexOf(x) : first.size())
        .thenComparing(Comparator.naturalOrder());
  }
}
