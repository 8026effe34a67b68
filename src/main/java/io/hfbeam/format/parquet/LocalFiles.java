package io.hfbeam.format.parquet;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;

/**
 * Parquet {@link InputFile}/{@link OutputFile} over plain java.nio files. parquet-hadoop 1.13.1 has
 * none of its own, and going through Hadoop's LocalFileSystem would leave {@code .crc} side files
 * next to the output.
 */
public final class LocalFiles {
  private LocalFiles() {}

  public static OutputFile output(Path path) {
    return new OutputFile() {
      @Override
      public PositionOutputStream create(long blockSizeHint) throws IOException {
        return open(path, StandardOpenOption.CREATE_NEW);
      }

      @Override
      public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
        return open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
      }

      @Override
      public boolean supportsBlockSize() {
        return false;
      }

      @Override
      public long defaultBlockSize() {
        return 0;
      }

      @Override
      public String getPath() {
        return path.toString();
      }
    };
  }

  private static PositionOutputStream open(Path path, StandardOpenOption... options)
      throws IOException {
    OutputStream out =
        new BufferedOutputStream(
            Files.newOutputStream(path, with(options, StandardOpenOption.WRITE)), 64 * 1024);
    return new PositionOutputStream() {
      private long pos;

      @Override
      public long getPos() {
        return pos;
      }

      @Override
      public void write(int b) throws IOException {
        out.write(b);
        pos++;
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        pos += len;
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  private static StandardOpenOption[] with(StandardOpenOption[] options, StandardOpenOption extra) {
    StandardOpenOption[] all = java.util.Arrays.copyOf(options, options.length + 1);
    all[options.length] = extra;
    return all;
  }

  public static InputFile input(Path path) {
    return new InputFile() {
      @Override
      public long getLength() throws IOException {
        return Files.size(path);
      }

      @Override
      public SeekableInputStream newStream() throws IOException {
        return new ChannelInputStream(FileChannel.open(path, StandardOpenOption.READ));
      }

      @Override
      public String toString() {
        return path.toString();
      }
    };
  }

  /** Positioned reads straight from a FileChannel; Parquet seeks to footers and column chunks. */
  private static final class ChannelInputStream extends SeekableInputStream {
    private final FileChannel ch;

    ChannelInputStream(FileChannel ch) {
      this.ch = ch;
    }

    @Override
    public long getPos() throws IOException {
      return ch.position();
    }

    @Override
    public void seek(long newPos) throws IOException {
      ch.position(newPos);
    }

    @Override
    public int read() throws IOException {
      ByteBuffer one = ByteBuffer.allocate(1);
      return ch.read(one) <= 0 ? -1 : one.get(0) & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) return 0;
      return ch.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      readFully(ByteBuffer.wrap(bytes));
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      readFully(ByteBuffer.wrap(bytes, start, len));
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      return ch.read(buf);
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) throw new EOFException("unexpected end of Parquet file");
      }
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }
}
