package io.hfbeam.io;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/** Plain sequential reading of a (possibly compressed) text file's lines, outside a pipeline. */
public final class LinesOf implements Closeable {
  private final InputStream in;
  private final LineReader reader;

  private LinesOf(InputStream in) {
    this.in = in;
    this.reader = new LineReader(in, 0);
  }

  public static LinesOf open(Path file) throws IOException {
    return new LinesOf(Compressions.open(file));
  }

  /** The next line, or null at the end. */
  public String next() throws IOException {
    return reader.readLine();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
