package io.hfbeam.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.hfbeam.hf.Builders.Builder;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves a dataset repo's configs, splits and data files the way {@code datasets} 5 does ({@code
 * load.py}, {@code data_files.py}, {@code utils/metadata.py}), from the repo's file list and its
 * README card; no network. Every path and card value comes from outside, so each is checked and a
 * failure is one line naming what exists.
 */
public final class DataFilesResolver {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  // huggingface_hub's REGEX_YAML_BLOCK (repocard.py): the card's front matter.
  private static final Pattern YAML_BLOCK =
      Pattern.compile("^(\\s*---[\\r\\n]+)([\\S\\s]*?)([\\r\\n]+---(\\r\\n|\\n|$))");
  private static final Pattern SPLIT_NAME =
      Pattern.compile("^\\w+(\\.\\w+)*$", Pattern.UNICODE_CHARACTER_CLASS);

  private static final String SHARDED =
      "data/{split}-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*";
  // string_to_dict reads the sharded pattern's basename as a regex, {split} as a greedy group.
  private static final Pattern SHARDED_NAME =
      Pattern.compile("(.+)-[0-9][0-9][0-9][0-9][0-9]-of-[0-9][0-9][0-9][0-9][0-9]*.*");
  private static final List<String> DEFAULT_SPLITS = List.of("train", "validation", "test");
  private static final Map<String, List<String>> SPLIT_KEYWORDS =
      linked(
          "train", List.of("train", "training"),
          "validation", List.of("validation", "valid", "dev", "val"),
          "test", List.of("test", "testing", "eval", "evaluation"));
  private static final String SEP = "-._ 0-9";
  private static final List<String> FILENAME_PATTERNS =
      List.of("**/{keyword}[{sep}]*", "**/*[{sep}]{keyword}[{sep}]*");
  private static final List<String> DIRNAME_PATTERNS =
      List.of(
          "**/{keyword}/**",
          "**/{keyword}[{sep}]*/**",
          "**/*[{sep}]{keyword}/**",
          "**/*[{sep}]{keyword}[{sep}]*/**");
  private static final Set<String> FILES_TO_IGNORE =
      Set.of(
          "README.md",
          "config.json",
          "dataset_info.json",
          "dataset_infos.json",
          "dummy_data.zip",
          "dataset_dict.json");

  private final List<String> files;
  private final Set<String> fileSet;
  private ArchiveMembers zips;

  private DataFilesResolver(List<String> files) {
    this.files = files;
    this.fileSet = new java.util.HashSet<>(files);
  }

  /**
   * Resolves a repo given its files (paths relative to the repo root, as the Hub tree lists them)
   * and its README.md text ({@code null} when it has none).
   */
  public static DatasetLayout resolve(Collection<String> repoFiles, String readme) {
    return resolve(repoFiles, readme, null);
  }

  /**
   * As {@link #resolve(Collection, String)}, with the repo's {@code .huggingface.yaml} text ({@code
   * null} when it has none): its top-level keys replace the card's, as {@code datasets} merges
   * them.
   */
  public static DatasetLayout resolve(
      Collection<String> repoFiles, String readme, String standaloneYaml) {
    return resolveWith(repoFiles, readme, standaloneYaml, null);
  }

  /** Throws {@link java.io.UncheckedIOException} when {@code zips} fails. */
  private static DatasetLayout resolveWith(
      Collection<String> repoFiles, String readme, String standaloneYaml, ArchiveMembers zips) {
    TreeSet<String> sorted = new TreeSet<>(CODE_POINT_ORDER);
    for (String f : repoFiles) sorted.add(checkPath(f));
    ObjectNode card = cardData(readme);
    if (standaloneYaml != null) {
      JsonNode extra;
      try {
        extra = YAML.readTree(standaloneYaml);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(
            STANDALONE_YAML
                + ": the YAML does not parse: "
                + e.getOriginalMessage().replace('\n', ' '),
            e);
      }
      if (extra != null && extra.isObject()) {
        card.setAll((ObjectNode) extra);
      } else if (extra != null && !extra.isNull() && !extra.isMissingNode() && truthy(extra)) {
        throw new IllegalArgumentException(STANDALONE_YAML + " is not a YAML mapping");
      }
    }
    DataFilesResolver r = new DataFilesResolver(new ArrayList<>(sorted));
    r.zips = zips;
    return r.layout(card);
  }

