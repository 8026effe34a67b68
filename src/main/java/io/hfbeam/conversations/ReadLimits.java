package io.hfbeam.conversations;

/**
 * Size caps of the readers; a record beyond one is a located failure, never a crash or a cut.
 *
 * <p>{@code maxContentBytes} (default 512 KiB of UTF-8 per message): about 128k tokens, the whole
 * context of the default summary model (gpt-4o-mini) and far more than an embedding model reads
 * (all-MiniLM-L6-v2 reads 256 tokens); a longer message cannot be summarised whole, and Kura would
 * send it anyway and fail at the API. {@code maxRecordBytes} (default 16 MiB): one conversation's
 * JSON, so that a runaway line is never held whole.
 */
public record ReadLimits(int maxContentBytes, int maxRecordBytes) {
  public static final ReadLimits DEFAULT = new ReadLimits(512 * 1024, 16 * 1024 * 1024);

  public ReadLimits {
    if (maxContentBytes < 1 || maxRecordBytes < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
  }
}
