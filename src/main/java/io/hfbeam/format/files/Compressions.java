package io.hfbeam.format.files;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** Opens a file, decompressing by extension (.gz, .bz2, .zst). */
public final class Compressions {
  private Compressions() {}

  public static boolean isCompressed(Path f) {
    return !kind(f).equals("plain");
  }

  /** The compression's name for messages: gzip, bzip2, zstd or "plain". */
  public static String kind(Path f) {
    String n = f.getFileName().toString();
    return n.endsWith(".gz")
        ? "gzip"
        : n.endsWith(".bz2") ? "bzip2" : n.endsWith(".zst") ? "zstd" : "plain";
  }

  public static InputStream open(Path f) throws IOException {
    return open(f, Files.newInputStream(f));
  }

  /** Decompresses {@code source}, the bytes of {@code f} (e.g. counted or hashed on the way). */
  public static InputStream open(Path f, InputStream source) throws IOException {
    InputStream raw = new BufferedInputStream(source, 1 << 16);
    try {
      switch (kind(f)) {
        case "gzip":
          return buffered(new GZIPInputStream(raw, 1 << 16));
        case "bzip2":
          return buffered(new BZip2CompressorInputStream(raw));
        case "zstd":
          return buffered(new ZstdInputStream(raw));
        default:
          break;
      }
    } catch (IOException
        | RuntimeException e) { // a header that is not of the format: the file stays closed
      raw.close();
      throw e;
    }
    return raw;
  }

  /**
   * At most this much decoded data just before a corruption is lost with it (see {@link
   * #buffered}).
   */
  static final int SALVAGE_BYTES = 4096;

  /**
   * A decompressor read in small steps, so that the data just before a corruption is kept: a
   * decoder that fails inside one call drops what that call decoded, and BufferedInputStream, which
   * keeps reading while {@code available() > 0}, drops what its earlier calls returned.
   */
  private static InputStream buffered(InputStream decompressor) {
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
}
