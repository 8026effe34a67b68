package io.hfbeam.chess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a plain PGN file into byte ranges at game boundaries so several readers can parse it in
 * parallel and together see every game exactly once, exactly as one reader of the whole file sees
 * them.
 *
 * <p>A reader for an arbitrary range [start, end) parses the bytes from {@code
 * nextGameStart(start)} up to {@code nextGameStart(end)}. Both ends use the same function, so
 * adjacent ranges meet at the same game boundary whatever offsets the caller picked.
 *
 * <p>A game boundary is a line starting with {@code [} right after a blank line (see {@link
 * PgnReader}): two lines decide it, not what came before, so the answer is the same from any
 * offset, also inside a comment. The reader ends whatever is open at a boundary, so a range's
 * reader and the whole file's reader agree. Games that start elsewhere (no blank line before the
 * tags, no tags) are read by the range whose boundary precedes them.
 */
public final class PgnRanges {
  public record ByteRange(long start, long end) {}

  private PgnRanges() {}

  /**
   * Offset of the first game boundary at or after {@code offset}, or the channel size when there is
   * none; the file start is one.
   */
  public static long nextGameStart(SeekableByteChannel ch, long offset) throws IOException {
    long size = ch.size();
    if (offset >= size) return size;
    if (offset <= 0) return 0;
    // The first line read is a tail when offset is inside a line; the line before the first whole
    // line may begin before offset, so its blankness is read backwards.
    boolean partialLine = byteAt(ch, offset - 1) != '\n';
    boolean afterBlank = blankBefore(ch, partialLine ? offset : offset - 1);
    ch.position(offset);
    LineInput lines = new LineInput(Channels.newInputStream(ch), offset);
    while (lines.next()) {
      byte[] b = lines.line;
      int len = lines.length;
      boolean blank = !lines.tooLong && isBlank(b, len);
      if (partialLine) {
        partialLine = false;
        afterBlank &= blank;
        continue;
      }
      if (afterBlank && len > 0 && b[0] == '[') return lines.lineOffset;
      afterBlank = blank;
    }
    return size;
  }

  private static byte byteAt(SeekableByteChannel ch, long at) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    ch.position(at);
    ch.read(one);
    return one.get(0);
  }

  /**
   * True when the bytes before {@code at}, back to the previous newline or the file start, are all
   * whitespace.
   */
  private static boolean blankBefore(SeekableByteChannel ch, long at) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(256);
    while (at > 0) {
      int n = (int) Math.min(buf.capacity(), at);
      buf.clear().limit(n);
      ch.position(at - n);
      while (buf.hasRemaining() && ch.read(buf) >= 0) {}
      for (int i = n - 1; i >= 0; i--) {
        byte c = buf.get(i);
        if (c == '\n') return true;
        if (!PgnReader.isSpace(c)) return false;
      }
      at -= n;
    }
    return true;
  }

  /**
   * About {@code parts} ranges of the file, each starting at a game start, together covering the
   * file.
   */
  public static List<ByteRange> split(Path file, int parts) throws IOException {
    List<ByteRange> ranges = new ArrayList<>();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      long start = 0;
      for (int i = 1; i <= parts; i++) {
        long end = i == parts ? size : nextGameStart(ch, size / parts * i);
        if (end > start) ranges.add(new ByteRange(start, end));
        start = Math.max(start, end);
      }
    }
    return ranges;
  }

  /**
   * A reader of the games that start in [start, end) of a plain PGN file, as described in the class
   * comment.
   */
  public static PgnReader read(Path file, long start, long end) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      long from = nextGameStart(ch, start);
      long to = end >= size ? size : nextGameStart(ch, end);
      PgnReader reader = new PgnReader(new RangeStream(ch, from, Math.max(from, to)), from);
      if (to < size) reader.endsAtBoundary();
      return reader;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static boolean isBlank(byte[] b, int len) {
    for (int i = 0; i < len; i++) {
      if (!PgnReader.isSpace(b[i])) return false;
    }
    return true;
  }

  /** The bytes [position, end) of a file channel, read with positional reads. */
  private static final class RangeStream extends InputStream {
    private final FileChannel ch;
    private long position;
    private final long end;

    RangeStream(FileChannel ch, long position, long end) {
      this.ch = ch;
      this.position = position;
      this.end = end;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (position >= end) return -1;
      int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - position)), position);
      if (n > 0) position += n;
      return n;
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
