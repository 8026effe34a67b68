package io.hfbeam.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The download cache, laid out exactly as huggingface_hub lays it out, so each side finds the
 * other's files: {@code {type}s--{ns}--{name}/blobs/{etag}}, {@code snapshots/{commit}/{path}} as
 * relative symlinks to the blobs, and {@code refs/{revision}} holding the commit a revision pointed
 * to.
 */
public final class HubCache {
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

  /**
   * A cache blob is named by the git blob sha1 or, for LFS and xet files, the sha256 of the
   * content.
   */
  private static final Pattern BLOB_NAME = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private final Path root;

  public HubCache(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  public Path repoDir(RepoId repo) {
    return root.resolve(repo.cacheFolderName());
  }

  public Path blob(RepoId repo, String etag) {
    return inside(repoDir(repo).resolve("blobs").resolve(checkBlobName(etag, "ETag")));
  }

  public Path snapshotDir(RepoId repo, String commit) {
    return inside(repoDir(repo).resolve("snapshots").resolve(checkCommit(commit, "commit id")));
  }

  public Path snapshotFile(RepoId repo, String commit, String path) {
    return inside(snapshotDir(repo, commit).resolve(checkRepoPath(path, "path in the repo")));
  }

  /**
   * The commit a revision pointed to at the last online lookup; a full commit id resolves to
   * itself.
   */
  public Optional<String> commitFor(RepoId repo, String revision) throws IOException {
    if (COMMIT.matcher(revision).matches()) return Optional.of(revision);
    Path ref = inside(repoDir(repo).resolve("refs").resolve(checkRepoPath(revision, "revision")));
    if (!Files.isRegularFile(ref)) return Optional.empty();
    String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
    if (!COMMIT.matcher(commit).matches()) {
      throw new HubException(
          0,
          null,
          "the cache file "
              + ref
              + " holds "
              + show(commit)
              + ", not a commit id (40 hex digits); delete it and download again");
    }
    return Optional.of(commit);
  }

  /**
   * Written atomically and without a newline, as Python writes it ("refs/pr/1" nests as
   * refs/refs/pr/1).
   */
  public void writeRef(RepoId repo, String revision, String commit) throws IOException {
    checkCommit(commit, "commit id");
    if (revision.equals(commit)) return;
    Path ref = inside(repoDir(repo).resolve("refs").resolve(checkRepoPath(revision, "revision")));
    Files.createDirectories(ref.getParent());
    if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit))
      return;
    Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    move(tmp, ref);
  }

  /**
   * Points {@code snapshots/{commit}/{path}} at the blob with a relative symlink (a copy where
   * links fail). The link is made under a temporary name and renamed into place, so a concurrent
   * reader never finds it missing.
   */
  public Path link(RepoId repo, String commit, String path, String etag) throws IOException {
    Path target = snapshotFile(repo, commit, path);
    Files.createDirectories(target.getParent());
    Path blob = blob(repo, etag);
    Path tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.createSymbolicLink(tmp, target.getParent().relativize(blob));
    } catch (UnsupportedOperationException | IOException e) {
      Files.copy(blob, tmp);
    }
    move(tmp, target);
    return target;
  }

  /**
   * A path in a repo, or a revision, that can name a file under the cache: relative, '/'-separated,
   * no empty, '.' or '..' segment, no backslash and no control character (NUL included). Anything
   * else could reach outside the cache (a hostile Hub, a mistyped argument); throws
   * IllegalArgumentException naming {@code what}.
   */
  public static String checkRepoPath(String path, String what) {
    String problem = null;
    if (path == null || path.isEmpty()) problem = "is empty";
    else if (path.startsWith("/")) problem = "is absolute";
    else if (path.indexOf('\\') >= 0) problem = "has a backslash";
    else if (path.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) problem = "has a control character";
    else {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          problem = "has an empty, '.' or '..' segment";
          break;
        }
      }
    }
    if (problem != null)
      throw new IllegalArgumentException(what + " " + show(path) + " " + problem);
    return path;
  }

  /** A full commit id: exactly 40 lower-case hex digits. */
  public static String checkCommit(String commit, String what) {
    if (commit == null || !COMMIT.matcher(commit).matches()) {
      throw new IllegalArgumentException(
          what + " " + show(commit) + " is not a commit id (40 hex digits)");
    }
    return commit;
  }

  /** A blob name: a git blob sha1 or a sha256, in lower-case hex. */
  static String checkBlobName(String etag, String what) {
    if (etag == null || !BLOB_NAME.matcher(etag).matches()) {
      throw new IllegalArgumentException(
          what + " " + show(etag) + " is not a sha1 or sha256 in hex");
    }
    return etag;
  }

  /** The final check: whatever the parts were, the path must stay inside the cache. */
  private Path inside(Path p) {
    Path base = root.toAbsolutePath().normalize();
    if (!p.toAbsolutePath().normalize().startsWith(base)) {
      throw new IllegalArgumentException(p + " is outside the cache " + base);
    }
    return p;
  }

  /** A value for an error message: quoted, control characters escaped, cut at 80 characters. */
  static String show(String value) {
    if (value == null) return "(none)";
    StringBuilder sb = new StringBuilder("'");
    value
        .codePoints()
        .limit(80)
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", c));
              else sb.appendCodePoint(c);
            });
    return sb.append(value.length() > 80 ? "...'" : "'").toString();
  }

  /** Also used to publish a finished download from {@code blobs/{etag}.incomplete}. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
