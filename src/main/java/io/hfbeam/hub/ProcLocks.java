package io.hfbeam.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Linux's table of held file locks, {@code /proc/locks}: one line per lock, with the holder's pid
 * and the file as {@code MAJOR:MINOR:INODE} (hex, hex, decimal). It shows flock(2) locks (Python's
 * {@code filelock}) next to fcntl ones (the JVM's), so it answers "does another process hold this
 * lock file" for both clients. Elsewhere the table is missing and the answer is no: the fcntl lock
 * taken by {@link CacheLock#tryAcquire} is then the only check.
 */
final class ProcLocks {
  private static final Path TABLE = Path.of("/proc/locks");

  private ProcLocks() {}

  static boolean heldByOtherProcess(Path lockFile) throws IOException {
    if (!Files.isReadable(TABLE)) return false;
    long inode;
    long dev;
    try {
      inode = ((Number) Files.getAttribute(lockFile, "unix:ino")).longValue();
      dev = ((Number) Files.getAttribute(lockFile, "unix:dev")).longValue();
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
    long self = ProcessHandle.current().pid();
    List<String> lines = Files.readAllLines(TABLE, StandardCharsets.US_ASCII);
    for (String line : lines) {
      // "1: FLOCK  ADVISORY  WRITE 4711 00:2e:1234567 0 EOF"; blocked waiters have a "->" field
      String[] f = line.trim().split("\\s+");
      if (f.length < 6 || f[1].equals("->")) continue;
      String[] id = f[5].split(":");
      if (id.length != 3) continue;
      try {
        long pid = Long.parseLong(f[4]);
        if (pid == self) continue;
        if (Long.parseLong(id[2]) != inode) continue;
        long major = Long.parseLong(id[0], 16);
        long minor = Long.parseLong(id[1], 16);
        if (major == major(dev) && minor == minor(dev)) return true;
      } catch (NumberFormatException e) {
        // a line format this code does not know: not a match
      }
    }
    return false;
  }

  /** glibc's gnu_dev_major / gnu_dev_minor. */
  static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
  }

  static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
  }
}
