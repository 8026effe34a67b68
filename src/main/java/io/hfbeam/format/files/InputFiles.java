package io.hfbeam.format.files;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Expands what the user named (files, directories, globs) into a sorted file list and cuts it into
 * chunks: byte ranges that readers process in parallel. Chunk ids order the input globally (file
 * index, then range), so sorting by chunk id restores input order.
 */
public final class InputFiles {
  /**
   * Chunks per file the id space leaves room for: chunk id = fileIndex * CHUNKS_PER_FILE + range
   * index.
   */
  public static final long CHUNKS_PER_FILE = 1L << 24;

  private InputFiles() {}

  /**
   * One byte range of one file; compressed files are a single range. {@code path} is the file as
   * the user named it (reported in errors), {@code absolute} the same file resolved on the
   * launching machine: workers open that, since a Flink TaskManager does not run in the launcher's
   * current directory.
   */
  public record Chunk(
      String path, int fileIndex, int index, long start, long end, boolean whole, String absolute)
      implements Serializable {
    public Chunk(String path, int fileIndex, int index, long start, long end, boolean whole) {
      this(
          path,
          fileIndex,
          index,
          start,
          end,
          whole,
          Path.of(path).toAbsolutePath().normalize().toString());
    }

    /** The file to open. */
    public Path file() {
      return Path.of(absolute);
    }

    public long id() {
      return fileIndex * CHUNKS_PER_FILE + index;
    }

    public static int fileIndexOf(long chunkId) {
      return (int) (chunkId / CHUNKS_PER_FILE);
    }
  }

  /**
   * Resolves each spec (a file, a directory searched recursively for names matching {@code
   * pattern}, or a glob) into an existing file list, in spec order then name order. Throws
   * IllegalArgumentException, with the spec, when nothing matches.
   */
  public static List<Path> expand(List<String> specs, String pattern) {
    List<Path> out = new ArrayList<>();
    PathMatcher nameMatcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
    for (String spec : specs) {
      Path p = Path.of(spec);
      List<Path> found;
      if (Files.isRegularFile(p)) {
        found = List.of(p);
      } else if (Files.isDirectory(p)) {
        found = walk(p, f -> nameMatcher.matches(f.getFileName()));
      } else if (isGlob(spec)) {
        Path base = globBase(spec);
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + spec);
        found = Files.isDirectory(base) ? walk(base, m::matches) : List.of();
      } else {
        throw new IllegalArgumentException("input not found: " + spec);
      }
      if (found.isEmpty()) {
        throw new IllegalArgumentException(
            "no input files match " + spec + (Files.isDirectory(p) ? "/" + pattern : ""));
      }
      out.addAll(found);
    }
    return out;
  }

  /** The directories these inputs are searched in ({@link #searchedDir} of each that has one). */
  public static List<Path> searchedDirs(List<String> specs) {
    return specs.stream().map(InputFiles::searchedDir).flatMap(java.util.Optional::stream).toList();
  }

  /**
   * The directory a spec searches: itself for a directory, a glob's fixed part, none for a file.
   */
  public static java.util.Optional<Path> searchedDir(String spec) {
    if (Files.isDirectory(Path.of(spec))) return java.util.Optional.of(Path.of(spec));
    return isGlob(spec) ? java.util.Optional.of(globBase(spec)) : java.util.Optional.empty();
  }

  private static boolean isGlob(String s) {
    return s.contains("*") || s.contains("?") || s.contains("[") || s.contains("{");
  }

  private static Path globBase(String spec) {
    Path base = Path.of(".");
    Path whole = Path.of(spec);
    Path acc = whole.isAbsolute() ? whole.getRoot() : null;
    for (Path part : whole) {
      if (isGlob(part.toString())) break;
      acc = acc == null ? part : acc.resolve(part);
    }
    return acc == null ? base : acc;
  }

  private static List<Path> walk(Path dir, java.util.function.Predicate<Path> keep) {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(f -> !f.getFileName().toString().startsWith("."))
          .filter(keep)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Below this a chunk is not worth its part files and its scan for the first record. */
  static final long MIN_CHUNK_BYTES = 1L << 20;

  /**
   * An input is cut into at least this many chunks where it can be, so every worker gets a share.
   */
  static final int MIN_CHUNKS = 16;

  /**
   * Cuts files into ranges of at most {@code chunkBytes} (any size from one byte), smaller when the
   * input is small (at least {@value #MIN_CHUNKS} chunks of at least 1 MiB, where chunkBytes
   * allows), so that an input of a few chunks does not leave one worker doing nearly all of it.
   * Compressed files are not splittable. Deterministic in the file sizes.
   */
  public static List<Chunk> chunks(List<Path> files, long chunkBytes) {
    if (chunkBytes < 1)
      throw new IllegalArgumentException("chunk size must be at least 1 byte, got " + chunkBytes);
    long splittable = 0;
    for (Path f : files) if (!Compressions.isCompressed(f)) splittable += size(f);
    chunkBytes =
        Math.min(chunkBytes, Math.max(MIN_CHUNK_BYTES, (splittable + MIN_CHUNKS - 1) / MIN_CHUNKS));
    List<Chunk> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      Path f = files.get(i);
      long size = size(f);
      if (Compressions.isCompressed(f) || size <= chunkBytes) {
        out.add(new Chunk(f.toString(), i, 0, 0, size, true));
        continue;
      }
      // no more than CHUNKS_PER_FILE ranges, so that chunk ids stay within the file's share of the
      // id space
      long bytes = Math.max(chunkBytes, (size + CHUNKS_PER_FILE - 1) / CHUNKS_PER_FILE);
      int n = (int) ((size + bytes - 1) / bytes);
      for (int k = 0; k < n; k++) {
        long start = k * bytes;
        out.add(new Chunk(f.toString(), i, k, start, Math.min(size, start + bytes), false));
      }
    }
    return out;
  }

  /** One chunk per file, for formats that cannot be split (CSV, Parquet). */
  public static List<Chunk> wholeFiles(List<Path> files) {
    List<Chunk> out = new ArrayList<>();
    for (int i = 0; i < files.size(); i++)
      out.add(new Chunk(files.get(i).toString(), i, 0, 0, size(files.get(i)), true));
    return out;
  }

  public static long totalBytes(List<Path> files) {
    return files.stream().mapToLong(InputFiles::size).sum();
  }

  private static long size(Path f) {
    try {
      return Files.size(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
