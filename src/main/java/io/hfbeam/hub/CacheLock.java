package io.hfbeam.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer per cache blob, across threads (DoFns share a JVM) and processes, at huggingface_hub's
 * lock path {@code .locks/{repo folder}/{etag}.lock}. A file lock alone is per process, hence the
 * lock per path in the JVM.
 */
final class CacheLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final Path path;
  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private CacheLock(Path path, ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.path = path;
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  static CacheLock acquire(Path lockFile) throws IOException {
    Files.createDirectories(lockFile.getParent());
    ReentrantLock threadLock =
        IN_JVM.computeIfAbsent(lockFile.toAbsolutePath(), k -> new ReentrantLock());
    threadLock.lock();
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      return new CacheLock(lockFile, threadLock, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      threadLock.unlock();
      throw e;
    }
  }

  /**
   * The lock if nobody holds it now, else empty; never waits. "Nobody" covers this JVM's threads,
   * other JVMs (the same fcntl lock) and, on Linux, huggingface_hub, whose {@code filelock} takes a
   * flock(2) lock the JVM cannot take itself but can see in {@code /proc/locks}.
   */
  static Optional<CacheLock> tryAcquire(Path lockFile) throws IOException {
    Files.createDirectories(lockFile.getParent());
    ReentrantLock threadLock =
        IN_JVM.computeIfAbsent(lockFile.toAbsolutePath(), k -> new ReentrantLock());
    if (threadLock.isHeldByCurrentThread() || !threadLock.tryLock()) return Optional.empty();
    try {
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        fileLock = null;
      }
      if (fileLock == null) {
        channel.close();
        threadLock.unlock();
        return Optional.empty();
      }
      CacheLock lock = new CacheLock(lockFile, threadLock, channel, fileLock);
      if (ProcLocks.heldByOtherProcess(lockFile)) {
        lock.close();
        return Optional.empty();
      }
      return Optional.of(lock);
    } catch (IOException | RuntimeException e) {
      if (threadLock.isHeldByCurrentThread()) threadLock.unlock();
      throw e;
    }
  }

  Path path() {
    return path;
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
