package io.hfbeam.chess;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/** Opens PGN files, decompressing {@code .gz}, {@code .bz2} and {@code .zst} by file extension. */
public final class PgnFiles {
  private static final int BUFFER = 1 << 16;

  private PgnFiles() {}

  /**
   * The file's bytes, decompressed when the name ends in .gz, .bz2 or .zst. Compressed files can
   * only be read as one stream (no byte-range splitting); concatenated members/frames are read
   * through.
   */
  public static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      if (name.endsWith(".gz")) return new GZIPInputStream(raw, BUFFER);
      if (name.endsWith(".bz2"))
        return new BufferedInputStream(new BZip2CompressorInputStream(raw, true), BUFFER);
      if (name.endsWith(".zst")) return new BufferedInputStream(new ZstdInputStream(raw), BUFFER);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
    return raw;
  }

  /** True when {@link #open} reads the file as plain bytes, so {@link PgnRanges} can split it. */
  public static boolean isSplittable(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return !(name.endsWith(".gz") || name.endsWith(".bz2") || name.endsWith(".zst"));
  }
}
