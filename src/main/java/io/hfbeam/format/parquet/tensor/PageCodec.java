package io.hfbeam.format.parquet.tensor;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import io.hfbeam.format.Bytes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.xerial.snappy.Snappy;

/**
 * Compresses one page body into a reused buffer. ZSTD keeps one native context per column writer
 * (contexts are not thread-safe, and reusing one avoids a native allocation per page). Output is
 * deterministic for all codecs (Java's GZIP header carries no timestamp).
 */
final class PageCodec implements AutoCloseable {
  private final CompressionCodecName codec;
  private final ZstdCompressCtx zstd;
  private final Bytes out = new Bytes(1 << 16);

  PageCodec(CompressionCodecName codec, int zstdLevel) {
    this.codec =
        switch (codec) {
          case ZSTD, SNAPPY, GZIP, UNCOMPRESSED -> codec;
          default ->
              throw new IllegalArgumentException(
                  "unsupported codec " + codec + "; use ZSTD, SNAPPY, GZIP or UNCOMPRESSED");
        };
    this.zstd =
        codec == CompressionCodecName.ZSTD ? new ZstdCompressCtx().setLevel(zstdLevel) : null;
  }

  /**
   * The compressed form of {@code in}; for UNCOMPRESSED, {@code in} itself. Valid until the next
   * call.
   */
  Bytes compress(Bytes in) {
    try {
      switch (codec) {
        case UNCOMPRESSED:
          return in;
        case ZSTD:
          {
            out.reset();
            out.ensure((int) Zstd.compressBound(in.size));
            out.size = zstd.compressByteArray(out.buf, 0, out.buf.length, in.buf, 0, in.size);
            return out;
          }
        case SNAPPY:
          {
            out.reset();
            out.ensure(Snappy.maxCompressedLength(in.size));
            out.size = Snappy.rawCompress(in.buf, 0, in.size, out.buf, 0);
            return out;
          }
        default:
          {
            out.reset();
            try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
              gz.write(in.buf, 0, in.size);
            }
            return out;
          }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    if (zstd != null) zstd.close();
  }
}
