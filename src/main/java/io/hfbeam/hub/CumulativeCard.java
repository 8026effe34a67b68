package io.hfbeam.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.hf.DatasetCard;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The card a run publishes describes the whole dataset on the Hub, not only the files this run
 * wrote, because {@code datasets} checks split sizes against {@code dataset_info.splits} (a stale
 * count fails loading with NonMatchingSplitsSizesError).
 *
 * <p>The rule. A data file is one matched by a split's {@code configs.data_files} glob. The Hub may
 * hold data files this run did not write ("others", e.g. batch_001..003 of earlier runs when this
 * run adds batch_004). Their sizes come from the previous card, which counted exactly the data
 * files in the tree of the commit that wrote it (publishing puts the card in the same commit as the
 * last data files). So per split: {@code others = previous card - this run's files the previous
 * card had counted (same content, so same rows)}, and the published size is {@code others + this
 * run}. {@code download_size} is summed from the file sizes the Hub lists. When that cannot be
 * exact (no previous card, or a file the previous card counted was since changed or deleted, or
 * another file appeared that it did not count), the sizes are left out of the card rather than
 * written wrong: {@code datasets} then computes them itself.
 */
final class CumulativeCard {
  private static final Logger LOG = LoggerFactory.getLogger(CumulativeCard.class);

  /**
   * A file this run wrote, with the content ids the Hub compares (sha256 for LFS, git blob sha1
   * otherwise).
   */
  record Local(WrittenFile file, String sha256, String gitSha1) {
    boolean sameAs(RepoFile remote) {
      return sameContent(sha256, gitSha1, remote);
    }
  }

  /**
   * The card on the Hub before this run, and the files of the commit that wrote it (paths relative
   * to the card).
   */
  record Previous(String card, Map<String, RepoFile> files) {}

  private CumulativeCard() {}

  /**
   * Whether a remote file has this content: LFS files are compared by sha256, others by git blob
   * sha1.
   */
  static boolean sameContent(String sha256, String gitSha1, RepoFile remote) {
    return remote.lfsSha256() != null
        ? remote.lfsSha256().equals(sha256)
        : gitSha1.equals(remote.oid());
  }

  /**
   * @param local this run's card
   * @param written this run's files by path relative to the card's folder
   * @param onHub the files on the Hub now, before the card's commit, by path relative to the card's
   *     folder
   * @param previous the card on the Hub, if any
   */
  static String update(
      String local,
      Map<String, Local> written,
      Map<String, RepoFile> onHub,
      Optional<Previous> previous) {
    ObjectNode yaml = DatasetCard.frontMatter(local);
    ObjectNode prevYaml = previous.map(p -> DatasetCard.frontMatter(p.card())).orElse(null);
    if (prevYaml != null) addSplitsOnlyIn(prevYaml, yaml);
    Map<PathMatcher, String> globs = globs(yaml);

    Map<String, RepoFile> others = new LinkedHashMap<>();
    onHub.forEach(
        (path, f) -> {
          if (!written.containsKey(path) && splitOf(globs, path) != null) others.put(path, f);
        });
    if (others.isEmpty())
      return local; // the Hub's data files are exactly this run's: the local card is exact
    if (prevYaml == null)
      return withoutSizes(local, yaml, "the Hub has data files but no card counting them");

    Map<String, long[]> sizes = new LinkedHashMap<>(); // split -> {rows, arrow bytes} of the others
    for (JsonNode s : prevYaml.path("dataset_info").path("splits")) {
      sizes.put(
          s.path("name").asText(),
          new long[] {s.path("num_examples").asLong(), s.path("num_bytes").asLong()});
    }
    for (Map.Entry<String, RepoFile> e : previous.get().files().entrySet()) {
      String split = splitOf(globs, e.getKey());
      if (split == null) continue;
      RepoFile counted = e.getValue();
      Local mine = written.get(e.getKey());
      RepoFile other = others.get(e.getKey());
      if (mine != null && mine.sameAs(counted) && sizes.containsKey(split)) {
        sizes.get(split)[0] -= mine.file().rows();
        sizes.get(split)[1] -= mine.file().arrowBytes();
      } else if (other == null || !other.contentOid().equals(counted.contentOid())) {
        return withoutSizes(local, yaml, e.getKey() + " changed since the previous card");
      }
    }
    for (String path : others.keySet()) {
      if (!previous.get().files().containsKey(path))
        return withoutSizes(local, yaml, path + " is not in the previous card");
    }

    long download = yaml.path("dataset_info").path("download_size").asLong();
    for (RepoFile f : others.values()) download += f.size();
    long datasetSize = 0;
    for (JsonNode s : yaml.path("dataset_info").path("splits")) {
      long[] other = sizes.getOrDefault(s.path("name").asText(), new long[2]);
      if (other[0] < 0 || other[1] < 0)
        return withoutSizes(
            local, yaml, "the previous card undercounts " + s.path("name").asText());
      ((ObjectNode) s).put("num_bytes", s.path("num_bytes").asLong() + other[1]);
      ((ObjectNode) s).put("num_examples", s.path("num_examples").asLong() + other[0]);
      datasetSize += s.path("num_bytes").asLong();
    }
    ObjectNode info = (ObjectNode) yaml.path("dataset_info");
    info.put("download_size", download);
    info.put("dataset_size", datasetSize);
    return DatasetCard.withFrontMatter(rowsInTable(local, yaml), yaml);
  }