  /**
   * The files of a zip archive in a repo, for inferring the builder of data files that are zips
   * ({@code load.py}'s {@code infer_module_for_data_files_list_in_archives}); {@code
   * source.Archives.zipMembers} reads them from a repo's central directory.
   */
  @FunctionalInterface
  public interface ArchiveMembers {
    List<String> members(String zipPath) throws IOException;
  }

  /**
   * As {@link #resolve(Collection, String, String)}, looking into zip data files with {@code zips}
   * when the builder must be inferred from what they hold. Without it such a repo fails naming the
   * zips.
   */
  public static DatasetLayout resolve(
      Collection<String> repoFiles, String readme, String standaloneYaml, ArchiveMembers zips)
      throws IOException {
    try {
      return resolveWith(repoFiles, readme, standaloneYaml, zips);
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** The branch where the Hub's dataset viewer publishes its Parquet conversion of a dataset. */
  public static final String PARQUET_EXPORT_REVISION = "refs/convert/parquet";

  private static final Pattern SHARD_SUFFIX = Pattern.compile("-(?:\\d+-of-\\d+|\\d+)$");

  /**
   * The configs and splits of a {@link #PARQUET_EXPORT_REVISION} file list, as the dataset viewer
   * lays it out and its {@code /parquet} listing (which {@code datasets} reads for the export)
   * reports it: {@code {config}/{split}/NNNN.parquet}; {@code
   * {config}/partial-{split}/NNNN.parquet} for a split converted only in part (its first 5 GB: see
   * {@link #isPartialExport}); and the older flat {@code {config}/{name}-{split}.parquet} or {@code
   * {config}/{name}-{split}-NNNNN-of-NNNNN.parquet}. Every config reads with the {@code parquet}
   * builder; configs come in code-point order, splits train, validation, test first and then the
   * others, files in code-point order (the shard order). The default config is {@code default} or
   * the only one, as {@code datasets}' MetadataConfigs picks it. Files that are not Parquet (a
   * {@code .gitattributes}) are left out; a Parquet file elsewhere fails, named.
   *
   * <p>Not what {@code load_dataset(repo, revision="refs/convert/parquet")} gives: that reads the
   * branch as any revision, so a dataset with several configs comes out as one {@code default}
   * config whose splits hold every config's files.
   */
  public static DatasetLayout resolveParquetExport(Collection<String> files) {
    TreeSet<String> sorted = new TreeSet<>(CODE_POINT_ORDER);
    for (String f : files) sorted.add(checkPath(f));
    // config -> split -> files, and which splits came from a partial-{split} directory
    Map<String, Map<String, List<String>>> configs = new java.util.TreeMap<>(CODE_POINT_ORDER);
    Map<String, String> splitDirs = new LinkedHashMap<>();
    for (String f : sorted) {
      if (!f.endsWith(".parquet")) continue;
      String[] parts = f.split("/");
      String split;
      if (parts.length == 3) {
        split = parts[1].startsWith("partial-") ? parts[1].substring(8) : parts[1];
      } else if (parts.length == 2) {
        String stem = parts[1].substring(0, parts[1].length() - ".parquet".length());
        stem = SHARD_SUFFIX.matcher(stem).replaceFirst("");
        split = stem.substring(stem.lastIndexOf('-') + 1);
      } else {
        throw new IllegalArgumentException(
            "not the layout of a Parquet export ({config}/{split}/NNNN.parquet): " + f);
      }
      if (!SPLIT_NAME.matcher(split).find()) {
        throw new IllegalArgumentException(
            "the Parquet export file "
                + f
                + " gives the split name '"
                + split
                + "'; split names must match "
                + SPLIT_NAME.pattern());
      }
      String dir = parts.length == 3 ? parts[1] : "";
      String key = parts[0] + "/" + split;
      String before = splitDirs.putIfAbsent(key, dir);
      if (before != null
          && !before.equals(dir)
          && (before.startsWith("partial-") || dir.startsWith("partial-"))) {
        throw new IllegalArgumentException(
            "config '"
                + parts[0]
                + "' has both a full and a partial export of split '"
                + split
                + "' ("
                + parts[0]
                + "/"
                + before
                + "/ and "
                + parts[0]
                + "/"
                + dir
                + "/)");
      }
      configs
          .computeIfAbsent(parts[0], k -> new LinkedHashMap<>())
          .computeIfAbsent(split, k -> new ArrayList<>())
          .add(f);
    }
    if (configs.isEmpty()) {
      throw new IllegalArgumentException(
          "no Parquet file in the export's files "
              + (sorted.size() > 20
                  ? new ArrayList<>(sorted).subList(0, 20) + " and more"
                  : sorted));
    }
    List<ConfigLayout> out = new ArrayList<>();
    for (Map.Entry<String, Map<String, List<String>>> c : configs.entrySet()) {
      Map<String, List<String>> splits = new LinkedHashMap<>();
      for (String d : DEFAULT_SPLITS)
        if (c.getValue().containsKey(d)) splits.put(d, c.getValue().get(d));
      List<String> rest = new ArrayList<>(c.getValue().keySet());
      rest.removeAll(DEFAULT_SPLITS);
      rest.sort(CODE_POINT_ORDER);
      for (String r : rest) splits.put(r, c.getValue().get(r));
      out.add(
          new ConfigLayout(
              c.getKey(),
              "parquet",
              Map.of(),
              List.of(),
              Optional.empty(),
              splits,
              Optional.empty(),
              Map.of()));
    }
    Optional<String> defaultName =
        out.size() == 1
            ? Optional.of(out.get(0).name())
            : configs.containsKey("default") ? Optional.of("default") : Optional.empty();
    return new DatasetLayout(out, defaultName);
  }

  /**
   * Whether a file of a Parquet export holds only part of its split (a {@code partial-{split}}
   * directory: the viewer converts the first 5 GB of a big dataset).
   */
  public static boolean isPartialExport(String path) {
    String[] parts = path.split("/");
    return parts.length == 3 && parts[1].startsWith("partial-");
  }

  /** The repo's standalone YAML, which {@code datasets} merges over the card's front matter. */
  public static final String STANDALONE_YAML = ".huggingface.yaml";

  /**
   * Resolves a local directory: walks it (not following directory links) and reads its README.md.
   */
  public static DatasetLayout resolveDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a directory: " + dir);
    }
    List<String> found = new ArrayList<>();
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            // A link counts when it points to a regular file, as fsspec's local glob sees it.
            if (attrs.isRegularFile() || (attrs.isSymbolicLink() && Files.isRegularFile(file))) {
              StringBuilder rel = new StringBuilder();
              for (Path p : dir.relativize(file)) {
                if (rel.length() > 0) rel.append('/');
                rel.append(p);
              }
              found.add(rel.toString());
            }
            return FileVisitResult.CONTINUE;
          }
        });
    return resolve(
        found,
        readText(dir.resolve("README.md")),
        readText(dir.resolve(STANDALONE_YAML)),
        zip -> zipEntries(dir.resolve(zip)));
  }

  /** The file names in a local zip (for the builder only: nothing is extracted). */
  private static List<String> zipEntries(Path zip) throws IOException {
    List<String> names = new ArrayList<>();
    try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
      z.stream().filter(e -> !e.isDirectory()).forEach(e -> names.add(e.getName()));
    } catch (java.util.zip.ZipException e) {
      throw new IOException(
          zip.getFileName() + ": not a readable zip archive (" + e.getMessage() + ")", e);
    }
    return names;
  }

  private static String readText(Path file) throws IOException {
    return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readString(file) : null;
  }

  // ---- the card ----

  /** The card's YAML mapping, as huggingface_hub's RepoCard reads it (empty without one). */
  static ObjectNode cardData(String readme) {
    if (readme == null) return YAML.createObjectNode();
    Matcher m = YAML_BLOCK.matcher(readme);
    if (!m.find()) return YAML.createObjectNode();
    JsonNode data;
    try {
      data = YAML.readTree(m.group(2));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "README.md: the YAML front matter does not parse: "
              + e.getOriginalMessage().replace('\n', ' '),
          e);
    }
    if (data == null || data.isMissingNode() || data.isNull()) return YAML.createObjectNode();
    if (!data.isObject()) {
      throw new IllegalArgumentException(
          "README.md: the YAML front matter is a " + data.getNodeType() + ", not a mapping");
    }
    return (ObjectNode) data;
  }

  private DatasetLayout layout(JsonNode card) {
    LinkedHashMap<String, JsonNode> metadataConfigs = metadataConfigs(card);
    Map<String, Features> infoFeatures = new LinkedHashMap<>();
    Map<String, Map<String, ConfigLayout.SplitStats>> infoSplits = new LinkedHashMap<>();
    List<String> infoConfigs = datasetInfos(card, infoFeatures, infoSplits);

    // The builder is inferred once for the whole dataset: from the first config's data_files when
    // it has some, else from the files the default patterns find (load.py, get_module).
    Map<String, List<String>> patterns;
    String firstName =
        metadataConfigs.isEmpty() ? "default" : metadataConfigs.keySet().iterator().next();
    JsonNode first = metadataConfigs.get(firstName);
    if (first != null && first.has("data_files") && !first.get("data_files").isNull()) {
      patterns = sanitizePatterns(first.get("data_files"), firstName);
    } else {
      patterns = dataPatterns("");
    }
    Map<String, List<String>> dataFiles = new LinkedHashMap<>();
    patterns.forEach((split, ps) -> dataFiles.put(split, resolvePatterns(ps, "")));
    // datasets fails here too (a split with no file has no format); name the split instead.
    checkSplits(firstName, dataFiles, patterns);
    Builder builder = inferBuilder(dataFiles, zips);

    List<ConfigLayout> configs = new ArrayList<>();
    Optional<String> defaultName = Optional.empty();
    if (metadataConfigs.isEmpty()) {
      Pattern keep = builder.filter();
      Map<String, List<String>> filtered = new LinkedHashMap<>();
      dataFiles.forEach(
          (split, fs) -> {
            List<String> kept = new ArrayList<>();
            for (String f : fs) if (keep.matcher(f).matches()) kept.add(f);
            filtered.put(split, kept);
          });
      configs.add(
          new ConfigLayout(
              "default",
              builder.name(),
              builder.defaults(),
              List.of(),
              Optional.empty(),
              checkSplits("default", filtered, patterns),
              Optional.ofNullable(infoFeatures.get("default")),
              infoSplits.getOrDefault("default", Map.of())));
    } else {
      for (Map.Entry<String, JsonNode> e : metadataConfigs.entrySet()) {
        configs.add(
            configLayout(
                e.getKey(),
                e.getValue(),
                builder,
                infoFeatures,
                infoSplits.getOrDefault(e.getKey(), Map.of())));
      }
      defaultName = metadataDefault(metadataConfigs);
    }
    // get_dataset_default_config_name: the card's default, else the only dataset_info's config,
    // else the only config.
    if (defaultName.isEmpty() && infoConfigs.size() == 1) {
      defaultName = Optional.of(infoConfigs.get(0));
    }
    if (defaultName.isEmpty() && configs.size() == 1) {
      defaultName = Optional.of(configs.get(0).name());
    }
    return new DatasetLayout(configs, defaultName);
  }

  private ConfigLayout configLayout(
      String name,
      JsonNode params,
      Builder builder,
      Map<String, Features> infoFeatures,
      Map<String, ConfigLayout.SplitStats> cardSplits) {
    JsonNode dataDirNode = params.get("data_dir");
    Optional<String> dataDir = Optional.empty();
    if (dataDirNode != null && !dataDirNode.isNull()) {
      if (!dataDirNode.isTextual()) {
        throw new IllegalArgumentException(
            "README.md config '" + name + "': data_dir must be a string, got " + dataDirNode);
      }
      dataDir = Optional.of(dataDirNode.asText());
    }
    String base = dataDir.map(d -> normalize(d, "config '" + name + "' data_dir")).orElse("");
    JsonNode df = params.get("data_files");
    Map<String, List<String>> patterns;
    if (df != null && !df.isNull()) {
      patterns = sanitizePatterns(df, name);
    } else {
      try {
        patterns = dataPatterns(base);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("README.md config '" + name + "': " + e.getMessage(), e);
      }
    }
    Map<String, List<String>> splits = new LinkedHashMap<>();
    patterns.forEach((split, ps) -> splits.put(split, resolvePatterns(ps, base)));

    Map<String, JsonNode> kwargs = new LinkedHashMap<>(builder.defaults());
    List<String> ignored = new ArrayList<>();
    Features features = infoFeatures.get(name);
    for (Map.Entry<String, JsonNode> p : iterable(params)) {
      String key = p.getKey();
      if (key.equals("default") || key.equals("data_files") || key.equals("data_dir")) continue;
      if (!builder.accepts(key)) {
        ignored.add(key);
        continue;
      }
      if (key.equals("features")) {
        features = parseFeatures(p.getValue(), "config '" + name + "' features");
      }
      kwargs.put(key, p.getValue());
    }
    return new ConfigLayout(
        name,
        builder.name(),
        kwargs,
        ignored,
        dataDir,
        checkSplits(name, splits, patterns),
        Optional.ofNullable(features),
        cardSplits);
  }

  /** A split whose patterns found no file would fail later in datasets; fail here, clearly. */
  private Map<String, List<String>> checkSplits(
      String config, Map<String, List<String>> splits, Map<String, List<String>> patterns) {
    for (Map.Entry<String, List<String>> e : splits.entrySet()) {
      if (e.getValue().isEmpty()) {
        throw new IllegalArgumentException(
            "config '"
                + config
                + "' split '"
                + e.getKey()
                + "': no supported data file (parquet, json, jsonl, csv, tsv, txt, ...) matches "
                + patterns.get(e.getKey())
                + "; the repo's files: "
                + listing());
      }
    }
    return splits;
  }

  private String listing() {
    int max = 20;
    List<String> shown = files.size() <= max ? files : files.subList(0, max);
    return shown + (files.size() > max ? " and " + (files.size() - max) + " more" : "");
  }

  // ---- configs: (utils/metadata.py, MetadataConfigs) ----

  private static LinkedHashMap<String, JsonNode> metadataConfigs(JsonNode card) {
    LinkedHashMap<String, JsonNode> out = new LinkedHashMap<>();
    JsonNode configs = card.get("configs");
    if (configs == null || !truthy(configs)) return out;
    if (!configs.isArray()) {
      throw new IllegalArgumentException("README.md: configs must be a list, got " + configs);
    }
    for (JsonNode c : configs) {
      if (!c.isObject() || !c.has("config_name") || c.get("config_name").isNull()) {
        throw new IllegalArgumentException(
            "README.md: every entry of configs needs a config_name, got " + c);
      }
      String name = c.get("config_name").asText();
      checkDataFilesField(name, c.get("data_files"));
      ObjectNode params = c.deepCopy();
      params.remove("config_name");
      // A repeated name keeps its first place and its last params, like the dict in datasets.
      out.put(name, params);
    }
    return out;
  }

  private static void checkDataFilesField(String config, JsonNode df) {
    if (df == null || df.isNull()) return;
    String bad =
        "README.md config '"
            + config
            + "': data_files must be a string, a list of strings, or a list of {split, path}; got "
            + df;
    if (df.isTextual()) return;
    if (!df.isArray()) throw new IllegalArgumentException(bad);
    for (JsonNode item : df) {
      if (item.isTextual()) continue;
      if (!item.isObject()
          || item.size() != 2
          || !item.has("split")
          || !item.has("path")
          || !SPLIT_NAME.matcher(item.get("split").asText()).find()
          || !item.get("split").isValueNode()
          || !(item.get("path").isTextual() || item.get("path").isArray())) {
        throw new IllegalArgumentException(bad);
      }
    }
  }

  private static Optional<String> metadataDefault(Map<String, JsonNode> configs) {
    String found = null;
    for (Map.Entry<String, JsonNode> e : configs.entrySet()) {
      JsonNode d = e.getValue().get("default");
      if (configs.size() == 1 || e.getKey().equals("default") || (d != null && truthy(d))) {
        if (found != null) {
          throw new IllegalArgumentException(
              "README.md: several default configs: '" + found + "' and '" + e.getKey() + "'");
        }
        found = e.getKey();
      }
    }
    return Optional.ofNullable(found);
  }

  /** data_files as the card gives it -> split -> patterns ({@code sanitize_patterns}). */
  private static Map<String, List<String>> sanitizePatterns(JsonNode df, String config) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (df.isTextual()) {
      out.put("train", List.of(df.asText()));
      return out;
    }
    if (!df.isArray()) {
      throw new IllegalArgumentException(
          "README.md config '" + config + "': data_files must be a string or a list, got " + df);
    }
    boolean anyDict = false;
    for (JsonNode item : df) anyDict |= item.isObject();
    if (!anyDict) {
      out.put("train", strings(df, config));
      return out;
    }
    for (JsonNode item : df) {
      if (!item.isObject()) {
        throw new IllegalArgumentException(
            "README.md config '" + config + "': data_files mixes paths and {split, path} entries");
      }
      String split = item.get("split").asText();
      if (out.containsKey(split)) {
        throw new IllegalArgumentException(
            "README.md config '" + config + "': split '" + split + "' appears twice in data_files");
      }
      JsonNode path = item.get("path");
      out.put(split, path.isArray() ? strings(path, config) : List.of(path.asText()));
    }
    return out;
  }

  private static List<String> strings(JsonNode list, String config) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : list) {
      if (!n.isTextual()) {
        throw new IllegalArgumentException(
            "README.md config '" + config + "': a data_files path is not a string: " + n);
      }
      out.add(n.asText());
    }
    return out;
  }

  /** dataset_info: one mapping or a list, keyed by config_name ("default" when absent). */
  private static List<String> datasetInfos(
      JsonNode card,
      Map<String, Features> features,
      Map<String, Map<String, ConfigLayout.SplitStats>> splits) {
    JsonNode info = card.get("dataset_info");
    List<JsonNode> entries = new ArrayList<>();
    if (info != null && info.isArray()) info.forEach(entries::add);
    else if (info != null && info.isObject()) entries.add(info);
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (JsonNode e : entries) {
      if (!e.isObject()) {
        throw new IllegalArgumentException(
            "README.md: a dataset_info entry is not a mapping: " + e);
      }
      String name = e.has("config_name") ? e.get("config_name").asText() : "default";
      names.add(name);
      splits.put(name, cardSplits(e.get("splits"), name));
      JsonNode f = e.get("features");
      if (f != null && !f.isNull()) {
        features.put(name, parseFeatures(f, "dataset_info of config '" + name + "'"));
      } else {
        features.remove(name);
      }
    }
    return new ArrayList<>(names);
  }

  private static Map<String, ConfigLayout.SplitStats> cardSplits(JsonNode list, String config) {
    Map<String, ConfigLayout.SplitStats> out = new LinkedHashMap<>();
    if (list == null || list.isNull()) return out;
    String where = "README.md dataset_info of config '" + config + "': ";
    if (!list.isArray()) throw new IllegalArgumentException(where + "splits must be a list");
    for (JsonNode s : list) {
      if (!s.isObject() || !s.has("name") || !s.get("name").isValueNode()) {
        throw new IllegalArgumentException(where + "a split entry has no name: " + s);
      }
      out.put(
          s.get("name").asText(),
          new ConfigLayout.SplitStats(
              count(s, "num_examples", where), count(s, "num_bytes", where)));
    }
    return out;
  }

  private static long count(JsonNode split, String key, String where) {
    JsonNode n = split.get(key);
    if (n == null || n.isNull()) return 0;
    if (!n.canConvertToLong() || !n.isIntegralNumber() || n.asLong() < 0) {
      throw new IllegalArgumentException(
          where + key + " of split '" + split.get("name").asText() + "' is not a count: " + n);
    }
    return n.asLong();
  }

  private static Features parseFeatures(JsonNode node, String where) {
    try {
      return Features.parse(node);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "README.md " + where + ": features do not parse: " + e.getMessage(), e);
    }
  }

  // ---- patterns (data_files.py) ----

  /** The default split patterns ({@code _get_data_files_patterns}), relative to {@code base}. */
  private Map<String, List<String>> dataPatterns(String base) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> sharded = resolvePattern(SHARDED.replace("{split}", "*"), base, false);
    if (!sharded.isEmpty()) {
      Set<String> splits = new LinkedHashSet<>();
      for (String p : sharded) {
        Matcher m = SHARDED_NAME.matcher(basename(p));
        if (!m.find()) throw new IllegalStateException("sharded name without a split: " + p);
        splits.add(m.group(1));
      }
      for (String s : splits) {
        if (!SPLIT_NAME.matcher(s).find()) {
          throw new IllegalArgumentException(
              "split names must match " + SPLIT_NAME.pattern() + ", but the files give " + splits);
        }
      }
      List<String> ordered = new ArrayList<>();
      for (String d : DEFAULT_SPLITS) if (splits.contains(d)) ordered.add(d);
      TreeSet<String> rest = new TreeSet<>(CODE_POINT_ORDER);
      rest.addAll(splits);
      rest.removeAll(DEFAULT_SPLITS);
      ordered.addAll(rest);
      for (String s : ordered) out.put(s, List.of(SHARDED.replace("{split}", s)));
      return out;
    }
    List<Map<String, List<String>>> tiers =
        List.of(
            linked("logs", List.of("**/*.eval")),
            keywordPatterns(DIRNAME_PATTERNS),
            keywordPatterns(FILENAME_PATTERNS),
            linked("train", List.of("**")));
    for (Map<String, List<String>> tier : tiers) {
      for (Map.Entry<String, List<String>> e : tier.entrySet()) {
        for (String p : e.getValue()) {
          if (!resolvePattern(p, base, false).isEmpty()) {
            out.put(e.getKey(), e.getValue());
            break;
          }
        }
      }
      if (!out.isEmpty()) return out;
    }
    throw new IllegalArgumentException(
        "no data files"
            + (base.isEmpty() ? "" : " under '" + base + "'")
            + "; the repo's files: "
            + listing());
  }

  private static Map<String, List<String>> keywordPatterns(List<String> templates) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    SPLIT_KEYWORDS.forEach(
        (split, keywords) -> {
          List<String> ps = new ArrayList<>();
          for (String k : keywords) {
            for (String t : templates) ps.add(t.replace("{keyword}", k).replace("{sep}", SEP));
          }
          out.put(split, ps);
        });
    return out;
  }

  /**
   * All files of a split's patterns, pattern by pattern ({@code DataFilesList.from_patterns}): a
   * glob matching nothing is skipped, a plain path that is missing is an error.
   */
  private List<String> resolvePatterns(List<String> patterns, String base) {
    List<String> out = new ArrayList<>();
    for (String p : patterns) {
      List<String> found = resolvePattern(p, base, true);
      if (found.isEmpty() && !RepoGlob.hasMagic(p)) {
        throw new IllegalArgumentException(
            "data file '"
                + join(base, p)
                + "' not found (or not a supported data file); the repo's files: "
                + listing());
      }
      out.addAll(found);
    }
    return out;
  }

  /** {@code resolve_pattern}: the repo files one pattern matches, in sorted order. */
  private List<String> resolvePattern(String pattern, String base, boolean allowedOnly) {
    String full = join(base, normalize(pattern, "pattern '" + pattern + "'"));
    String fullBase = basename(full);
    List<String> matched = new ArrayList<>();
    if (!RepoGlob.hasMagic(full)) {
      if (fileSet.contains(full)) matched.add(full);
    } else {
      RepoGlob glob = RepoGlob.of(full);
      for (String f : files) if (glob.matches(f)) matched.add(f);
    }
    List<String> out = new ArrayList<>();
    for (String f : matched) {
      String name = basename(f);
      if (FILES_TO_IGNORE.contains(name) && !name.equals(fullBase)) continue;
      if (count(parentParts(f), "__") != count(parentParts(full), "__")) continue;
      if (hidden(f) != hidden(full)) continue;
      if (allowedOnly && !hasAllowedExtension(name)) continue;
      out.add(f);
    }
    return out;
  }

  private static boolean hasAllowedExtension(String name) {
    String[] parts = name.split("\\.", -1);
    for (int i = 1; i < parts.length; i++) {
      if (Builders.ALLOWED_EXTENSIONS.contains("." + parts[i])) return true;
    }
    return false;
  }

  private static String[] parentParts(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? new String[0] : path.substring(0, slash).split("/");
  }

  private static int count(String[] parts, String prefix) {
    int n = 0;
    for (String p : parts) if (p.startsWith(prefix)) n++;
    return n;
  }

  private static int hidden(String path) {
    int n = 0;
    for (String p : path.split("/")) {
      if (p.startsWith(".") && !p.chars().allMatch(c -> c == '.')) n++;
    }
    return n;
  }

  // ---- the builder (load.py, infer_module_for_data_files) ----

  private static Builder inferBuilder(Map<String, List<String>> dataFiles, ArchiveMembers zips) {
    Map<String, String> perSplit = new LinkedHashMap<>();
    Builder chosen = null;
    boolean same = true;
    for (Map.Entry<String, List<String>> e : dataFiles.entrySet()) {
      Builder b = Builders.infer(e.getValue(), zips);
      perSplit.put(e.getKey(), b == null ? "none" : b.name() + b.defaults());
      if (chosen == null && perSplit.size() == 1) chosen = b;
      else if (!java.util.Objects.equals(key(chosen), key(b))) same = false;
    }
    if (!same) {
      throw new IllegalArgumentException(
          "the splits' data files have different formats: " + perSplit);
    }
    if (chosen == null) {
      List<String> all = new ArrayList<>();
      dataFiles.values().forEach(all::addAll);
      throw new IllegalArgumentException(
          "no supported data files (parquet, json/jsonl, csv/tsv, txt, ...) among " + all);
    }
    return chosen;
  }

  private static String key(Builder b) {
    return b == null ? null : b.name() + b.defaults();
  }

  // ---- paths ----

  /** A repo path from outside: relative, '/'-separated, no empty, '.' or '..' segment. */
  static String checkPath(String p) {
    if (p == null || p.isEmpty()) throw new IllegalArgumentException("empty file path in the repo");
    for (String seg : p.split("/", -1)) {
      if (seg.isEmpty() || seg.equals(".") || seg.equals("..")) {
        throw new IllegalArgumentException("file path '" + p + "' is not a clean relative path");
      }
    }
    for (int i = 0; i < p.length(); i++) {
      if (p.charAt(i) < 0x20 || p.charAt(i) == 0x7f || p.charAt(i) == '\\') {
        throw new IllegalArgumentException(
            "file path '" + p.replace("\n", "\\n") + "' has a control character or backslash");
      }
    }
    return p;
  }

  /**
   * A pattern or data_dir as {@code Path(base, pattern).as_posix()} joins it: '.' and empty
   * segments dropped; absolute paths, URLs and '..' rejected (they leave the repo).
   */
  private static String normalize(String pattern, String what) {
    if (pattern.startsWith("/") || pattern.contains("://") || pattern.contains("::")) {
      throw new IllegalArgumentException(what + " must be relative to the repo root");
    }
    List<String> parts = new ArrayList<>();
    for (String seg : pattern.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) continue;
      if (seg.equals("..")) throw new IllegalArgumentException(what + " leaves the repo ('..')");
      parts.add(seg);
    }
    return String.join("/", parts);
  }

  private static String join(String base, String rest) {
    if (base.isEmpty()) return rest;
    if (rest.isEmpty()) return base;
    return base + "/" + rest;
  }

  private static String basename(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private static boolean truthy(JsonNode n) {
    if (n.isBoolean()) return n.booleanValue();
    if (n.isNumber()) return n.doubleValue() != 0;
    if (n.isTextual()) return !n.asText().isEmpty();
    if (n.isContainerNode()) return n.size() > 0;
    return false;
  }

  private static Iterable<Map.Entry<String, JsonNode>> iterable(JsonNode obj) {
    return obj::fields;
  }

  /** Python's str ordering: by code point (not UTF-16 unit, as String.compareTo does). */
  static final Comparator<String> CODE_POINT_ORDER =
      (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
          int ca = a.codePointAt(i);
          int cb = b.codePointAt(j);
          if (ca != cb) return Integer.compare(ca, cb);
          i += Character.charCount(ca);
          j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
      };

  private static <V> Map<String, V> linked(Object... kv) {
    Map<String, V> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      @SuppressWarnings("unchecked")
      V v = (V) kv[i + 1];
      m.put((String) kv[i], v);
    }
    return m;
  }
}
