package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.luben.zstd.ZstdInputStream;
import io.hfbeam.format.RangedSource;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * Opens a data file's bytes for a unit: plain files from any offset, compressed ones ({@code .gz},
 * {@code .bz2}, {@code .zst}, {@code .xz}, as {@code datasets} extracts them on the fly)
 * decompressed from the start.
 */
final class UnitInput {
  /** Bytes fetched per request from a (possibly remote) file. */
  static final int BLOCK = 1 << 20;

  private static final List<String> COMPRESSED = List.of(".gz", ".bz2", ".zst", ".xz");

  private UnitInput() {}

  static boolean compressed(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    for (String ext : COMPRESSED) if (p.endsWith(ext)) return true;
    return false;
  }

  /** The path without its compression extension: what the format is read from. */
  static String inner(String path) {
    String p = path.toLowerCase(Locale.ROOT);
    for (String ext : COMPRESSED) {
      if (p.endsWith(ext)) return path.substring(0, path.length() - ext.length());
    }
    return path;
  }

  /** The open file and the stream over its (decompressed) bytes from {@code offset}. */
  record Opened(RangedSource source, InputStream in) implements AutoCloseable {
    @Override
    public void close() throws IOException {
      try (source) {
        in.close();
      }
    }
  }

  /**
   * @param offset where to start; must be 0 for a compressed file
   */
  static Opened open(DatasetFiles files, String path, long offset) throws IOException {
    return open(files, path, offset, BLOCK);
  }

  /**
   * @param blockSize bytes per request (small to peek at a file's start)
   */
  static Opened open(DatasetFiles files, String path, long offset, int blockSize)
      throws IOException {
    RangedSource source = files.open(path);
    try {
      int block = (int) Math.max(1, Math.min(blockSize, source.size()));
      InputStream raw =
          new BufferedInputStream(source.stream(offset, block), Math.min(block, 1 << 16));
      return new Opened(source, decompress(raw, path));
    } catch (IOException | RuntimeException e) {
      source.close();
      throw e;
    }
  }

  static InputStream decompress(InputStream raw, String path) throws IOException {
    String p = path.toLowerCase(Locale.ROOT);
    if (p.endsWith(".gz")) return salvaging(new GZIPInputStream(raw, 1 << 16));
    if (p.endsWith(".bz2")) return salvaging(new BZip2CompressorInputStream(raw));
    if (p.endsWith(".zst")) return salvaging(new ZstdInputStream(raw));
    if (p.endsWith(".xz")) {
      return salvaging(
          new org.apache.commons.compress.compressors.xz.XZCompressorInputStream(raw, true));
    }
    return raw;
  }

  /** At most this much decoded data just before a corruption is lost with it. */
  private static final int SALVAGE_BYTES = 4096;

  /**
   * A decompressor read in small steps, so that the data just before a corruption is kept: a
   * decoder that fails inside one call drops what that call decoded, and a BufferedInputStream that
   * reads on while {@code available() > 0} drops what its earlier calls returned.
   */
  private static InputStream salvaging(InputStream decompressor) {
    return new BufferedInputStream(
        new FilterInputStream(decompressor) {
          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            return in.read(b, off, Math.min(len, SALVAGE_BYTES));
          }

          @Override
          public int available() {
            return 0;
          }
        },
        SALVAGE_BYTES);
  }

  /**
   * Fails for an {@code encoding} kwarg other than UTF-8: the readers decode UTF-8 only.
   *
   * @throws IllegalArgumentException naming the encoding
   */
  static void requireUtf8(Map<String, JsonNode> kwargs) {
    JsonNode e = kwargs.get("encoding");
    if (e == null || e.isNull()) return;
    String enc = e.asText().toLowerCase(Locale.ROOT).replace('_', '-');
    if (!enc.equals("utf-8") && !enc.equals("utf8")) {
      throw new IllegalArgumentException(
          "encoding '" + e.asText() + "' is not supported; the data files must be UTF-8");
    }
  }

  /** Why a compressed file could not be read on, for a failure record. */
  static String corrupt(String path, Exception e) {
    return "corrupt or truncated compressed data in "
        + path
        + ": "
        + e.getClass().getSimpleName()
        + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }
}
