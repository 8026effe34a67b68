package io.hfbeam.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The two content ids the Hub uses: the git blob sha1 of a regular file, and the sha256 of an LFS
 * file's content. The git oid of an LFS file is the blob sha1 of its pointer text, which is why the
 * pointer lives here.
 */
public final class GitOids {
  private GitOids() {}

  public static String sha256(byte[] content) {
    return HexFormat.of().formatHex(digest("SHA-256").digest(content));
  }

  public static String sha256(Path file) throws IOException {
    MessageDigest md = digest("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      update(md, in);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The git blob id: sha1 over "blob {size}\0" followed by the content. */
  public static String gitBlobSha1(byte[] content) {
    MessageDigest md = digest("SHA-1");
    md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
    return HexFormat.of().formatHex(md.digest(content));
  }

  public static String gitBlobSha1(Path file) throws IOException {
    MessageDigest md = digest("SHA-1");
    md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
    try (InputStream in = Files.newInputStream(file)) {
      update(md, in);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** The text git stores in place of an LFS file. */
  public static String lfsPointer(String sha256, long size) {
    return "version https://git-lfs.github.com/spec/v1\noid sha256:"
        + sha256
        + "\nsize "
        + size
        + "\n";
  }

  public static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is required by the JDK", e);
    }
  }

  private static void update(MessageDigest md, InputStream in) throws IOException {
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
  }
}
