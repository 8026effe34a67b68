package io.hfbeam.format.files;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Files written whole or not at all, and the copies the dataset assembly makes of part files. */
public final class AtomicFiles {
  /** Test hook: writing a file whose path ends with this value fails as a full disk does. */
  public static final String FAIL_WRITE_PROPERTY = "hfbeam.test.failWrite";

  private AtomicFiles() {}

  /** Writes a file at a temporary path. */
  public interface IoAction {
    void run(Path tmp) throws IOException;
  }

  /**
   * Writes to a hidden temp name beside the target, then renames: readers never see a partial file.
   */
  public static void write(Path target, IoAction write) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    write.run(tmp);
    String failing = System.getProperty(FAIL_WRITE_PROPERTY);
    if (failing != null && target.toString().replace('\\', '/').endsWith(failing)) {
      throw new IOException(
          "No space left on device (" + FAIL_WRITE_PROPERTY + "=" + failing + ")");
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Appends all of {@code part} at {@code out}'s position (transferTo: a kernel copy where the OS
   * has one).
   */
  public static void appendWhole(Path part, FileChannel out) throws IOException {
    try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
      long size = in.size();
      for (long done = 0, n; done < size; done += n) {
        if ((n = in.transferTo(done, size - done, out)) <= 0)
          throw new IOException("could not copy all of " + part);
      }
    }
  }

  /** Copies lines [from, to) of a JSONL part (whole parts go by {@link #appendWhole}). */
  public static void copyLines(Path part, long from, long to, OutputStream out) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(part), 1 << 16)) {
      long line = 0;
      int b;
      while (line < to && (b = in.read()) >= 0) {
        if (line >= from) out.write(b);
        if (b == '\n') line++;
      }
    }
  }
}
