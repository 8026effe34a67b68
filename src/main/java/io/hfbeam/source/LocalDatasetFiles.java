package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import io.hfbeam.format.files.LocalRangedFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A dataset in a local directory. Paths asked for must stay inside it. */
public final class LocalDatasetFiles implements DatasetFiles {
  private final String root;

  public LocalDatasetFiles(Path root) {
    this.root = root.toAbsolutePath().normalize().toString();
  }

  public Path root() {
    return Path.of(root);
  }

  @Override
  public String describe() {
    return root;
  }

  @Override
  public List<DataFile> list() throws IOException {
    Path dir = root();
    if (!Files.isDirectory(dir)) throw new IOException("not a directory: " + dir);
    List<DataFile> found = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            // a link counts when it points to a regular file, as fsspec's local glob sees it
            if (attrs.isRegularFile() || (attrs.isSymbolicLink() && Files.isRegularFile(file))) {
              StringBuilder rel = new StringBuilder();
              for (Path p : dir.relativize(file)) {
                if (rel.length() > 0) rel.append('/');
                rel.append(p);
              }
              found.add(new DataFile(rel.toString(), Files.size(file)));
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return found;
  }

  @Override
  public Optional<String> readText(String path) throws IOException {
    Path f = resolve(path);
    return Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)
        ? Optional.of(Files.readString(f))
        : Optional.empty();
  }

  @Override
  public RangedSource open(String path) throws IOException {
    return LocalRangedFile.open(resolve(path), path);
  }

  @Override
  public Optional<Path> localPath(String path) {
    return Optional.of(resolve(path));
  }

  private Path resolve(String path) {
    Path base = root();
    Path f = base.resolve(path).normalize();
    if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || !f.startsWith(base)) {
      throw new IllegalArgumentException("refused path '" + path + "': outside " + base);
    }
    return f;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LocalDatasetFiles l && l.root.equals(root);
  }

  @Override
  public int hashCode() {
    return root.hashCode();
  }

  @Override
  public String toString() {
    return root;
  }
}
