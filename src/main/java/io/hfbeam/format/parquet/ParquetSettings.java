package io.hfbeam.format.parquet;

import java.io.Serializable;
import java.util.Locale;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How Parquet files are written: codec, row group and page sizes. Immutable; build with {@link
 * #builder()}.
 */
public final class ParquetSettings implements Serializable {
  /** The codecs every Parquet reader we target (datasets/pyarrow, DuckDB, polars) supports. */
  public enum Codec {
    ZSTD(CompressionCodecName.ZSTD),
    SNAPPY(CompressionCodecName.SNAPPY),
    GZIP(CompressionCodecName.GZIP),
    /** LZ4 as Parquet's LZ4_RAW (the plain LZ4 block format pyarrow and DuckDB read). */
    LZ4(CompressionCodecName.LZ4_RAW),
    UNCOMPRESSED(CompressionCodecName.UNCOMPRESSED);

    private final CompressionCodecName parquet;

    Codec(CompressionCodecName parquet) {
      this.parquet = parquet;
    }

    public CompressionCodecName parquet() {
      return parquet;
    }

    /** Parses {@code zstd|snappy|gzip|lz4|none} (also {@code uncompressed}), case-insensitive. */
    public static Codec parse(String name) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      return switch (n) {
        case "zstd" -> ZSTD;
        case "snappy" -> SNAPPY;
        case "gzip" -> GZIP;
        case "lz4", "lz4_raw" -> LZ4;
        case "none", "uncompressed" -> UNCOMPRESSED;
        default ->
            throw new IllegalArgumentException(
                "unknown Parquet codec '" + name + "'; use zstd, snappy, gzip, lz4 or none");
      };
    }
  }

  public static final long DEFAULT_ROW_GROUP_BYTES = 128L * 1024 * 1024;
  public static final int DEFAULT_PAGE_BYTES = 1024 * 1024;

  private final Codec codec;
  private final long rowGroupBytes;
  private final int pageBytes;

  private ParquetSettings(Builder b) {
    this.codec = b.codec;
    this.rowGroupBytes = b.rowGroupBytes;
    this.pageBytes = b.pageBytes;
  }

  public static ParquetSettings defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Codec codec() {
    return codec;
  }

  /**
   * Target uncompressed size of one row group; the Hub viewer wants 100-300 MB (hub-protocol.md
   * E.5).
   */
  public long rowGroupBytes() {
    return rowGroupBytes;
  }

  public int pageBytes() {
    return pageBytes;
  }

  public Builder toBuilder() {
    return new Builder().codec(codec).rowGroupBytes(rowGroupBytes).pageBytes(pageBytes);
  }

  @Override
  public String toString() {
    return "ParquetSettings{codec="
        + codec
        + ", rowGroupBytes="
        + rowGroupBytes
        + ", pageBytes="
        + pageBytes
        + "}";
  }

  public static final class Builder {
    private Codec codec = Codec.ZSTD;
    private long rowGroupBytes = DEFAULT_ROW_GROUP_BYTES;
    private int pageBytes = DEFAULT_PAGE_BYTES;

    private Builder() {}

    public Builder codec(Codec codec) {
      this.codec = java.util.Objects.requireNonNull(codec, "codec");
      return this;
    }

    public Builder codec(String name) {
      return codec(Codec.parse(name));
    }

    public Builder rowGroupBytes(long bytes) {
      if (bytes < 1024)
        throw new IllegalArgumentException("rowGroupBytes must be >= 1024, got " + bytes);
      this.rowGroupBytes = bytes;
      return this;
    }

    public Builder pageBytes(int bytes) {
      if (bytes < 1024)
        throw new IllegalArgumentException("pageBytes must be >= 1024, got " + bytes);
      this.pageBytes = bytes;
      return this;
    }

    public ParquetSettings build() {
      return new ParquetSettings(this);
    }
  }
}
