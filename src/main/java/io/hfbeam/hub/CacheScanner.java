package io.hfbeam.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads a Hugging Face cache the way huggingface_hub's {@code scan_cache_dir()} does and reports
 * the same repos, revisions, refs, files, sizes and times. Nothing is written and no blob is read.
 * A repo folder that is not laid out as a cache repo (no {@code snapshots/}, a broken link, a ref
 * to a missing snapshot, a link that leaves the cache) becomes a {@link CacheReport.Warning} and is
 * left out, as Python leaves out a repo that raises {@code CorruptedCacheException}.
 */
public final class CacheScanner {
  /** OS helper files Python skips everywhere. */
  static final Set<String> IGNORED = Set.of(".DS_Store", "Thumbs.db", "desktop.ini");

  /** Folder prefix -> repo type, huggingface_hub's {@code REPO_TYPES_MAPPING}. */
  static final Map<String, String> TYPES =
      Map.of("datasets", "dataset", "models", "model", "spaces", "space", "kernels", "kernel");

  /** The cache-wide store of xet blobs (huggingface_hub 1.3x) and the marker that makes it one. */
  static final String SHARED_BLOBS = "blobs";

  static final String SHARED_MARKER = ".huggingface-shared-blobs";
  private static final Pattern XET_HASH = Pattern.compile("[0-9a-f]{64}");

  private CacheScanner() {}

  /** The cache of this environment: HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE, or $HF_HOME/hub. */
  public static CacheReport scan(HubEnvironment env) throws IOException {
    return scan(env.hubCache());
  }

  public static CacheReport scan(Path cacheDir) throws IOException {
    Path root = cacheDir.toAbsolutePath().normalize();
    if (!Files.exists(root)) {
      throw new HubException(
          0,
          null,
          "no Hugging Face cache at "
              + root
              + " (it is HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub)");
    }
    if (!Files.isDirectory(root)) {
      throw new IllegalArgumentException("the cache " + root + " is a file, not a folder");
    }
    Path realRoot = root.toRealPath();
    boolean sharedStore = isSharedStore(realRoot.resolve(SHARED_BLOBS));
    List<CacheReport.Repo> repos = new ArrayList<>();
    List<CacheReport.Warning> warnings = new ArrayList<>();
    for (Path entry : sortedChildren(realRoot)) {
      String name = entry.getFileName().toString();
      if (IGNORED.contains(name) || name.equals(".locks") || name.equals("CACHEDIR.TAG")) continue;
      if (name.equals(SHARED_BLOBS) && sharedStore) continue;
      try {
        repos.add(scanRepo(realRoot, entry));
      } catch (Corrupt e) {
        warnings.add(new CacheReport.Warning(entry, e.getMessage()));
      }
    }
    // Every file on disk once: a blob two repos share through the store is one file.
    Set<Path> physical = new HashSet<>();
    for (CacheReport.Repo repo : repos)
      for (CacheReport.Revision rev : repo.revisions())
        for (CacheReport.CachedFile f : rev.files()) physical.add(realPath(f.blob()));
    if (sharedStore) physical.addAll(sharedStorePayloads(realRoot.resolve(SHARED_BLOBS)));
    long size = 0;
    for (Path p : physical) {
      try {
        size += Files.size(p);
      } catch (IOException e) {
        // gone since it was listed: a concurrent prune; Python skips it too
      }
    }
    return new CacheReport(realRoot, size, repos, incompleteFiles(realRoot), warnings);
  }

