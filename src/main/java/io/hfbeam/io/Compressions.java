package io.hfbeam.io;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
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
    String n = f.getFileName().toString();
    return n.endsWith(".gz") || n.endsWith(".bz2") || n.endsWith(".zst");
  }

  public static InputStream open(Path f) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(f), 1 << 16);
    String n = f.getFileName().toString();
    if (n.endsWith(".gz")) return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
    if (n.endsWith(".bz2")) return new BufferedInputStream(new BZip2CompressorInputStream(raw), 1 << 16);
    if (n.endsWith(".zst")) return new BufferedInputStream(new ZstdInputStream(raw), 1 << 16);
    return raw;
  }
}
