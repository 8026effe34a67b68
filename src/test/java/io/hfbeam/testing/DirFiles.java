package io.hfbeam.testing;

import io.hfbeam.format.RangedSource;
import io.hfbeam.source.DataFile;
import io.hfbeam.source.DatasetFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** A test {@link DatasetFiles} over a local directory (the real one is the lead's). */
public final class DirFiles implements DatasetFiles {
  private final String dir;

  public DirFiles(Path dir) {
    this.dir = dir.toAbsolutePath().toString();
  }

  private Path resolve(String path) {
    Path p = Path.of(dir).resolve(path).normalize();
    if (!p.startsWith(Path.of(dir))) throw new IllegalArgumentException("outside: " + path);
    return p;
  }

  @Override
  public String describe() {
    return dir;
  }

  @Override
  public List<DataFile> list() throws IOException {
    List<DataFile> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(Path.of(dir))) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile).sorted()::iterator) {
        out.add(
            new DataFile(Path.of(dir).relativize(p).toString().replace('\\', '/'), Files.size(p)));
      }
    }
    return out;
  }

  /** The file as a {@link DataFile}. */
  public DataFile file(String path) throws IOException {
    return new DataFile(path, Files.size(resolve(path)));
  }

  @Override
  public Optional<String> readText(String path) throws IOException {
    Path p = resolve(path);
    return Files.exists(p) ? Optional.of(Files.readString(p)) : Optional.empty();
  }

  @Override
  public RangedSource open(String path) throws IOException {
    Path p = resolve(path);
    FileChannel ch = FileChannel.open(p);
    long size = ch.size();
    return new RangedSource() {
      @Override
      public String name() {
        return path;
      }

      @Override
      public long size() {
        return size;
      }

      @Override
      public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
        checkRange(offset, len);
        ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
        while (bb.hasRemaining()) {
          if (ch.read(bb, offset + bb.position() - off) < 0) throw new java.io.EOFException(path);
        }
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  }
}
