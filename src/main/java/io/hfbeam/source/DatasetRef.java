package io.hfbeam.source;

import io.hfbeam.hub.RepoId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a dataset is, as a user writes it: {@code hf://datasets/owner/name[@revision]}, a local
 * directory, or a Hub id {@code owner/name} (a directory of that name wins, as in {@code
 * datasets}).
 *
 * @param repo the Hub repo, empty for a local directory
 * @param directory the local directory, empty for a Hub repo
 * @param revision the revision written in the reference ({@code @rev}), empty when none
 */
public record DatasetRef(
    Optional<RepoId> repo, Optional<Path> directory, Optional<String> revision) {
  private static final String HF = "hf://datasets/";
  private static final Pattern REPO =
      Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]{0,95}/)?[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final Pattern HF_URL = Pattern.compile("([^@]+?)(?:@(.+))?");

  /** Parses a reference; fails with one line saying which forms are accepted. */
  public static DatasetRef parse(String ref) {
    if (ref == null || ref.isBlank()) throw new IllegalArgumentException("no dataset given");
    if (ref.startsWith(HF)) {
      Matcher m = HF_URL.matcher(ref.substring(HF.length()));
      if (!m.matches() || !REPO.matcher(m.group(1)).matches() || m.group(1).contains("..")) {
        throw new IllegalArgumentException(
            "'" + show(ref) + "' is not hf://datasets/owner/name[@revision]");
      }
      String rev = m.group(2);
      if (rev != null) {
        // a revision as the Hub writes it in hf:// URLs: refs/convert/parquet is %2F-encoded
        rev = rev.replace("%2F", "/").replace("%2f", "/");
        io.hfbeam.hub.HubCache.checkRepoPath(rev, "revision");
      }
      return new DatasetRef(
          Optional.of(RepoId.dataset(m.group(1))), Optional.empty(), Optional.ofNullable(rev));
    }
    if (ref.contains("://")) {
      throw new IllegalArgumentException(
          "'"
              + show(ref)
              + "': only hf://datasets/owner/name[@revision], owner/name or a local directory");
    }
    Path p = Path.of(ref);
    if (Files.isDirectory(p))
      return new DatasetRef(Optional.empty(), Optional.of(p), Optional.empty());
    if (Files.exists(p)) {
      throw new IllegalArgumentException(
          ref + " is a file; give the dataset's directory or a Hub id owner/name");
    }
    if (REPO.matcher(ref).matches() && !ref.contains("..")) {
      return new DatasetRef(Optional.of(RepoId.dataset(ref)), Optional.empty(), Optional.empty());
    }
    throw new IllegalArgumentException(
        "no directory " + show(ref) + ", and it is not a Hub id owner/name");
  }

  /** Whether {@code s} names a Hub dataset in the hf:// form (inputs of workflows). */
  public static boolean isHfUrl(String s) {
    return s != null && s.startsWith(HF);
  }

  private static String show(String s) {
    String t = s.replaceAll("\\p{Cntrl}", "?");
    return t.length() > 120 ? t.substring(0, 120) + "..." : t;
  }
}
