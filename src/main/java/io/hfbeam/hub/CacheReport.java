package io.hfbeam.hub;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What {@link CacheScanner#scan} found in a Hugging Face cache, with the numbers huggingface_hub's
 * {@code scan_cache_dir()} reports: sizes count blobs (a blob shared by revisions once per repo;
 * {@link #sizeOnDisk} counts every file on disk once), times are the blobs' access and modification
 * times. Repos that are not laid out as a cache repo are left out and named in {@link #warnings}.
 */
public record CacheReport(
    Path cacheDir,
    long sizeOnDisk,
    List<Repo> repos,
    List<IncompleteFile> incompleteFiles,
    List<Warning> warnings) {

  public CacheReport {
    repos = List.copyOf(repos);
    incompleteFiles = List.copyOf(incompleteFiles);
    warnings = List.copyOf(warnings);
  }

  /**
   * A cached repo: {@code type} is "dataset", "model", "space" or "kernel"; {@code id} as the
   * folder name spells it ({@code gpt2} has no namespace, so it is not a {@link RepoId}).
   */
  public record Repo(
      String type,
      String id,
      Path path,
      long sizeOnDisk,
      int nbFiles,
      Instant lastAccessed,
      Instant lastModified,
      List<Revision> revisions) {
    public Repo {
      revisions = List.copyOf(revisions);
    }

    /** {@code dataset/owner/name}, as {@code hf cache ls} names it. */
    public String cacheId() {
      return type + "/" + id;
    }

    /** Every ref of every revision, sorted. */
    public List<String> refs() {
      return revisions.stream().flatMap(r -> r.refs().stream()).sorted().toList();
    }
  }

  /** A folder under {@code snapshots/}; {@code refs} are the ref files that point at it. */
  public record Revision(
      String commitHash,
      Path snapshotPath,
      long sizeOnDisk,
      Set<String> refs,
      Instant lastModified,
      List<CachedFile> files) {
    public Revision {
      refs = Set.copyOf(refs);
      files = List.copyOf(files);
    }

    /**
     * When a blob of this revision was last read (its newest access time), else when it was made:
     * the order in which {@link CachePruner} lets revisions go.
     */
    public Instant lastUsed() {
      return files.stream()
          .map(CachedFile::blobLastAccessed)
          .max(Instant::compareTo)
          .orElse(lastModified);
    }
  }

  /**
   * A file of a revision: {@code pathInRepo} relative to the snapshot, {@code blob} the first hop
   * of its link (the file itself when it is a copy).
   */
  public record CachedFile(
      String pathInRepo,
      Path filePath,
      Path blob,
      long sizeOnDisk,
      Instant blobLastAccessed,
      Instant blobLastModified) {
    /** The file name alone, as huggingface_hub's {@code CachedFileInfo.file_name}. */
    public String fileName() {
      int slash = pathInRepo.lastIndexOf('/');
      return slash < 0 ? pathInRepo : pathInRepo.substring(slash + 1);
    }

    /** True when the snapshot holds a copy, not a link (file systems without symlinks). */
    public boolean isCopy() {
      return filePath.equals(blob);
    }
  }

  /** A {@code blobs/*.incomplete} file: a download in progress or one that was interrupted. */
  public record IncompleteFile(Path path, long sizeOnDisk) {}

  /** Something in the cache that is not what a cache holds; the scan went on without it. */
  public record Warning(Path path, String message) {
    @Override
    public String toString() {
      return message;
    }
  }

  public long incompleteSizeOnDisk() {
    return incompleteFiles.stream().mapToLong(IncompleteFile::sizeOnDisk).sum();
  }

  public int revisionCount() {
    return repos.stream().mapToInt(r -> r.revisions().size()).sum();
  }

  /** huggingface_hub's {@code _format_size}: one decimal, steps of 1000 ("42.2K", "3.4G"). */
  public static String formatSize(long bytes) {
    double n = bytes;
    for (String unit : new String[] {"", "K", "M", "G", "T", "P", "E", "Z"}) {
      if (Math.abs(n) < 1000.0) return String.format(Locale.ROOT, "%3.1f%s", n, unit);
      n /= 1000.0;
    }
    return String.format(Locale.ROOT, "%.1fY", n);
  }
}
