package io.hfbeam.source;

import io.hfbeam.format.RangedSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A dataset's files where a data file may be a member of an archive, named as {@code datasets}
 * chains them: {@code member::archive} ({@code data/a.jsonl::data/train.zip}). The archive is
 * extracted once, where {@code datasets} extracts it, on whichever machine first opens a member.
 */
public final class WithArchives implements DatasetFiles {
  /** Between a member and its archive in a data file's path. */
  public static final String SEP = "::";

  private final DatasetFiles base;
  private final Archives archives;

  public WithArchives(DatasetFiles base, Archives archives) {
    this.base = base;
    this.archives = archives;
  }

  /** The members of an archive as data files of this view, in {@code datasets}' order. */
  public List<DataFile> members(String archive) throws IOException {
    return archives.open(base, archive).list().stream()
        .map(m -> new DataFile(m.path() + SEP + archive, m.size()))
        .toList();
  }

  public DatasetFiles base() {
    return base;
  }

  @Override
  public String describe() {
    return base.describe();
  }

  @Override
  public String version() {
    return base.version();
  }

  @Override
  public List<DataFile> list() throws IOException {
    return base.list();
  }

  @Override
  public Optional<String> readText(String path) throws IOException {
    int at = path.indexOf(SEP);
    if (at < 0) return base.readText(path);
    return archives.open(base, path.substring(at + SEP.length())).readText(path.substring(0, at));
  }

  @Override
  public RangedSource open(String path) throws IOException {
    int at = path.indexOf(SEP);
    if (at < 0) return base.open(path);
    return archives.open(base, path.substring(at + SEP.length())).open(path.substring(0, at));
  }

  @Override
  public Optional<Path> localPath(String path) throws IOException {
    int at = path.indexOf(SEP);
    if (at < 0) return base.localPath(path);
    return archives.open(base, path.substring(at + SEP.length())).localPath(path.substring(0, at));
  }

  @Override
  public String toString() {
    return describe();
  }
}
