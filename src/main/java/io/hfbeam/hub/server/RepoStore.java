package io.hfbeam.hub.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.server.Model.AddLfs;
import io.hfbeam.hub.server.Model.AddRegular;
import io.hfbeam.hub.server.Model.Change;
import io.hfbeam.hub.server.Model.Commit;
import io.hfbeam.hub.server.Model.DeleteFile;
import io.hfbeam.hub.server.Model.DeleteFolder;
import io.hfbeam.hub.server.Model.FileEntry;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Repositories on disk, git-like: commits (each with its full tree) named by 40-hex ids, branches
 * as refs, file contents stored once by sha256 under {@code objects/}. Layout: {@code
 * repos/{type}s/{ns}/{name}/repo.json}, {@code .../commits/{id}.json}, {@code objects/ab/{sha256}}.
 */
final class RepoStore {
  static final String DEFAULT_BRANCH = "main";
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{7,40}");
  private static final String GITATTRIBUTES =
      String.join(
          "\n",
          "*.7z filter=lfs diff=lfs merge=lfs -text",
          "*.arrow filter=lfs diff=lfs merge=lfs -text",
          "*.bin filter=lfs diff=lfs merge=lfs -text",
          "*.bz2 filter=lfs diff=lfs merge=lfs -text",
          "*.gz filter=lfs diff=lfs merge=lfs -text",
          "*.h5 filter=lfs diff=lfs merge=lfs -text",
          "*.npy filter=lfs diff=lfs merge=lfs -text",
          "*.npz filter=lfs diff=lfs merge=lfs -text",
          "*.onnx filter=lfs diff=lfs merge=lfs -text",
          "*.parquet filter=lfs diff=lfs merge=lfs -text",
          "*.pickle filter=lfs diff=lfs merge=lfs -text",
          "*.pkl filter=lfs diff=lfs merge=lfs -text",
          "*.pt filter=lfs diff=lfs merge=lfs -text",
          "*.safetensors filter=lfs diff=lfs merge=lfs -text",
          "*.tar filter=lfs diff=lfs merge=lfs -text",
          "*.zip filter=lfs diff=lfs merge=lfs -text",
          "*.zst filter=lfs diff=lfs merge=lfs -text",
          "*.jpg filter=lfs diff=lfs merge=lfs -text",
          "*.png filter=lfs diff=lfs merge=lfs -text",
          "*.wav filter=lfs diff=lfs merge=lfs -text",
          "*.mp3 filter=lfs diff=lfs merge=lfs -text",
          "");

  private final Path root;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, ReentrantLock> repoLocks = new ConcurrentHashMap<>();

  /** Commits never change once written, so reading each from disk once is enough. */
  private final Map<Path, Commit> commitCache = new ConcurrentHashMap<>();

  /**
   * Commits (which may reuse a stored object) hold it shared, the sweep of expired uploads
   * exclusively: an object is never deleted between a commit finding it and the commit being
   * written.
   */
  private final ReentrantReadWriteLock sweepLock = new ReentrantReadWriteLock();

  /**
   * LFS objects uploaded for a repo ("type/ns/name oid"), until when they may be named by its
   * commits. Objects are stored once for all repos, so without this, knowing a sha256 would be
   * enough to copy a private file.
   */
  private final Map<String, Instant> grants = new ConcurrentHashMap<>();

  RepoStore(Path root) throws IOException {
    this.root = root;
    Files.createDirectories(root.resolve("objects").resolve("tmp"));
    Files.createDirectories(root.resolve("repos"));
  }

  // ---- repositories

  Optional<RepoMeta> repo(String type, String id) {
    Path file = repoDir(type, id).resolve("repo.json");
    return Files.exists(file) ? Optional.of(read(file, RepoMeta.class)) : Optional.empty();
  }