  private static CacheReport.Repo scanRepo(Path root, Path repoPath) throws IOException {
    if (!Files.isDirectory(repoPath))
      throw new Corrupt("Repo path is not a directory: " + repoPath);
    insideCache(root, repoPath, repoPath);
    String name = repoPath.getFileName().toString();
    int sep = name.indexOf("--");
    if (sep < 0)
      throw new Corrupt("Repo path is not a valid HuggingFace cache directory: " + repoPath);
    String type = TYPES.get(name.substring(0, sep));
    if (type == null) {
      throw new Corrupt(
          "Repo type must be one of "
              + new TreeSet<>(TYPES.keySet())
              + ", found `"
              + name.substring(0, sep)
              + "` ("
              + repoPath
              + ").");
    }
    String id = name.substring(sep + 2).replace("--", "/");
    Path snapshots = repoPath.resolve("snapshots");
    if (!Files.isDirectory(snapshots))
      throw new Corrupt("Snapshots dir doesn't exist in cached repo: " + snapshots);
    insideCache(root, snapshots, repoPath);

    Map<String, Set<String>> refsByHash = readRefs(root, repoPath);
    Map<Path, BasicFileAttributes> blobStats = new LinkedHashMap<>();
    List<CacheReport.Revision> revisions = new ArrayList<>();
    for (Path revisionPath : sortedChildren(snapshots)) {
      String commit = revisionPath.getFileName().toString();
      if (IGNORED.contains(commit)) continue;
      if (!Files.isDirectory(revisionPath))
        throw new Corrupt("Snapshots folder corrupted. Found a file: " + revisionPath);
      insideCache(root, revisionPath, repoPath);
      List<CacheReport.CachedFile> files = new ArrayList<>();
      for (Path file : walkFiles(revisionPath)) {
        Path blob =
            Files.isSymbolicLink(file)
                ? file.getParent().resolve(Files.readSymbolicLink(file)).normalize()
                : file;
        if (!Files.exists(blob)) throw new Corrupt("Blob missing (broken symlink): " + blob);
        insideCache(root, blob, repoPath);
        BasicFileAttributes a = blobStats.get(blob);
        if (a == null) {
          a = Files.readAttributes(blob, BasicFileAttributes.class);
          blobStats.put(blob, a);
        }
        files.add(
            new CacheReport.CachedFile(
                relative(revisionPath, file),
                file,
                blob,
                a.size(),
                a.lastAccessTime().toInstant(),
                a.lastModifiedTime().toInstant()));
      }
      Instant lastModified =
          files.isEmpty()
              ? Files.getLastModifiedTime(revisionPath).toInstant()
              : files.stream()
                  .map(CacheReport.CachedFile::blobLastModified)
                  .max(Comparator.naturalOrder())
                  .orElseThrow();
      Set<Path> distinct = new HashSet<>();
      long size = 0;
      for (CacheReport.CachedFile f : files) if (distinct.add(f.blob())) size += f.sizeOnDisk();
      Set<String> refs = refsByHash.remove(commit);
      revisions.add(
          new CacheReport.Revision(
              commit, revisionPath, size, refs == null ? Set.of() : refs, lastModified, files));
    }
    if (!refsByHash.isEmpty()) {
      throw new Corrupt(
          "Reference(s) refer to missing commit hashes: " + refsByHash + " (" + repoPath + ").");
    }
    Instant lastAccessed;
    Instant lastModified;
    if (blobStats.isEmpty()) {
      BasicFileAttributes a = Files.readAttributes(repoPath, BasicFileAttributes.class);
      lastAccessed = a.lastAccessTime().toInstant();
      lastModified = a.lastModifiedTime().toInstant();
    } else {
      lastAccessed =
          blobStats.values().stream()
              .map(a -> a.lastAccessTime().toInstant())
              .max(Comparator.naturalOrder())
              .orElseThrow();
      lastModified =
          blobStats.values().stream()
              .map(a -> a.lastModifiedTime().toInstant())
              .max(Comparator.naturalOrder())
              .orElseThrow();
    }
    long size = blobStats.values().stream().mapToLong(BasicFileAttributes::size).sum();
    return new CacheReport.Repo(
        type, id, repoPath, size, blobStats.size(), lastAccessed, lastModified, revisions);
  }

