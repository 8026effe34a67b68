package io.hfbeam.hub;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One change of a commit: add (or replace) a file from disk or from bytes, or delete a file. */
public sealed interface CommitOperation {
  String path();

  static Add add(String pathInRepo, Path localFile) {
    return new Add(normalize(pathInRepo), localFile, null);
  }

  static Add add(String pathInRepo, byte[] content) {
    return new Add(normalize(pathInRepo), null, content.clone());
  }

  static Delete delete(String pathInRepo) {
    return new Delete(normalize(pathInRepo));
  }

  /**
   * Content comes from {@code file} or {@code bytes}; hashes are computed once, when first asked.
   */
  final class Add implements CommitOperation {
    private final String path;
    private final Path file;
    private final byte[] bytes;
    private String sha256;
    private String gitSha1;

    private Add(String path, Path file, byte[] bytes) {
      this.path = path;
      this.file = file;
      this.bytes = bytes;
    }

    @Override
    public String path() {
      return path;
    }

    public long size() {
      try {
        return bytes != null ? bytes.length : Files.size(file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public InputStream open() throws IOException {
      return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    /** Bytes [from, from+length) of the content: one multipart slice. */
    byte[] slice(long from, int length) throws IOException {
      try (InputStream in = open()) {
        in.skipNBytes(from);
        return in.readNBytes(length);
      }
    }

    /** The first 512 bytes: what preupload looks at to tell text from binary. */
    byte[] sample() throws IOException {
      try (InputStream in = open()) {
        return in.readNBytes(512);
      }
    }

    byte[] bytes() throws IOException {
      return bytes != null ? bytes : Files.readAllBytes(file);
    }

    Path file() {
      return file;
    }

    public synchronized String sha256() throws IOException {
      if (sha256 == null) sha256 = bytes != null ? GitOids.sha256(bytes) : GitOids.sha256(file);
      return sha256;
    }

    public synchronized String gitSha1() throws IOException {
      if (gitSha1 == null)
        gitSha1 = bytes != null ? GitOids.gitBlobSha1(bytes) : GitOids.gitBlobSha1(file);
      return gitSha1;
    }

    @Override
    public String toString() {
      return "add " + path;
    }
  }

  record Delete(String path) implements CommitOperation {}

  /** The Hub's path rules: no leading "/" or "./", no "." or ".." or ".git" components. */
  private static String normalize(String path) {
    String p = path.replace('\\', '/');
    while (p.startsWith("./") || p.startsWith("/")) p = p.substring(p.startsWith("/") ? 1 : 2);
    if (p.isEmpty()) throw new IllegalArgumentException("empty path in repo");
    for (String part : p.split("/")) {
      if (part.isEmpty() || part.equals(".") || part.equals("..") || part.equals(".git")) {
        throw new IllegalArgumentException("invalid path in repo: " + path);
      }
    }
    return p;
  }
}
