package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * A read-only channel over a {@link RangedSource}, so a zip's central directory can be read from a
 * remote file with a few range requests instead of a download. Closing it leaves the source open.
 */
final class RangedChannel implements SeekableByteChannel {
  private final RangedSource source;
  private long position;
  private boolean open = true;

  RangedChannel(RangedSource source) {
    this.source = source;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    if (!open) throw new ClosedChannelException();
    if (position >= source.size()) return -1;
    int n = (int) Math.min(dst.remaining(), Math.min(source.size() - position, 1 << 20));
    if (n == 0) return 0;
    byte[] buf = new byte[n];
    source.readFully(position, buf, 0, n);
    dst.put(buf);
    position += n;
    return n;
  }

  @Override
  public int write(ByteBuffer src) {
    throw new NonWritableChannelException();
  }

  @Override
  public long position() {
    return position;
  }

  @Override
  public SeekableByteChannel position(long newPosition) {
    if (newPosition < 0) throw new IllegalArgumentException("negative position " + newPosition);
    position = newPosition;
    return this;
  }

  @Override
  public long size() {
    return source.size();
  }

  @Override
  public SeekableByteChannel truncate(long size) {
    throw new NonWritableChannelException();
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }
}