  /**
   * Ref name ("main", "refs/pr/1") by the commit its file holds, read as is (Python strips
   * nothing).
   */
  private static Map<String, Set<String>> readRefs(Path root, Path repoPath) throws IOException {
    Path refsDir = repoPath.resolve("refs");
    Map<String, Set<String>> byHash = new TreeMap<>();
    if (!Files.exists(refsDir)) return byHash;
    if (!Files.isDirectory(refsDir))
      throw new Corrupt("Refs directory cannot be a file: " + refsDir);
    insideCache(root, refsDir, repoPath);
    for (Path ref : walkFiles(refsDir)) {
      if (IGNORED.contains(ref.getFileName().toString())) continue;
      insideCache(root, ref, repoPath);
      if (Files.size(ref) > 1024) throw new Corrupt("Ref file is not a commit hash: " + ref);
      String commit = Files.readString(ref, StandardCharsets.UTF_8);
      byHash.computeIfAbsent(commit, k -> new TreeSet<>()).add(relative(refsDir, ref));
    }
    return byHash;
  }

  /**
   * Entries under {@code dir} that are not folders (links to folders are neither walked into nor
   * listed, as Python's {@code glob("**&#47;*")}), sorted by path.
   */
  private static List<Path> walkFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> !p.equals(dir) && !Files.isDirectory(p)).sorted().toList();
    }
  }

  private static List<Path> sortedChildren(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  /** Every path the scan stats or reads must resolve inside the cache: no link leads out of it. */
  static void insideCache(Path realRoot, Path p, Path repoPath) throws IOException {
    Path real;
    try {
      real = p.toRealPath();
    } catch (NoSuchFileException e) {
      throw new Corrupt("Blob missing (broken symlink): " + p);
    }
    if (!real.startsWith(realRoot)) {
      throw new Corrupt(
          p
              + " leads outside the cache "
              + realRoot
              + " (to "
              + real
              + "); "
              + repoPath
              + " skipped");
    }
  }

  static String relative(Path base, Path p) {
    return base.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
  }

  private static Path realPath(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  private static boolean isSharedStore(Path dir) {
    return Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
        && Files.isRegularFile(dir.resolve(SHARED_MARKER), LinkOption.NOFOLLOW_LINKS);
  }

  /** Payloads of the shared store: {@code blobs/<2 hex>/<64 hex>} regular files. */
  private static List<Path> sharedStorePayloads(Path store) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path prefix : sortedChildren(store)) {
      String p = prefix.getFileName().toString();
      if (!p.matches("[0-9a-f]{2}") || !Files.isDirectory(prefix, LinkOption.NOFOLLOW_LINKS))
        continue;
      for (Path entry : sortedChildren(prefix)) {
        String n = entry.getFileName().toString();
        if (XET_HASH.matcher(n).matches()
            && n.startsWith(p)
            && Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) out.add(entry.toRealPath());
      }
    }
    return out;
  }

  /** {@code <repo>/blobs/<name>.incomplete}, as Python globs them. */
  private static List<CacheReport.IncompleteFile> incompleteFiles(Path root) throws IOException {
    List<CacheReport.IncompleteFile> out = new ArrayList<>();
    for (Path repo : sortedChildren(root)) {
      Path blobs = repo.resolve("blobs");
      if (!Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) continue;
      for (Path f : sortedChildren(blobs)) {
        if (!f.getFileName().toString().endsWith(".incomplete")) continue;
        try {
          out.add(new CacheReport.IncompleteFile(f, Files.size(f)));
        } catch (IOException e) {
          // finished (renamed) while we looked
        }
      }
    }
    return out;
  }

  /** huggingface_hub's CorruptedCacheException: caught per repo and turned into a warning. */
  static final class Corrupt extends IOException {
    Corrupt(String message) {
      super(message);
    }
  }

  /** For callers grouping files by blob (verify, prune). */
  static Map<Path, List<CacheReport.CachedFile>> filesByBlob(CacheReport.Repo repo) {
    Map<Path, List<CacheReport.CachedFile>> out = new HashMap<>();
    for (CacheReport.Revision rev : repo.revisions())
      for (CacheReport.CachedFile f : rev.files())
        out.computeIfAbsent(f.blob(), k -> new ArrayList<>()).add(f);
    return out;
  }
}