  /**
   * Creates the repo with the initial commit the real Hub makes (a default .gitattributes); null if
   * it exists.
   */
  RepoMeta create(String type, String id, boolean isPrivate, String author) {
    ReentrantLock lock = lockFor(type, id);
    lock.lock();
    sweepLock.readLock().lock();
    try {
      if (repo(type, id).isPresent()) return null;
      byte[] attributes = GITATTRIBUTES.getBytes(StandardCharsets.UTF_8);
      SortedMap<String, FileEntry> files = new TreeMap<>();
      files.put(".gitattributes", regular(attributes));
      Commit initial = newCommit(List.of(), "initial commit", "", author, files);
      write(repoDir(type, id).resolve("commits").resolve(initial.id() + ".json"), initial);
      String objectId =
          HexFormat.of()
              .formatHex(
                  GitOids.digest("SHA-1")
                      .digest(
                          (type + "/" + id + System.nanoTime()).getBytes(StandardCharsets.UTF_8)))
              .substring(0, 24);
      RepoMeta meta =
          new RepoMeta(
              objectId, type, id, isPrivate, now(), Map.of(DEFAULT_BRANCH, initial.id()), 0);
      write(repoDir(type, id).resolve("repo.json"), meta);
      return meta;
    } finally {
      sweepLock.readLock().unlock();
      lock.unlock();
    }
  }

