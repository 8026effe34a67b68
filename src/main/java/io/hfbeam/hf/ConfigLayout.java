package io.hfbeam.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One config of a dataset as {@code datasets} resolves it: the packaged builder that reads it
 * ({@code parquet}, {@code json}, {@code csv}, {@code text}, or another {@code datasets} builder
 * the reader may not support), the builder kwargs from the card, and per split the data files
 * (repo-relative paths) in the order {@code datasets} reads them.
 *
 * @param name the config name
 * @param builder the packaged builder name
 * @param builderKwargs kwargs the builder accepts (e.g. {@code sep}, {@code field}), as YAML values
 * @param ignoredKwargs card keys of this config the builder does not accept ({@code datasets} warns
 *     and drops them)
 * @param dataDir the config's {@code data_dir}, when the card gives one
 * @param splits split name to data files, in {@code datasets}' split and file order
 * @param features the config's features from the card ({@code features} or {@code dataset_info})
 * @param cardSplits the splits the card's {@code dataset_info} lists with their sizes (empty when
 *     it lists none)
 */
public record ConfigLayout(
    String name,
    String builder,
    Map<String, JsonNode> builderKwargs,
    List<String> ignoredKwargs,
    Optional<String> dataDir,
    Map<String, List<String>> splits,
    Optional<Features> features,
    Map<String, SplitStats> cardSplits) {

  /** A split's size as the card's {@code dataset_info.splits} states it. */
  public record SplitStats(long numExamples, long numBytes) {}

  public ConfigLayout {
    builderKwargs = Collections.unmodifiableMap(new LinkedHashMap<>(builderKwargs));
    ignoredKwargs = List.copyOf(ignoredKwargs);
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
    splits.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    splits = Collections.unmodifiableMap(copy);
    cardSplits = Collections.unmodifiableMap(new LinkedHashMap<>(cardSplits));
  }

  /**
   * The split names {@code get_dataset_split_names} reports: the card's {@code dataset_info} splits
   * when it lists some (even if the files give others), else the data files' splits.
   */
  public List<String> reportedSplitNames() {
    return cardSplits.isEmpty() ? splitNames() : new ArrayList<>(cardSplits.keySet());
  }

  public List<String> splitNames() {
    return new ArrayList<>(splits.keySet());
  }

  /** The data files of a split; an unknown split fails naming the config's splits. */
  public List<String> split(String split) {
    List<String> files = splits.get(split);
    if (files == null) {
      throw new IllegalArgumentException(
          "config '" + name + "' has no split '" + split + "'; its splits: " + splitNames());
    }
    return files;
  }

  /**
   * The data files of a split that are archives (zip or tar, see {@link #isArchive}), in the
   * split's order: the reader extracts each and reads its members in their place, in {@code
   * datasets}' {@code iter_files} order.
   */
  public List<String> archives(String split) {
    return split(split).stream().filter(ConfigLayout::isArchive).toList();
  }

  /**
   * Whether a data file is an archive of files that {@code datasets}' download manager extracts
   * before the builder reads them: {@code .zip}, {@code .tar}, {@code .tar.gz}/{@code .tgz}, {@code
   * .tar.bz2}, {@code .tar.xz}, {@code .tar.zst}. A compressed single file ({@code train.jsonl.gz})
   * is not: readers decompress it as they read.
   */
  public static boolean isArchive(String path) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    for (String s :
        List.of(
            ".zip",
            ".tar",
            ".tar.gz",
            ".tgz",
            ".tar.bz2",
            ".tbz2",
            ".tar.xz",
            ".txz",
            ".tar.zst")) {
      if (lower.endsWith(s)) return true;
    }
    return false;
  }

  /** The compression a data file's name says it has ({@code gzip}, {@code bz2}, ...), if any. */
  public static Optional<String> compression(String path) {
    String lower = path.toLowerCase(java.util.Locale.ROOT);
    if (lower.endsWith(".gz")) return Optional.of("gzip");
    if (lower.endsWith(".bz2")) return Optional.of("bz2");
    if (lower.endsWith(".zst")) return Optional.of("zstd");
    if (lower.endsWith(".xz")) return Optional.of("xz");
    return Optional.empty();
  }
}
