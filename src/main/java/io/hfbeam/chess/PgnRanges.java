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
 * Splits a plain PGN file into byte ranges at game boundaries so several readers can parse it in parallel and
 * together see every game exactly once.
 *
 * <p>A reader for an arbitrary range [start, end) parses the bytes from {@code nextGameStart(start)} (or 0 when
 * start is 0) up to {@code nextGameStart(end)}. Both ends use the same function, so adjacent ranges meet at the
 * same game boundary whatever offsets the caller picked.
 *
 * <p>A game start is a line beginning with {@code [Event }, or a line beginning with {@code [} that follows a
 * blank line after movetext. Tag-less games are found by the reader of the range they lie in, but cannot mark
 * a boundary; a {@code [Event } line inside a multi-line comment would be mistaken for a game start.
 */
public final class PgnRanges {
  public record ByteRange(long start, long end) {}

  private PgnRanges() {}

  /** Offset of the first game start at or after {@code offset}, or the channel size when there is none. */
  public static long nextGameStart(SeekableByteChannel ch, long offset) throws IOException {
    long size = ch.size();
    if (offset >= size) return size;
    // Scanning must begin at a line start: when the byte before offset is not a newline, the first line read
    // is the tail of a line and cannot be a game start.
    boolean partialLine = false;
    if (offset > 0) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.position(offset - 1);
      ch.read(one);
      partialLine = one.get(0) != '\n';
    }
    ch.position(offset);
    LineInput lines = new LineInput(Channels.newInputStream(ch), offset);
    boolean afterMovetext = false;
    boolean blankAfterMovetext = false;
    while (lines.next()) {
      byte[] b = lines.line;
      int len = lines.length;
      if (partialLine) {
        partialLine = false;
        afterMovetext = !isBlank(b, len);
        continue;
      }
      if (len > 0 && b[0] == '[') {
        if (blankAfterMovetext || startsWith(b, len, "[Event ")) return lines.lineOffset;
        afterMovetext = false;
      } else if (isBlank(b, len)) {
        blankAfterMovetext |= afterMovetext;
      } else if (b[0] != '%') {
        afterMovetext = true;
        blankAfterMovetext = false;
      }
    }
    return size;
  }

  /** About {@code parts} ranges of the file, each starting at a game start, together covering the file. */
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

  /** A reader of the games that start in [start, end) of a plain PGN file, as described in the class comment. */
  public static PgnReader read(Path file, long start, long end) throws IOException {
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = ch.size();
      long from = start == 0 ? 0 : nextGameStart(ch, start);
      long to = end >= size ? size : nextGameStart(ch, end);
      return new PgnReader(new RangeStream(ch, from, Math.max(from, to)), from);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  private static boolean startsWith(byte[] b, int len, String prefix) {
    if (len < prefix.length()) return false;
    for (int i = 0; i < prefix.length(); i++) {
      if (b[i] != prefix.charAt(i)) return false;
    }
    return true;
  }

  private static boolean isBlank(byte[] b, int len) {
    for (int i = 0; i < len; i++) {
      if (b[i] != ' ' && b[i] != '\t') return false;
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
