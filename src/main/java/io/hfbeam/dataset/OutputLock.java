package io.hfbeam.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * One run at a time writes an output: an exclusive lock on a file named after the output's absolute
 * path in the temporary directory ({@code hfbeam-locks/}), held until the run ends (the operating
 * system lets it go when the process dies, so a killed run never leaves the output locked). Two
 * runs into one output would interleave their staging, stages and manifests. The lock lives outside
 * the output, which stays exactly what the run wrote (an up-to-date run rewrites nothing; a run
 * refused before it starts leaves no folder). The file holds who has it, for the message the second
 * run prints.
 */
public final class OutputLock implements Closeable {
  private final FileChannel channel;
  private final FileLock lock;

  private OutputLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Takes the output's lock.
   *
   * @throws IllegalStateException another run (in this process or another) holds it: one line
   *     naming the output and, when it said, that run's process id and start time
   */
  public static OutputLock acquire(Path output) throws IOException {
    Path file = file(output);
    Files.createDirectories(file.getParent());
    FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      l = null; // this JVM holds it already: another run in the same process
    } catch (IOException e) {
      ch.close();
      throw e;
    }
    if (l == null) {
      String holder = holder(ch);
      ch.close();
      throw new IllegalStateException(
          output
              + " is being written by another hf-beam run"
              + (holder.isEmpty() ? "" : " (" + holder + ")")
              + "; wait for it to end, or give another --output");
    }
    ch.truncate(0);
    byte[] who =
        ("pid " + ProcessHandle.current().pid() + ", since " + Instant.now() + "\n")
            .getBytes(StandardCharsets.UTF_8);
    ch.write(ByteBuffer.wrap(who), 0);
    ch.force(false);
    return new OutputLock(ch, l);
  }

  /** The lock file of {@code output}: its absolute path's hash, under the temporary directory. */
  static Path file(Path output) {
    String path = output.toAbsolutePath().normalize().toString();
    try {
      String hash =
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(path.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 32);
      return Path.of(System.getProperty("java.io.tmpdir"), "hfbeam-locks", hash + ".lock");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(200);
      ch.read(b, 0);
      String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
      // what a run wrote there, nothing else (anyone may write in the temporary directory)
      return s.matches("pid \\d+, since [0-9TZ:.\\-]+") ? s : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (lock.isValid()) lock.release();
    } finally {
      channel.close();
    }
  }
}
