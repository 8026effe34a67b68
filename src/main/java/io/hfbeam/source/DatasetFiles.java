package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * The files of one dataset at one fixed version: a local directory, or a Hub repo pinned to a
 * commit. Serializable so that workers open the files themselves; every path is repo-relative and
 * checked before it touches a file system or a URL.
 */
public interface DatasetFiles extends Serializable {
  /** What to call the dataset in messages: {@code owner/name@<commit>} or the directory. */
  String describe();

  /**
   * What identifies this version of the dataset exactly (a Hub repo and its full commit; a
   * directory's path), for fingerprints.
   */
  default String version() {
    return describe();
  }

  /** Every file, repo-relative with '/' separators, with its size. */
  List<DataFile> list() throws IOException;

  /** A small text file (the card, {@code .huggingface.yaml}), or empty when it does not exist. */
  Optional<String> readText(String path) throws IOException;

  /** Random access to a file's bytes (HTTP ranges for a Hub repo). */
  RangedSource open(String path) throws IOException;

  /**
   * The file on this machine's disk when it is there (a local directory's file, a Hub file already
   * in the shared cache's {@code snapshots/}), else empty. Archives are extracted from it without a
   * copy, and keyed by its absolute path as {@code datasets} keys them, so both share one
   * extraction.
   */
  default Optional<java.nio.file.Path> localPath(String path) throws IOException {
    return Optional.empty();
  }
}
