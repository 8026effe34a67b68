package io.hfbeam.llm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks that a path names a GGUF model file before llama.cpp sees it: llama.cpp answers a wrong
 * path or a wrong file with a crash-like native message, we answer with one line. Touches no native
 * code.
 */
public final class GgufFile {
  private GgufFile() {}

  /**
   * Returns the absolute path of a readable GGUF file (magic {@code GGUF}, version 2 or 3).
   *
   * @throws IOException with one readable line saying what is wrong
   */
  public static Path check(Path path) throws IOException {
    Path p = path.toAbsolutePath().normalize();
    if (!Files.exists(p)) throw new IOException("model file not found: " + p);
    if (!Files.isRegularFile(p)) throw new IOException("model path is not a regular file: " + p);
    if (!Files.isReadable(p)) throw new IOException("model file is not readable: " + p);
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(p)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (n < head.length || head[0] != 'G' || head[1] != 'G' || head[2] != 'U' || head[3] != 'F') {
      throw new IOException("not a GGUF model file (no GGUF header): " + p);
    }
    int version = ByteBuffer.wrap(head, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    if (version < 2 || version > 3) {
      throw new IOException("unsupported GGUF version " + version + " (2 or 3 expected): " + p);
    }
    return p;
  }
}
