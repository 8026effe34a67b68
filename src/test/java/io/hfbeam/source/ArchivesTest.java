package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.luben.zstd.ZstdOutputStream;
import io.hfbeam.format.RangedSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchivesTest {
  static final byte[] JSONL = "{\"a\": 1}\n{\"a\": 2}\n".getBytes(StandardCharsets.UTF_8);
  static final byte[] CSV = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);

  /** Not a valid table, but bytes a Parquet reader would check: the magic at both ends. */
  static final byte[] PARQUET = "PAR1\0\1\2\3\4\5PAR1".getBytes(StandardCharsets.ISO_8859_1);

  static final Map<String, byte[]> MEMBERS = new LinkedHashMap<>();

  static {
    MEMBERS.put("train/b.jsonl", JSONL);
    MEMBERS.put("train/a.csv", CSV);
    MEMBERS.put("train/sub/c.parquet", PARQUET);
    MEMBERS.put("top.jsonl", JSONL);
    MEMBERS.put("__MACOSX/._top.jsonl", new byte[] {1});
    MEMBERS.put(".hidden.jsonl", JSONL);
  }

  /** datasets' iter_files order: a directory's files sorted, then its sub-directories. */
  static final List<String> ITER_ORDER =
      List.of("top.jsonl", "train/a.csv", "train/b.jsonl", "train/sub/c.parquet");

  @TempDir Path tmp;
  Path repo;
  Archives archives;

  @BeforeEach
  void setUp() throws IOException {
    repo = Files.createDirectories(tmp.resolve("repo"));
    archives = Archives.in(tmp.resolve("cache/downloads/extracted"));
  }

  // ---- archive builders

  static byte[] zip(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        z.putArchiveEntry(new ZipArchiveEntry(m.getKey()));
        z.write(m.getValue());
        z.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  static byte[] tar(Map<String, byte[]> members) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> m : members.entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(m.getKey(), true); // keeps a leading '/'

        e.setSize(m.getValue().length);
        t.putArchiveEntry(e);
        t.write(m.getValue());
        t.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  interface Wrap {
    OutputStream wrap(OutputStream out) throws IOException;
  }

  static byte[] compress(byte[] data, Wrap how) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = how.wrap(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  static byte[] gz(byte[] d) throws IOException {
    return compress(d, GZIPOutputStream::new);
  }

  static byte[] bz2(byte[] d) throws IOException {
    return compress(d, BZip2CompressorOutputStream::new);
  }

  static byte[] xz(byte[] d) throws IOException {
    return compress(d, XZCompressorOutputStream::new);
  }

  static byte[] zst(byte[] d) throws IOException {
    return compress(d, ZstdOutputStream::new);
  }

  Path put(String path, byte[] content) throws IOException {
    Path f = repo.resolve(path);
    Files.createDirectories(f.getParent());
    Files.write(f, content);
    return f;
  }

  // ---- the tests

  @Test
  void everyContainerKindExtractsItsMembersInIterFilesOrder() throws Exception {
    byte[] tar = tar(MEMBERS);
    Map<String, byte[]> kinds = new LinkedHashMap<>();
    kinds.put("data/train.zip", zip(MEMBERS));
    kinds.put("data/train.tar", tar);
    kinds.put("data/train.tar.gz", gz(tar));
    kinds.put("data/train.tgz", gz(tar));
    kinds.put("data/train.tar.bz2", bz2(tar));
    kinds.put("data/train.tar.xz", xz(tar));
    kinds.put("data/train.tar.zst", zst(tar));
    kinds.put("data/tar-inside.gz", gz(tar)); // a tar found by content, as datasets finds it
    for (Map.Entry<String, byte[]> k : kinds.entrySet()) {
      put(k.getKey(), k.getValue());
      ExtractedFiles files = archives.open(new DirFiles(repo, true), k.getKey());
      List<String> paths = files.list().stream().map(DataFile::path).toList();
      assertThat(k.getKey(), paths, is(ITER_ORDER));
      for (String p : ITER_ORDER) {
        assertArrayEquals(MEMBERS.get(p), read(files, p), k.getKey() + " " + p);
        assertThat(files.localPath(p).orElseThrow().toString(), startsWith(tmp.toString()));
      }
      assertThat(files.readText("top.jsonl").orElseThrow(), is(new String(JSONL, "UTF-8")));
      assertThat(files.describe(), is(repo + ": " + k.getKey()));
      // a member path from outside is checked
      assertThrows(IllegalArgumentException.class, () -> files.open("../x"));
    }
  }

  @Test
  void aCompressedSingleFileBecomesOneMemberNamedWithoutItsSuffix() throws Exception {
    Map<String, byte[]> kinds =
        Map.of(
            "train.jsonl.gz", gz(JSONL),
            "test.csv.bz2", bz2(CSV),
            "valid.parquet.xz", xz(PARQUET),
            "other.jsonl.zst", zst(JSONL));
    for (Map.Entry<String, byte[]> k : kinds.entrySet()) {
      put(k.getKey(), k.getValue());
      Path out = archives.extract(new DirFiles(repo, true), k.getKey());
      assertThat(Files.isRegularFile(out), is(true)); // a file, as Python's extractors write it
      ExtractedFiles files = archives.open(new DirFiles(repo, true), k.getKey());
      String name = k.getKey().substring(0, k.getKey().lastIndexOf('.'));
      assertThat(files.list(), is(List.of(new DataFile(name, Files.size(out)))));
      byte[] expected = name.endsWith("jsonl") ? JSONL : name.endsWith("csv") ? CSV : PARQUET;
      assertArrayEquals(expected, read(files, name));
    }
  }

  @Test
  void theExtractedPathIsTheSha256OfTheArchivesAbsolutePathAsInDatasets() throws Exception {
    Path zip = put("data/train.zip", zip(MEMBERS));
    Path out = archives.extract(new DirFiles(repo, true), "data/train.zip");
    assertThat(
        out,
        is(
            tmp.resolve("cache/downloads/extracted")
                .resolve(Archives.sha256(zip.toAbsolutePath().toString()))));
    assertThat(
        Archives.inDatasetsCache(Map.of("HF_HOME", "/h")).root(),
        is(Path.of("/h/datasets/downloads/extracted")));
    assertThat(
        Archives.inDatasetsCache(Map.of("HF_HOME", "/h", "HF_DATASETS_CACHE", "/d")).root(),
        is(Path.of("/d/downloads/extracted")));
  }

  @Test
  void aSecondExtractionDoesNoWork() throws Exception {
    put("data/train.zip", zip(MEMBERS));
    DirFiles remote = new DirFiles(repo, false);
    Path first = archives.extract(remote, "data/train.zip");
    assertThat(remote.opened.get(), is(1));
    Files.writeString(first.resolve("marker"), "still here");
    Path again = archives.extract(remote, "data/train.zip");
    assertThat(again, is(first));
    assertThat(remote.opened.get(), is(1)); // not even opened
    assertThat(Files.readString(again.resolve("marker")), is("still here"));

    // a local archive is keyed by its path: gone from disk, its extraction is still found
    put("local.zip", zip(MEMBERS));
    Path local = archives.extract(new DirFiles(repo, true), "local.zip");
    Files.delete(repo.resolve("local.zip"));
    assertThat(archives.extract(new DirFiles(repo, true), "local.zip"), is(local));
    // nothing but the extractions and their lock files is left
    try (Stream<Path> s = Files.list(archives.root())) {
      assertThat(
          s.map(p -> p.getFileName().toString())
              .filter(n -> n.contains(".tmp-") || n.contains(".download-"))
              .toList(),
          is(List.of()));
    }
  }

  @Test
  void concurrentExtractionsOfOneArchiveExtractItOnce() throws Exception {
    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int i = 0; i < 200; i++) many.put("part-" + i + ".jsonl", JSONL);
    put("big.tar.gz", gz(tar(many)));
    DirFiles remote = new DirFiles(repo, false);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return archives.extract(remote, "big.tar.gz");
                }));
      }
      start.countDown();
      Path first = results.get(0).get();
      for (Future<Path> f : results) assertThat(f.get(), is(first));
      assertThat(remote.opened.get(), is(1));
      try (Stream<Path> s = Files.list(first)) {
        assertThat(s.count(), is(200L));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void twoProcessesExtractingOneArchiveExtractItOnce() throws Exception {
    Map<String, byte[]> many = new LinkedHashMap<>();
    for (int i = 0; i < 2000; i++) many.put("part-" + i + ".jsonl", JSONL);
    put("big.tar.gz", gz(tar(many)));
    Path go = tmp.resolve("go");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> children = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      children.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  ExtractMain.class.getName(),
                  repo.toString(),
                  "big.tar.gz",
                  archives.root().toString(),
                  go.toString())
              .redirectErrorStream(true)
              .start());
    }
    Thread.sleep(1500); // let both JVMs start and wait on the go file
    Files.writeString(go, "go");
    DirFiles here = new DirFiles(repo, false);
    Path ours = archives.extract(here, "big.tar.gz");
    int opened = here.opened.get();
    for (Process p : children) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(out, p.waitFor(), is(0));
      assertThat(out, out.endsWith(" " + ours), is(true));
      opened += Integer.parseInt(out.split(" ")[1]);
    }
    assertThat("the archive was read by exactly one extractor", opened, is(1));
    try (Stream<Path> s = Files.list(ours)) {
      assertThat(s.count(), is(2000L));
    }
  }

  @Test
  void pathTraversalIsRefusedAndNothingIsWritten() throws Exception {
    List<String> evil =
        List.of("../evil.jsonl", "/abs.jsonl", "a/../../evil.jsonl", "C:/x.jsonl", "a\\..\\b");
    for (String name : evil) {
      for (String kind : List.of("zip", "tar")) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        members.put("ok.jsonl", JSONL);
        members.put(name, JSONL);
        String path = "evil." + kind;
        put(path, kind.equals("zip") ? zip(members) : tar(members));
        ArchiveException e =
            assertThrows(
                ArchiveException.class,
                () -> archives.extract(new DirFiles(repo, true), path),
                kind + " " + name);
        assertThat(e.getMessage(), startsWith(repo + ": " + path + ": member '"));
        assertThat(e.getMessage(), containsString("refused the whole archive"));
        assertThat(e.getMessage().lines().count(), is(1L));
        assertNoExtraction();
      }
    }
    assertThat(Files.exists(tmp.resolve("evil.jsonl")), is(false));
    assertThat(Files.exists(tmp.resolve("cache/downloads/evil.jsonl")), is(false));
    assertThat(Files.exists(Path.of("/abs.jsonl")), is(false));
  }

  @Test
  void linksAndDevicesInTarsAreRefused() throws Exception {
    for (byte type :
        new byte[] {
          TarArchiveEntry.LF_SYMLINK,
          TarArchiveEntry.LF_LINK,
          TarArchiveEntry.LF_CHR,
          TarArchiveEntry.LF_BLK,
          TarArchiveEntry.LF_FIFO
        }) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
        TarArchiveEntry ok = new TarArchiveEntry("ok.jsonl");
        ok.setSize(JSONL.length);
        t.putArchiveEntry(ok);
        t.write(JSONL);
        t.closeArchiveEntry();
        TarArchiveEntry bad = new TarArchiveEntry("data.jsonl", type);
        if (type == TarArchiveEntry.LF_SYMLINK || type == TarArchiveEntry.LF_LINK) {
          bad.setLinkName("/etc/passwd");
        }
        t.putArchiveEntry(bad);
        t.closeArchiveEntry();
      }
      put("links.tar", bytes.toByteArray());
      ArchiveException e =
          assertThrows(
              ArchiveException.class,
              () -> archives.extract(new DirFiles(repo, true), "links.tar"));
      assertThat(e.getMessage(), startsWith(repo + ": links.tar: member 'data.jsonl' is "));
      assertThat(e.getMessage(), containsString("archives may hold only files and directories"));
      assertNoExtraction();
    }
    // a zip entry marked as a unix symlink
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipArchiveOutputStream z = new ZipArchiveOutputStream(bytes)) {
      ZipArchiveEntry link = new ZipArchiveEntry("link.jsonl");
      link.setUnixMode(0120777);
      z.putArchiveEntry(link);
      z.write("/etc/passwd".getBytes(StandardCharsets.UTF_8));
      z.closeArchiveEntry();
    }
    put("link.zip", bytes.toByteArray());
    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> archives.extract(new DirFiles(repo, true), "link.zip"));
    assertThat(e.getMessage(), containsString("member 'link.jsonl' is a symbolic link"));
    assertNoExtraction();
  }

  @Test
  void aZipBombStopsAtTheByteLimitAndLeavesNothing() throws Exception {
    byte[] zeros = new byte[8 << 20];
    byte[] bomb = zip(Map.of("a.jsonl", zeros, "b.jsonl", zeros));
    assertThat(bomb.length < 100_000, is(true));
    put("bomb.zip", bomb);
    Archives small = archives.withMaxBytes(10 << 20);
    ArchiveException e =
        assertThrows(
            ArchiveException.class, () -> small.extract(new DirFiles(repo, true), "bomb.zip"));
    assertThat(
        e.getMessage(),
        is(
            repo
                + ": bomb.zip: extracting it writes more than 10485760 bytes (the limit;"
                + " Archives.withMaxBytes raises it); refused as a possible zip bomb, nothing was"
                + " kept"));
    assertNoExtraction();
    // the same bomb as a single compressed file, and too many members
    put("bomb.jsonl.gz", gz(new byte[12 << 20]));
    assertThrows(
        ArchiveException.class, () -> small.extract(new DirFiles(repo, true), "bomb.jsonl.gz"));
    assertNoExtraction();
    put("many.zip", zip(MEMBERS));
    ArchiveException many =
        assertThrows(
            ArchiveException.class,
            () -> archives.withMaxMembers(3).extract(new DirFiles(repo, true), "many.zip"));
    assertThat(many.getMessage(), containsString("more than 3 members"));
    assertNoExtraction();
    // within the limits it extracts
    assertThat(
        Files.size(archives.extract(new DirFiles(repo, true), "bomb.zip").resolve("a.jsonl")),
        is((long) zeros.length));
  }

  @Test
  void aCorruptArchiveIsOneLineNamingIt() throws Exception {
    byte[] good = zip(MEMBERS);
    byte[] tgz = gz(tar(MEMBERS));
    Map<String, byte[]> bad = new LinkedHashMap<>();
    bad.put("cut.zip", java.util.Arrays.copyOf(good, good.length / 2));
    bad.put("noise.zip", "this is not a zip".getBytes(StandardCharsets.UTF_8));
    bad.put("cut.tar.gz", java.util.Arrays.copyOf(tgz, tgz.length / 2));
    bad.put("noise.tar.gz", "neither a gzip".getBytes(StandardCharsets.UTF_8));
    bad.put("noise.gz", "nor this".getBytes(StandardCharsets.UTF_8));
    bad.put("noise.xz", "nor this".getBytes(StandardCharsets.UTF_8));
    bad.put("noise.zst", "nor this".getBytes(StandardCharsets.UTF_8));
    bad.put("noise.bz2", "nor this".getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, byte[]> b : bad.entrySet()) {
      put(b.getKey(), b.getValue());
      ArchiveException e =
          assertThrows(
              ArchiveException.class,
              () -> archives.extract(new DirFiles(repo, false), b.getKey()),
              b.getKey());
      assertThat(e.getMessage(), startsWith(repo + ": " + b.getKey() + ": not a readable "));
      assertThat(e.getMessage().lines().count(), is(1L));
      assertNoExtraction();
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> archives.extract(new DirFiles(repo, true), "a.jsonl"));
    java.io.FileNotFoundException missing =
        assertThrows(
            java.io.FileNotFoundException.class,
            () -> archives.extract(new DirFiles(repo, true), "missing.zip"));
    assertThat(missing.getMessage(), startsWith(repo + ": missing.zip: no such file"));
  }

  @Test
  void zipMembersAreListedFromTheCentralDirectoryWithoutExtracting() throws Exception {
    put("data/train.zip", zip(MEMBERS));
    DirFiles remote = new DirFiles(repo, false);
    assertThat(
        Archives.zipMembers(remote, "data/train.zip"), is(new ArrayList<>(MEMBERS.keySet())));
    assertThat(remote.bytesRead.get() < Files.size(repo.resolve("data/train.zip")), is(true));
    assertNoExtraction();
    Map<String, byte[]> evil = Map.of("../x.jsonl", JSONL);
    put("evil.zip", zip(evil));
    assertThrows(ArchiveException.class, () -> Archives.zipMembers(remote, "evil.zip"));
  }

  private void assertNoExtraction() throws IOException {
    if (!Files.exists(archives.root())) return;
    try (Stream<Path> s = Files.list(archives.root())) {
      assertThat(
          s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".lock")).toList(),
          is(List.of()));
    }
  }

  static byte[] read(DatasetFiles files, String path) throws IOException {
    try (RangedSource s = files.open(path)) {
      byte[] b = new byte[(int) s.size()];
      s.readFully(0, b, 0, b.length);
      return b;
    }
  }

  /**
   * A directory as a dataset; with {@code local} false it hides its paths, as a remote repo does,
   * so archives are fetched through {@link #open} (which counts).
   */
  static final class DirFiles implements DatasetFiles {
    final Path dir;
    final boolean local;
    final AtomicInteger opened = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicLong bytesRead =
        new java.util.concurrent.atomic.AtomicLong();

    DirFiles(Path dir, boolean local) {
      this.dir = dir;
      this.local = local;
    }

    @Override
    public String describe() {
      return dir.toString();
    }

    @Override
    public List<DataFile> list() {
      throw new UnsupportedOperationException();
    }

    @Override
    public Optional<String> readText(String path) {
      return Optional.empty();
    }

    @Override
    public RangedSource open(String path) throws IOException {
      opened.incrementAndGet();
      byte[] all = Files.readAllBytes(dir.resolve(path));
      return new RangedSource() {
        @Override
        public String name() {
          return path;
        }

        @Override
        public long size() {
          return all.length;
        }

        @Override
        public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
          checkRange(offset, len);
          bytesRead.addAndGet(len);
          System.arraycopy(all, (int) offset, buf, off, len);
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public Optional<Path> localPath(String path) {
      return local ? Optional.of(dir.resolve(path)) : Optional.empty();
    }
  }
}
