package io.hfbeam.format.files;

import io.hfbeam.format.RangedSource;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A local file as a {@link RangedSource}: positional reads on one channel, size fixed at open. */
public final class LocalRangedFile implements RangedSource {
  private final String name;
  private final FileChannel channel;
  private final long size;

  private LocalRangedFile(String name, FileChannel channel, long size) {
    this.name = name;
    this.channel = channel;
    this.size = size;
  }

  /** Opens {@code file}; {@code name} is what messages call it. */
  public static LocalRangedFile open(Path file, String name) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    return new LocalRangedFile(name, ch, ch.size());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return size;
  }

  @Override
  public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
    checkRange(offset, len);
    ByteBuffer b = ByteBuffer.wrap(buf, off, len);
    long at = offset;
    while (b.hasRemaining()) {
      int n = channel.read(b, at);
      if (n < 0) {
        throw new EOFException(
            name + ": the file ended at byte " + at + " (it changed while read)");
      }
      at += n;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
