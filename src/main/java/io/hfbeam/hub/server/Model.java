package io.hfbeam.hub.server;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/** The records the local Hub keeps on disk as JSON. */
final class Model {
  private Model() {}

  /**
   * One file in a commit's tree; {@code gitOid} is the blob sha1 (of the pointer, for LFS files).
   */
  record FileEntry(String sha256, long size, String gitOid, boolean lfs) {}

  /** A commit holds its whole tree: simple, and repos served locally are small. */
  record Commit(
      String id,
      List<String> parents,
      String title,
      String message,
      String author,
      String date,
      SortedMap<String, FileEntry> files) {}

  record RepoMeta(
      String objectId,
      String type,
      String id,
      boolean privateRepo,
      String createdAt,
      Map<String, String> refs,
      int pullRequests) {
    RepoMeta withRef(String ref, String commit, int prs) {
      Map<String, String> copy = new java.util.TreeMap<>(refs);
      copy.put(ref, commit);
      return new RepoMeta(objectId, type, id, privateRepo, createdAt, copy, prs);
    }
  }

  /** One line of an NDJSON commit, already validated. */
  sealed interface Change permits AddRegular, AddLfs, DeleteFile, DeleteFolder {}

  record AddRegular(String path, byte[] content) implements Change {}

  /** {@code size} is null for Python's LFS copy lines, which leave it out. */
  record AddLfs(String path, String sha256, Long size) implements Change {}

  record DeleteFile(String path) implements Change {}

  record DeleteFolder(String path) implements Change {}
}
