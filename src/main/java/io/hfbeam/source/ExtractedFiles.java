package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An extracted archive seen as a dataset's files ({@link Archives#open}): its members, with paths
 * relative to the archive's root, in the order {@code datasets}' {@code dl_manager.iter_files}
 * yields them (a directory's files sorted, then its sub-directories sorted, each the same way;
 * names starting with '.' or '__' left out, as {@code __MACOSX/} is). A single compressed file
 * ({@code train.jsonl.gz}) is one member named without its last suffix ({@code train.jsonl}).
 *
 * <p>The extracted directory must be readable where the files are read: on a cluster, a cache on
 * shared storage.
 */
public final class ExtractedFiles implements DatasetFiles {
  private static final long serialVersionUID = 1L;

  private final String describe;
  private final String extracted;
  private final String singleName;

  private ExtractedFiles(String describe, String extracted, String singleName) {
    this.describe = describe;
    this.extracted = extracted;
    this.singleName = singleName;
  }

  /**
   * A view of {@code extracted} (what {@link Archives#extract} returned for {@code archivePath}),
   * called {@code describe} in messages.
   */
  public static ExtractedFiles of(String describe, String archivePath, Path extracted) {
    String single = null;
    if (Files.isRegularFile(extracted)) {
      String base = archivePath.substring(archivePath.lastIndexOf('/') + 1);
      int dot = base.lastIndexOf('.');
      single = dot > 0 ? base.substring(0, dot) : base;
    } else if (!Files.isDirectory(extracted)) {
      throw new IllegalArgumentException(describe + ": not extracted (no " + extracted + ")");
    }
    return new ExtractedFiles(describe, extracted.toAbsolutePath().toString(), single);
  }

  @Override
  public String describe() {
    return describe;
  }

  @Override
  public List<DataFile> list() throws IOException {
    Path root = Path.of(extracted);
    if (singleName != null) return List.of(new DataFile(singleName, Files.size(root)));
    List<DataFile> out = new ArrayList<>();
    walk(root, "", out);
    return out;
  }

  /** os.walk top-down with the directory and file names sorted, as FilesIterable prunes it. */
  private static void walk(Path dir, String prefix, List<DataFile> out) throws IOException {
    List<String> files = new ArrayList<>();
    List<String> dirs = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith(".") || name.startsWith("__")) continue;
        // links are not followed: an extraction holds none, and one put there later is not ours
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) dirs.add(name);
        else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) files.add(name);
      }
    }
    files.sort(null);
    dirs.sort(null);
    for (String f : files) out.add(new DataFile(prefix + f, Files.size(dir.resolve(f))));
    for (String d : dirs) walk(dir.resolve(d), prefix + d + "/", out);
  }

  @Override
  public Optional<String> readText(String path) throws IOException {
    Path file = file(path);
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        ? Optional.of(Files.readString(file, StandardCharsets.UTF_8))
        : Optional.empty();
  }

  @Override
  public RangedSource open(String path) throws IOException {
    Path file = file(path);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new java.io.FileNotFoundException(describe + ": no member '" + path + "'");
    }
    return io.hfbeam.format.files.LocalRangedFile.open(file, path);
  }

  @Override
  public Optional<Path> localPath(String path) {
    return Optional.of(file(path));
  }

  /** A member path, checked before it becomes a file path. */
  private Path file(String path) {
    if (singleName != null) {
      if (!path.equals(singleName)) {
        throw new IllegalArgumentException(
            describe + ": no member '" + path + "'; it holds only '" + singleName + "'");
      }
      return Path.of(extracted);
    }
    String safe;
    try {
      safe = Archives.memberPath(path, describe);
    } catch (ArchiveException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return Path.of(extracted).resolve(safe);
  }
}