  /** Every repo of a type, sorted by id; a repo.json that cannot be read is left out. */
  List<RepoMeta> list(String type) {
    Path dir = root.resolve("repos").resolve(type + "s");
    if (!Files.isDirectory(dir)) return List.of();
    List<RepoMeta> out = new ArrayList<>();
    try (Stream<Path> namespaces = Files.list(dir)) {
      for (Path ns : namespaces.sorted().toList()) {
        if (!Files.isDirectory(ns)) continue;
        try (Stream<Path> names = Files.list(ns)) {
          for (Path name : names.sorted().toList()) {
            String id = ns.getFileName() + "/" + name.getFileName();
            if (!Names.validNamespace(ns.getFileName().toString())
                || !Names.validNamespace(name.getFileName().toString())) continue;
            try {
              repo(type, id).ifPresent(out::add);
            } catch (UncheckedIOException e) {
              // a repo being created has no readable repo.json yet
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(java.util.Comparator.comparing(RepoMeta::id));
    return out;
  }

  /**
   * Creates branch {@code branch} at {@code commitId} (huggingface_hub's create_branch); 409 if it
   * exists. Branch names may hold slashes: the Hub's own {@code refs/convert/parquet} is one.
   */
  void createBranch(RepoMeta repoAtStart, String branch, String commitId) {
    ReentrantLock lock = lockFor(repoAtStart.type(), repoAtStart.id());
    lock.lock();
    try {
      RepoMeta repo =
          repo(repoAtStart.type(), repoAtStart.id()).orElseThrow(HubError::repoNotFound);
      if (repo.refs().containsKey(branch)) {
        throw new HubError(409, null, "Reference already exists: " + Names.show(branch));
      }
      write(
          repoDir(repo.type(), repo.id()).resolve("repo.json"),
          repo.withRef(branch, commitId, repo.pullRequests()));
    } finally {
      lock.unlock();
    }
  }

  /** A branch name ("HEAD" meaning the default branch) or a full or abbreviated commit id. */
  Optional<Commit> resolve(RepoMeta repo, String rev) {
    String ref = "HEAD".equals(rev) ? DEFAULT_BRANCH : rev;
    String commitId = repo.refs().get(ref);
    if (commitId != null) return Optional.of(commit(repo, commitId));
    if (!HEX.matcher(rev).matches()) return Optional.empty();
    Path dir = repoDir(repo.type(), repo.id()).resolve("commits");
    Path exact = dir.resolve(rev + ".json");
    if (Files.exists(exact)) return Optional.of(readCommit(exact));
    try (var files = Files.list(dir)) {
      List<Path> matches = files.filter(p -> p.getFileName().toString().startsWith(rev)).toList();
      return matches.size() == 1 ? Optional.of(readCommit(matches.get(0))) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Commit commit(RepoMeta repo, String id) {
    return readCommit(repoDir(repo.type(), repo.id()).resolve("commits").resolve(id + ".json"));
  }

  private Commit readCommit(Path file) {
    return commitCache.computeIfAbsent(file, f -> read(f, Commit.class));
  }

  /**
   * Commits reachable from {@code head}, newest first (first parents only: the local Hub never
   * merges).
   */
  List<Commit> history(RepoMeta repo, Commit head) {
    List<Commit> out = new ArrayList<>();
    for (Commit c = head;
        c != null;
        c = c.parents().isEmpty() ? null : commit(repo, c.parents().get(0))) out.add(c);
    return out;
  }

  /**
   * Applies one NDJSON commit to branch {@code rev} under the repo's lock. A concurrent commit gets
   * 409 and a stale {@code parentCommit} 412, as on the real Hub. With {@code createPr} the commit
   * goes to a new {@code refs/pr/N} branch instead. Returns the new commit and, for a PR, its
   * number.
   */
  Applied apply(
      RepoMeta repoAtStart,
      String rev,
      String parentCommit,
      boolean createPr,
      List<Change> changes,
      String title,
      String message,
      String author) {
    ReentrantLock lock = lockFor(repoAtStart.type(), repoAtStart.id());
    try {
      if (!lock.tryLock(5, TimeUnit.SECONDS)) {
        throw new HubError(
            409,
            null,
            "There is a conflicting operation in progress on this repository, retry later");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubError(503, null, "interrupted");
    }
    sweepLock.readLock().lock();
    try {
      RepoMeta repo =
          repo(repoAtStart.type(), repoAtStart.id()).orElseThrow(HubError::repoNotFound);
      boolean isBranch = repo.refs().containsKey("HEAD".equals(rev) ? DEFAULT_BRANCH : rev);
      Commit head = resolve(repo, rev).orElseThrow(() -> HubError.revisionNotFound(rev));
      if (!isBranch && !createPr)
        throw HubError.badRequest("Can only commit to a branch, not to commit " + rev);
      if (parentCommit != null && !head.id().startsWith(parentCommit.toLowerCase())) {
        throw new HubError(
            412,
            null,
            "The branch was updated since you opened this page. Please refresh and try again.");
      }
      SortedMap<String, FileEntry> files = new TreeMap<>(head.files());
      for (Change change : changes) applyChange(repo, files, change);
      checkNoFileBesideFolder(files);
      Commit created = newCommit(List.of(head.id()), title, message, author, files);
      write(
          repoDir(repo.type(), repo.id()).resolve("commits").resolve(created.id() + ".json"),
          created);
      int pr = createPr ? repo.pullRequests() + 1 : 0;
      String ref = createPr ? "refs/pr/" + pr : ("HEAD".equals(rev) ? DEFAULT_BRANCH : rev);
      write(
          repoDir(repo.type(), repo.id()).resolve("repo.json"),
          repo.withRef(ref, created.id(), createPr ? pr : repo.pullRequests()));
      return new Applied(created, pr);
    } finally {
      sweepLock.readLock().unlock();
      lock.unlock();
    }
  }

  record Applied(Commit commit, int pullRequest) {}

  private void applyChange(RepoMeta repo, SortedMap<String, FileEntry> files, Change change) {
    if (change instanceof AddRegular add) {
      files.put(add.path(), regular(add.content()));
    } else if (change instanceof AddLfs add) {
      if (!usable(repo, add.sha256())) {
        throw HubError.badRequest(
            "LFS object " + add.sha256() + " for " + add.path() + " was never uploaded");
      }
      long size = objectSize(add.sha256());
      if (add.size() != null && add.size() != size) {
        throw HubError.badRequest(
            "LFS object " + add.sha256() + " has size " + size + ", not " + add.size());
      }
      String pointerOid =
          GitOids.gitBlobSha1(
              GitOids.lfsPointer(add.sha256(), size).getBytes(StandardCharsets.UTF_8));
      files.put(add.path(), new FileEntry(add.sha256(), size, pointerOid, true));
    } else if (change instanceof DeleteFile delete) {
      if (files.remove(delete.path()) == null) {
        throw new HubError(
            404, "EntryNotFound", "A file with this name doesn't exist: " + delete.path());
      }
    } else if (change instanceof DeleteFolder delete) {
      String prefix = delete.path().endsWith("/") ? delete.path() : delete.path() + "/";
      if (!files.keySet().removeIf(p -> p.startsWith(prefix))) {
        throw new HubError(
            404, "EntryNotFound", "A folder with this name doesn't exist: " + delete.path());
      }
    }
  }

  /**
   * A path cannot be a file and a folder at once: git could not store the tree, the clients could
   * not download it.
   */
  private static void checkNoFileBesideFolder(SortedMap<String, FileEntry> files) {
    for (String path : files.keySet()) {
      for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
        String folder = path.substring(0, slash);
        if (files.containsKey(folder)) {
          throw HubError.badRequest(
              "'"
                  + Names.show(folder)
                  + "' would be both a file and the folder of '"
                  + Names.show(path)
                  + "'; delete one of them in the same commit");
        }
      }
    }
  }

  private FileEntry regular(byte[] content) {
    return new FileEntry(putObject(content), content.length, GitOids.gitBlobSha1(content), false);
  }

  private Commit newCommit(
      List<String> parents,
      String title,
      String message,
      String author,
      SortedMap<String, FileEntry> files) {
    String date = now();
    // The id covers parent, tree, text and time, so two identical commits in a row still get
    // distinct ids.
    String material =
        parents + "\n" + files + "\n" + title + "\n" + message + "\n" + date + System.nanoTime();
    String id =
        HexFormat.of()
            .formatHex(GitOids.digest("SHA-1").digest(material.getBytes(StandardCharsets.UTF_8)));
    return new Commit(id, parents, title, message, author, date, files);
  }

  // ---- content-addressed objects

  Path objectPath(String sha256) {
    return root.resolve("objects").resolve(sha256.substring(0, 2)).resolve(sha256);
  }

  private static final java.util.regex.Pattern SHA256 =
      java.util.regex.Pattern.compile("[0-9a-f]{64}");

  boolean hasObject(String sha256) {
    return SHA256.matcher(sha256).matches() && Files.exists(objectPath(sha256));
  }

  long objectSize(String sha256) {
    try {
      return Files.size(objectPath(sha256));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Lets commits to {@code repo} name {@code sha256} for {@code ttl}: it was just uploaded for that
   * repo.
   */
  void grant(String type, String id, String sha256, Duration ttl) {
    grants.put(type + "/" + id + " " + sha256, Instant.now().plus(ttl));
  }

  /**
   * True if commits to the repo may name the stored object: uploaded for it, or already in its
   * history.
   */
  boolean usable(RepoMeta repo, String sha256) {
    if (!hasObject(sha256)) return false;
    Instant until = grants.get(repo.type() + "/" + repo.id() + " " + sha256);
    if (until != null && until.isAfter(Instant.now())) return true;
    for (String commitId : repo.refs().values()) {
      for (Commit c : history(repo, commit(repo, commitId))) {
        for (FileEntry f : c.files().values()) if (f.sha256().equals(sha256)) return true;
      }
    }
    return false;
  }

  /**
   * True if the object is stored; then its expiry starts again, for a commit that is about to name
   * it.
   */
  boolean touchObject(String sha256) {
    if (!hasObject(sha256)) return false;
    sweepLock.readLock().lock();
    try {
      Files.setLastModifiedTime(objectPath(sha256), FileTime.from(Instant.now()));
      return true;
    } catch (IOException e) {
      return false; // swept meanwhile: upload it again
    } finally {
      sweepLock.readLock().unlock();
    }
  }

  String putObject(byte[] content) {
    String sha = GitOids.sha256(content);
    if (hasObject(sha)) return sha;
    try {
      Path tmp = Files.createTempFile(root.resolve("objects").resolve("tmp"), "put", ".tmp");
      Files.write(tmp, content);
      moveInto(tmp, objectPath(sha));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return sha;
  }

  /**
   * Streams an upload to a temp file and keeps it only if its sha256 and size are the announced
   * ones.
   */
  void putObject(InputStream in, String expectedSha256, long expectedSize) throws IOException {
    Path tmp = Files.createTempFile(root.resolve("objects").resolve("tmp"), "lfs", ".tmp");
    try {
      MessageDigest md = GitOids.digest("SHA-256");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        // Fill a large buffer before hashing and writing it: one write call per MB, not per network
        // chunk.
        byte[] buf = new byte[1 << 20];
        for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
          md.update(buf, 0, n);
          out.write(buf, 0, n);
        }
      }
      String actual = HexFormat.of().formatHex(md.digest());
      long size = Files.size(tmp);
      if (!actual.equals(expectedSha256) || (expectedSize >= 0 && size != expectedSize)) {
        throw HubError.badRequest(
            "Uploaded content does not match oid " + expectedSha256 + " and size " + expectedSize);
      }
      moveInto(tmp, objectPath(expectedSha256));
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  Path partsDir(String sha256) {
    return root.resolve("objects").resolve("parts").resolve(sha256);
  }

  void deleteParts(String sha256) throws IOException {
    deleteTree(partsDir(sha256));
  }

  /**
   * Deletes what uploads left that no commit names and that has not changed for {@code ttl}:
   * objects, the parts of multipart uploads never completed, temp files of interrupted ones.
   * Returns how many were deleted.
   */
  int sweepUploads(Duration ttl) throws IOException {
    Instant before = Instant.now().minus(ttl);
    int deleted = 0;
    sweepLock.writeLock().lock();
    try {
      grants.values().removeIf(until -> until.isBefore(Instant.now()));
      Set<String> named = new HashSet<>();
      Path repos = root.resolve("repos");
      try (Stream<Path> commitFiles = Files.walk(repos)) {
        for (Path f : (Iterable<Path>) commitFiles::iterator) {
          if (f.getParent().getFileName().toString().equals("commits")
              && f.toString().endsWith(".json")) {
            readCommit(f).files().values().forEach(e -> named.add(e.sha256()));
          }
        }
      }
      Path objects = root.resolve("objects");
      try (Stream<Path> dirs = Files.list(objects)) {
        for (Path dir : dirs.toList()) {
          String name = dir.getFileName().toString();
          if (name.equals("parts")) {
            try (Stream<Path> uploads = Files.list(dir)) {
              for (Path upload : uploads.toList()) {
                if (newest(upload).isBefore(before)) {
                  deleteTree(upload);
                  deleted++;
                }
              }
            }
          } else if (name.equals("tmp") || name.length() == 2) {
            try (Stream<Path> files = Files.list(dir)) {
              for (Path f : files.toList()) {
                boolean unnamed = name.equals("tmp") || !named.contains(f.getFileName().toString());
                if (unnamed && Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                  Files.deleteIfExists(f);
                  deleted++;
                }
              }
            }
          }
        }
      }
    } finally {
      sweepLock.writeLock().unlock();
    }
    return deleted;
  }

  private static Instant newest(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      Instant newest = Instant.EPOCH;
      for (Path p : (Iterable<Path>) all::iterator) {
        Instant t = Files.getLastModifiedTime(p).toInstant();
        if (t.isAfter(newest)) newest = t;
      }
      return newest;
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }

  private static void moveInto(Path tmp, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  // ---- plumbing

  private ReentrantLock lockFor(String type, String id) {
    return repoLocks.computeIfAbsent(type + "/" + id, k -> new ReentrantLock());
  }

  /**
   * Checks the id again here, the one place that turns ids into paths, so no caller can step
   * outside the root.
   */
  private Path repoDir(String type, String id) {
    if (!Endpoints.REPO_TYPES.contains(type + "s")) throw HubError.badRequest("Invalid repo type");
    return root.resolve("repos").resolve(type + "s").resolve(Names.repoId(id));
  }

  private <T> T read(Path file, Class<T> type) {
    try {
      return json.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Write-then-rename, so a crash never leaves half a ref or commit behind. */
  private void write(Path file, Object value) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      json.writeValue(tmp.toFile(), value);
      moveInto(tmp, file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }
}
