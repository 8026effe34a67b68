package io.hfbeam.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The download cache, laid out exactly as huggingface_hub lays it out, so each side finds the other's files:
 * {@code {type}s--{ns}--{name}/blobs/{etag}}, {@code snapshots/{commit}/{path}} as relative symlinks to the
 * blobs, and {@code refs/{revision}} holding the commit a revision pointed to.
 */
public final class HubCache {
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
    return repoDir(repo).resolve("blobs").resolve(etag);
  }

  public Path snapshotDir(RepoId repo, String commit) {
    return repoDir(repo).resolve("snapshots").resolve(commit);
  }

  public Path snapshotFile(RepoId repo, String commit, String path) {
    return snapshotDir(repo, commit).resolve(path);
  }

  /** The commit a revision pointed to at the last online lookup; a full commit id resolves to itself. */
  public Optional<String> commitFor(RepoId repo, String revision) throws IOException {
    if (revision.matches("[0-9a-f]{40}")) return Optional.of(revision);
    Path ref = repoDir(repo).resolve("refs").resolve(revision);
    return Files.isRegularFile(ref) ? Optional.of(Files.readString(ref, StandardCharsets.UTF_8).trim()) : Optional.empty();
  }

  /** Written atomically and without a newline, as Python writes it ("refs/pr/1" nests as refs/refs/pr/1). */
  public void writeRef(RepoId repo, String revision, String commit) throws IOException {
    if (revision.equals(commit)) return;
    Path ref = repoDir(repo).resolve("refs").resolve(revision);
    Files.createDirectories(ref.getParent());
    if (Files.isRegularFile(ref) && Files.readString(ref, StandardCharsets.UTF_8).equals(commit)) return;
    Path tmp = Files.createTempFile(ref.getParent(), ".ref", ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    move(tmp, ref);
  }

  /**
   * Points {@code snapshots/{commit}/{path}} at the blob with a relative symlink (a copy where links fail). The
   * link is made under a temporary name and renamed into place, so a concurrent reader never finds it missing.
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

  /** Also used to publish a finished download from {@code blobs/{etag}.incomplete}. */
  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
