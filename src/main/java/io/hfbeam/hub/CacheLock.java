package io.hfbeam.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One writer per cache blob, across threads (DoFns share a JVM) and processes, at huggingface_hub's
 * lock path {@code .locks/{repo folder}/{etag}.lock}. A file lock alone is per process, hence the
 * lock per path in the JVM.
 */
final class CacheLock implements AutoCloseable {
  private static final ConcurrentHashMap<Path, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private CacheLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
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
      return new CacheLock(threadLock, channel, channel.lock());
    } catch (IOException | RuntimeException e) {
      threadLock.unlock();
      throw e;
    }
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
