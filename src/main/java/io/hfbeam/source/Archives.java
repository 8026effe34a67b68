package io.hfbeam.source;

import com.github.luben.zstd.ZstdInputStream;
import io.hfbeam.format.RangedSource;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Data files in archives, extracted once into the cache the way {@code datasets}' download manager
 * does it ({@code utils/extract.py}): into {@code <HF_DATASETS_CACHE>/downloads/extracted/<hash>},
 * where the hash is the sha256 of the archive's absolute local path ({@code hash_url_to_filename}).
 * A zip or tar becomes a directory of its members; a single compressed file ({@code .gz}, {@code
 * .bz2}, {@code .xz}, {@code .zst}) becomes one file at that path, as in Python, unless it holds a
 * tar. When the archive is on disk ({@link DatasetFiles#localPath}), Python and hf-beam share the
 * extraction; a remote archive is fetched once next to it and keyed by {@code "hfbeam:" +
 * describe() + ":" + path} instead (its {@code describe()} names the commit, so the key is stable).
 *
 * <p>Hostile archives are refused as a whole, in one line naming the archive and the member: a path
 * that is absolute or climbs out ({@code ..}), a link or device file, more bytes or members than
 * the limits (a zip bomb), or a corrupt archive. Two processes extracting the same archive take a
 * lock file ({@code <hash>.lock}, Python's lock path) and write to a temporary name that is renamed
 * into place, so a reader never sees half an extraction.
 */
public final class Archives implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Default cap on the bytes one archive may extract to. */
  public static final long DEFAULT_MAX_BYTES = 32L << 30;

  /** Default cap on the members of one archive. */
  public static final int DEFAULT_MAX_MEMBERS = 1_000_000;

  private static final ConcurrentHashMap<String, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();
  private static final int COPY_BLOCK = 4 << 20;

  /** What an archive is, by its name; tar inside a compression is also found by content. */
  public enum Kind {
    ZIP(".zip"),
    TAR(".tar"),
    TAR_GZ(".tar.gz", ".tgz"),
    TAR_BZ2(".tar.bz2", ".tbz2"),
    TAR_XZ(".tar.xz", ".txz"),
    TAR_ZST(".tar.zst"),
    GZ(".gz"),
    BZ2(".bz2"),
    XZ(".xz"),
    ZST(".zst");

    private final List<String> suffixes;

    Kind(String... suffixes) {
      this.suffixes = List.of(suffixes);
    }

    /** A zip or a tar (compressed or not): a directory of members once extracted. */
    public boolean container() {
      return ordinal() <= TAR_ZST.ordinal();
    }

    List<String> suffixes() {
      return suffixes;
    }

    /** For messages: {@code zip}, {@code tar.gz}, {@code gz}, ... */
    public String label() {
      return suffixes.get(0).substring(1);
    }
  }

  private final String root;
  private final long maxBytes;
  private final int maxMembers;

  private Archives(String root, long maxBytes, int maxMembers) {
    this.root = root;
    this.maxBytes = maxBytes;
    this.maxMembers = maxMembers;
  }

  /**
   * Extracting into {@code extractedDir} (a {@code downloads/extracted} folder), with the default
   * limits.
   */
  public static Archives in(Path extractedDir) {
    return new Archives(
        extractedDir.toAbsolutePath().normalize().toString(),
        DEFAULT_MAX_BYTES,
        DEFAULT_MAX_MEMBERS);
  }

  /**
   * Where {@code datasets} extracts with this environment: {@code HF_DATASETS_CACHE}, else {@code
   * $HF_HOME/datasets}, else {@code $XDG_CACHE_HOME/huggingface/datasets}, else {@code
   * ~/.cache/huggingface/datasets}; then {@code downloads/extracted}.
   */
  public static Archives inDatasetsCache(Map<String, String> env) {
    String cache = env.get("HF_DATASETS_CACHE");
    Path datasets;
    if (cache != null && !cache.isEmpty()) datasets = Path.of(expandUser(cache));
    else {
      String home = env.get("HF_HOME");
      if (home == null || home.isEmpty()) {
        String xdg = env.get("XDG_CACHE_HOME");
        home =
            (xdg != null && !xdg.isEmpty() ? xdg : System.getProperty("user.home") + "/.cache")
                + "/huggingface";
      }
      datasets = Path.of(expandUser(home)).resolve("datasets");
    }
    return in(datasets.resolve("downloads").resolve("extracted"));
  }

  private static String expandUser(String p) {
    return p.equals("~") || p.startsWith("~/")
        ? System.getProperty("user.home") + p.substring(1)
        : p;
  }

  /** The same, with at most {@code bytes} extracted per archive (the zip-bomb guard). */
  public Archives withMaxBytes(long bytes) {
    if (bytes <= 0) throw new IllegalArgumentException("the byte limit must be positive");
    return new Archives(root, bytes, maxMembers);
  }

  /** The same, with at most {@code members} files and directories per archive. */
  public Archives withMaxMembers(int members) {
    if (members <= 0) throw new IllegalArgumentException("the member limit must be positive");
    return new Archives(root, maxBytes, members);
  }

  public Path root() {
    return Path.of(root);
  }

  /** The archive kind its name says, if any ({@code .tar.gz} before {@code .gz}). */
  public static Optional<Kind> kindOf(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    for (Kind k : Kind.values()) {
      for (String s : k.suffixes()) if (lower.endsWith(s)) return Optional.of(k);
    }
    return Optional.empty();
  }

  /**
   * Extracts {@code path} of {@code files} unless already extracted, and returns the extracted
   * directory (a zip or tar) or file (a single compressed file). A second call, here or in another
   * process, does no work.
   */
  public Path extract(DatasetFiles files, String path) throws IOException {
    Kind kind =
        kindOf(path)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        path
                            + " is not an archive (.zip, .tar, .tar.gz, .tgz, .gz, .bz2, .xz or"
                            + " .zst)"));
    Optional<Path> local = files.localPath(path);
    String key =
        local.isPresent()
            ? local.get().toAbsolutePath().normalize().toString()
            : "hfbeam:" + files.describe() + ":" + path;
    Path out = root().resolve(sha256(key));
    if (done(out)) return out;
    Files.createDirectories(out.getParent());
    try (Lock lock = Lock.take(Path.of(out + ".lock"))) {
      if (done(out)) return out;
      String where = files.describe() + ": " + path;
      if (local.isPresent() && !Files.isRegularFile(local.get())) {
        throw new java.io.FileNotFoundException(where + ": no such file (" + local.get() + ")");
      }
      Path download = null;
      try {
        Path source = local.orElse(null);
        if (source == null) {
          download = out.resolveSibling(out.getFileName() + ".download-" + UUID.randomUUID());
          copy(files, path, download);
          source = download;
        }
        extractInto(source, kind, out, where);
      } finally {
        if (download != null) Files.deleteIfExists(download);
      }
    }
    return out;
  }

  /**
   * The extracted archive as a {@link DatasetFiles}, so readers treat its members as data files.
   */
  public ExtractedFiles open(DatasetFiles files, String path) throws IOException {
    return ExtractedFiles.of(files.describe() + ": " + path, path, extract(files, path));
  }

  /**
   * The file members of a zip, in its directory's order, read without extracting it (only the
   * central directory is fetched from a remote repo): for inferring the builder from what the
   * archive holds, as {@code datasets}' {@code infer_module_for_data_files_list_in_archives} does.
   */
  public static List<String> zipMembers(DatasetFiles files, String path) throws IOException {
    String where = files.describe() + ": " + path;
    Optional<Path> local = files.localPath(path);
    try (RangedSource source = local.isPresent() ? null : files.open(path);
        ZipFile zip =
            local.isPresent()
                ? ZipFile.builder().setFile(local.get().toFile()).get()
                : ZipFile.builder().setSeekableByteChannel(new RangedChannel(source)).get()) {
      List<String> out = new ArrayList<>();
      for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
        ZipArchiveEntry entry = e.nextElement();
        String name = memberPath(entry.getName(), where);
        if (!entry.isDirectory()) out.add(name);
      }
      return out;
    } catch (ArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corrupt(where, "zip", e);
    }
  }

  // ---- extraction

  private void extractInto(Path source, Kind kind, Path out, String where) throws IOException {
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      Budget budget = new Budget(where);
      switch (kind) {
        case ZIP -> unzip(source, tmp, where, budget);
        case TAR -> untar(Files.newInputStream(source), tmp, where, budget, "tar");
        default -> {
          String format = kind.label();
          InputStream in = decompress(source, kind, where);
          // datasets' TarExtractor comes first: a compressed tar is a tar whatever its name
          BufferedInputStream peek = new BufferedInputStream(in, 1 << 16);
          peek.mark(512);
          byte[] head;
          try {
            head = peek.readNBytes(512);
            peek.reset();
          } catch (IOException | RuntimeException e) {
            peek.close();
            throw corrupt(where, format, e);
          }
          if (kind.container() || isTar(head))
            untar(peek, tmp, where, budget, kind.container() ? format : format + " tar");
          else single(peek, tmp, where, budget, format);
        }
      }
      try {
        Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
        // another extractor (Python, without our lock) finished first: keep theirs
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, out);
      }
    } finally {
      deleteTree(tmp);
    }
  }

  private static InputStream decompress(Path source, Kind kind, String where) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(source), 1 << 16);
    String format = kind.label();
    try {
      return switch (kind) {
        case TAR_GZ, GZ -> new GZIPInputStream(raw, 1 << 16);
        case TAR_BZ2, BZ2 -> new BZip2CompressorInputStream(raw, true);
        case TAR_XZ, XZ -> new XZCompressorInputStream(raw, true);
        case TAR_ZST, ZST -> new ZstdInputStream(raw);
        default -> throw new IllegalStateException(kind.name());
      };
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw corrupt(where, format, e);
    }
  }

  /** POSIX ustar or GNU tar: "ustar" at offset 257, as tarfile accepts. */
  private static boolean isTar(byte[] head) {
    return head.length >= 262
        && new String(head, 257, 5, StandardCharsets.US_ASCII).equals("ustar");
  }

  private void unzip(Path source, Path dir, String where, Budget budget) throws IOException {
    Files.createDirectories(dir);
    try (ZipFile zip = ZipFile.builder().setFile(source.toFile()).get()) {
      for (Enumeration<ZipArchiveEntry> e = zip.getEntries(); e.hasMoreElements(); ) {
        ZipArchiveEntry entry = e.nextElement();
        String name = memberPath(entry.getName(), where);
        budget.member(name);
        if (entry.isUnixSymlink()) {
          throw new ArchiveException(
              where + ": member '" + name + "' is a symbolic link; archives may hold only files");
        }
        if (entry.isDirectory()) {
          Files.createDirectories(dir.resolve(name));
          continue;
        }
        if (!zip.canReadEntryData(entry)) {
          throw new ArchiveException(
              where
                  + ": member '"
                  + name
                  + "' is encrypted or uses a compression method that cannot be read");
        }
        try (InputStream in = zip.getInputStream(entry)) {
          write(in, dir.resolve(name), where, name, budget);
        }
      }
    } catch (ArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corrupt(where, "zip", e);
    }
  }

  private void untar(InputStream raw, Path dir, String where, Budget budget, String format)
      throws IOException {
    Files.createDirectories(dir);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        String name = memberPath(entry.getName(), where);
        budget.member(name);
        if (entry.isDirectory()) {
          Files.createDirectories(dir.resolve(name));
        } else if (regular(entry)) {
          write(tar, dir.resolve(name), where, name, budget);
        } else {
          throw new ArchiveException(
              where
                  + ": member '"
                  + name
                  + "' is "
                  + (entry.isSymbolicLink()
                      ? "a symbolic link (to '" + entry.getLinkName() + "')"
                      : entry.isLink()
                          ? "a hard link (to '" + entry.getLinkName() + "')"
                          : entry.isCharacterDevice() || entry.isBlockDevice()
                              ? "a device file"
                              : entry.isFIFO() ? "a named pipe" : "not a regular file")
                  + "; archives may hold only files and directories");
        }
      }
    } catch (ArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corrupt(where, format, e);
    }
  }

  /**
   * isFile() alone says yes to anything that is not a directory (a device, a pipe), so every other
   * kind is ruled out first.
   */
  private static boolean regular(TarArchiveEntry e) {
    return e.isFile()
        && !e.isLink()
        && !e.isSymbolicLink()
        && !e.isCharacterDevice()
        && !e.isBlockDevice()
        && !e.isFIFO()
        && !e.isSparse();
  }

  private void single(InputStream in, Path file, String where, Budget budget, String format)
      throws IOException {
    try (in) {
      write(in, file, where, null, budget);
    } catch (ArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw corrupt(where, format, e);
    }
  }

  private void write(InputStream in, Path target, String where, String name, Budget budget)
      throws IOException {
    Files.createDirectories(target.getParent());
    byte[] buf = new byte[1 << 16];
    try (OutputStream out =
        Files.newOutputStream(
            target,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        budget.bytes(n);
        out.write(buf, 0, n);
      }
    }
  }

  /** Counts what an archive writes, against the limits, as it is written (sizes in headers lie). */
  private final class Budget {
    private final String where;
    private long bytes;
    private int members;

    Budget(String where) {
      this.where = where;
    }

    void member(String name) throws ArchiveException {
      if (++members > maxMembers) {
        throw new ArchiveException(
            where
                + ": more than "
                + maxMembers
                + " members (the limit; Archives.withMaxMembers raises it); refused at '"
                + name
                + "'");
      }
    }

    void bytes(int n) throws ArchiveException {
      bytes += n;
      if (bytes > maxBytes) {
        throw new ArchiveException(
            where
                + ": extracting it writes more than "
                + maxBytes
                + " bytes (the limit; Archives.withMaxBytes raises it); refused as a possible"
                + " zip bomb, nothing was kept");
      }
    }
  }

  // ---- member paths

  /**
   * A member name made safe, or an {@link ArchiveException}: relative, '/'-separated, no {@code
   * ..}, no drive letter, backslash or control character; {@code ./} segments and a trailing {@code
   * /} are dropped.
   */
  static String memberPath(String raw, String where) throws ArchiveException {
    String problem = null;
    if (raw == null || raw.isEmpty()) problem = "is empty";
    else if (raw.startsWith("/")) problem = "is absolute";
    else if (raw.indexOf('\\') >= 0) problem = "contains a backslash";
    else if (raw.length() > 1 && raw.charAt(1) == ':') problem = "starts with a drive letter";
    else if (raw.chars().anyMatch(c -> c < 0x20 || c == 0x7f))
      problem = "contains a control character";
    List<String> kept = new ArrayList<>();
    if (problem == null) {
      for (String segment : raw.split("/")) {
        if (segment.isEmpty() || segment.equals(".")) continue;
        if (segment.equals("..")) {
          problem = "climbs out of the archive ('..')";
          break;
        }
        kept.add(segment);
      }
      if (problem == null && kept.isEmpty()) problem = "names no file";
    }
    if (problem != null) {
      throw new ArchiveException(
          where + ": member '" + show(raw) + "' " + problem + "; refused the whole archive");
    }
    return String.join("/", kept);
  }

  private static String show(String s) {
    if (s == null) return "";
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length() && out.length() < 120; i++) {
      char c = s.charAt(i);
      out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
    }
    return out.toString();
  }

  private static ArchiveException corrupt(String where, String format, Throwable e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new ArchiveException(
        where + ": not a readable " + format + " archive (" + why.replaceAll("\\s+", " ") + ")");
  }

  // ---- helpers

  /** Python's extracted path is a file or a non-empty directory once extracted. */
  private static boolean done(Path out) throws IOException {
    if (Files.isRegularFile(out)) return true;
    if (!Files.isDirectory(out)) return false;
    try (var s = Files.list(out)) {
      return s.findAny().isPresent();
    }
  }

  private static void copy(DatasetFiles files, String path, Path target) throws IOException {
    try (RangedSource src = files.open(path);
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW)) {
      byte[] buf = new byte[(int) Math.min(COPY_BLOCK, Math.max(1, src.size()))];
      for (long at = 0; at < src.size(); ) {
        int n = (int) Math.min(buf.length, src.size() - at);
        src.readFully(at, buf, 0, n);
        out.write(buf, 0, n);
        at += n;
      }
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try (var s = Files.list(p)) {
        for (Path c : s.toList()) deleteTree(c);
      }
    }
    Files.deleteIfExists(p);
  }

  /** One extractor per archive across threads of this JVM and other processes. */
  private static final class Lock implements AutoCloseable {
    private final ReentrantLock thread;
    private final FileChannel channel;
    private final FileLock file;

    private Lock(ReentrantLock thread, FileChannel channel, FileLock file) {
      this.thread = thread;
      this.channel = channel;
      this.file = file;
    }

    static Lock take(Path lockFile) throws IOException {
      ReentrantLock thread = IN_JVM.computeIfAbsent(lockFile.toString(), k -> new ReentrantLock());
      thread.lock();
      try {
        FileChannel ch =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
          return new Lock(thread, ch, ch.lock());
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      } catch (IOException | RuntimeException e) {
        thread.unlock();
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      try {
        file.release();
        channel.close();
      } finally {
        thread.unlock();
      }
    }
  }
}
