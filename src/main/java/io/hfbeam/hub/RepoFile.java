package io.hfbeam.hub;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A tree entry: a file or a directory. {@code oid} is the git oid; {@code lfsSha256} is set for LFS
 * files.
 */
public record RepoFile(String path, boolean directory, long size, String oid, String lfsSha256) {
  /** The id the Hub compares on upload: sha256 for LFS files, the git blob sha1 otherwise. */
  public String contentOid() {
    return lfsSha256 != null ? lfsSha256 : oid;
  }

  static RepoFile fromJson(JsonNode n) {
    JsonNode lfs = n.path("lfs");
    return new RepoFile(
        n.path("path").asText(),
        "directory".equals(n.path("type").asText()),
        n.path("size").asLong(),
        n.path("oid").asText(null),
        lfs.isObject() ? lfs.path("oid").asText() : null);
  }
}