  /**
   * Splits that only earlier runs wrote keep their data_files and their entry (sizes start at 0:
   * others add them).
   */
  private static void addSplitsOnlyIn(ObjectNode prev, ObjectNode yaml) {
    // a card with one config per folder (dataset_info a list) has no single split list to extend
    if (!(yaml.path("configs").path(0).path("data_files") instanceof ArrayNode dataFiles)
        || !(yaml.path("dataset_info").path("splits") instanceof ArrayNode splits)) return;
    for (JsonNode df : prev.path("configs").path(0).path("data_files")) {
      String name = df.path("split").asText();
      boolean known = false;
      for (JsonNode mine : dataFiles) known |= mine.path("split").asText().equals(name);
      if (known) continue;
      dataFiles.add(df.deepCopy());
      splits.addObject().put("name", name).put("num_bytes", 0).put("num_examples", 0);
    }
  }

  /** Each data_files glob and the split it belongs to. */
  private static Map<PathMatcher, String> globs(ObjectNode yaml) {
    Map<PathMatcher, String> out = new LinkedHashMap<>();
    for (JsonNode df : yaml.path("configs").path(0).path("data_files")) {
      JsonNode path = df.path("path");
      for (JsonNode p : path.isArray() ? path : List.of(path)) {
        out.put(
            FileSystems.getDefault().getPathMatcher("glob:" + p.asText()),
            df.path("split").asText());
      }
    }
    return out;
  }

  private static String splitOf(Map<PathMatcher, String> globs, String path) {
    for (Map.Entry<PathMatcher, String> g : globs.entrySet()) {
      if (g.getKey().matches(Path.of(path))) return g.getValue();
    }
    return null;
  }

  private static String withoutSizes(String local, ObjectNode yaml, String why) {
    LOG.warn("The published card leaves out split sizes: {}", why);
    ObjectNode info = (ObjectNode) yaml.path("dataset_info");
    info.remove(List.of("splits", "download_size", "dataset_size"));
    return DatasetCard.withFrontMatter(local, yaml);
  }

  private static final Pattern TABLE_ROW = Pattern.compile("(?m)^\\| (\\S+) \\| (\\d+) \\|");

  /** The human table of the card shows the same cumulative rows as the YAML. */
  private static String rowsInTable(String card, ObjectNode yaml) {
    Map<String, Long> rows = new LinkedHashMap<>();
    for (JsonNode s : yaml.path("dataset_info").path("splits"))
      rows.put(s.path("name").asText(), s.path("num_examples").asLong());
    Matcher m = TABLE_ROW.matcher(card);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      Long n = rows.get(m.group(1));
      m.appendReplacement(
          out,
          Matcher.quoteReplacement(
              "| " + m.group(1) + " | " + (n != null ? n : m.group(2)) + " |"));
    }
    m.appendTail(out);
    return out.toString();
  }
}
