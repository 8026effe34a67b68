package io.hfbeam.source;

import io.hfbeam.hf.ConfigLayout;
import io.hfbeam.hf.DataFilesResolver;
import io.hfbeam.hf.DatasetLayout;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.HubClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dataset opened for reading: its files at one version and what {@code datasets} makes of them
 * (configs, splits, files, builder). Planning happens here, on the launcher; a missing dataset,
 * config, split or column fails with one line naming what exists.
 */
public final class HfDataset {
  private final DatasetFiles files;
  private final Map<String, DataFile> byPath;
  private final DatasetLayout layout;
  private final WithArchives withArchives;

  private HfDataset(
      DatasetFiles files, List<DataFile> listed, DatasetLayout layout, Archives archives) {
    this.files = files;
    this.withArchives = new WithArchives(files, archives);
    this.byPath = new HashMap<>();
    listed.forEach(f -> byPath.put(f.path(), f));
    this.layout = layout;
  }

  /** Opens the dataset a spec names (resolving a Hub revision to its commit). */
  public static HfDataset open(ReadSpec spec) throws IOException {
    DatasetRef ref = DatasetRef.parse(spec.dataset());
    DatasetFiles files;
    String revision = spec.revision() != null ? spec.revision() : ref.revision().orElse(null);
    Archives archives =
        Archives.inDatasetsCache(spec.hub() != null ? spec.hub().variables() : System.getenv());
    if (ref.directory().isPresent()) {
      if (spec.revision() != null) {
        throw new IllegalArgumentException(
            "a revision is for Hub datasets; " + spec.dataset() + " is a local directory");
      }
      files = new LocalDatasetFiles(ref.directory().get());
    } else {
      HubClient.Settings hub =
          spec.hub() != null ? spec.hub() : HubClient.Settings.builder().build();
      files = HubDatasetFiles.open(hub, ref.repo().get(), revision, spec.streaming());
    }
    return open(files, archives, DataFilesResolver.PARQUET_EXPORT_REVISION.equals(revision));
  }

  /** Opens a dataset given its files; archives are extracted where {@code datasets} would. */
  public static HfDataset open(DatasetFiles files) throws IOException {
    return open(files, Archives.inDatasetsCache(System.getenv()), false);
  }

  /**
   * Opens a dataset given its files.
   *
   * @param parquetExport the files are the Hub's {@code refs/convert/parquet} export: a config per
   *     top-level folder, a split per folder below it
   */
  public static HfDataset open(DatasetFiles files, Archives archives, boolean parquetExport)
      throws IOException {
    List<DataFile> listed = files.list();
    List<String> names = new ArrayList<>();
    boolean card = false;
    boolean yaml = false;
    for (DataFile f : listed) {
      names.add(f.path());
      card |= f.path().equals("README.md");
      yaml |= f.path().equals(DataFilesResolver.STANDALONE_YAML);
    }
    String readme = card ? files.readText("README.md").orElse(null) : null;
    String extra = yaml ? files.readText(DataFilesResolver.STANDALONE_YAML).orElse(null) : null;
    DatasetLayout layout =
        parquetExport
            ? DataFilesResolver.resolveParquetExport(names)
            : DataFilesResolver.resolve(names, readme, extra, p -> Archives.zipMembers(files, p));
    return new HfDataset(files, listed, layout, archives);
  }

  /** The dataset's files, archive members included ({@code member::archive}). */
  public DatasetFiles files() {
    return withArchives;
  }

  public DatasetLayout layout() {
    return layout;
  }

  /** The commit read, for a Hub dataset. */
  public Optional<String> commit() {
    return files instanceof HubDatasetFiles h ? Optional.of(h.commit()) : Optional.empty();
  }

  public String describe() {
    return files.describe();
  }

  /**
   * A split's data files with their sizes, in read order; an archive stands for its members ({@code
   * member::archive}), so it is extracted here.
   */
  public List<DataFile> dataFiles(ConfigLayout config, String split) throws IOException {
    List<DataFile> out = new ArrayList<>();
    for (String p : config.split(split)) {
      DataFile f = byPath.get(p);
      if (f == null) throw new IllegalStateException("resolved file not listed: " + p);
      if (ConfigLayout.isArchive(p)) out.addAll(withArchives.members(p));
      else out.add(f);
    }
    return out;
  }

  /**
   * The config's features: the card's, else what its builder takes from the first data file (of the
   * first split), as {@code datasets} does.
   */
  public Features features(ConfigLayout config) throws IOException {
    Optional<Features> card = config.features();
    if (card.isPresent()) return card.get();
    FormatReader reader = FormatReaders.forBuilder(config.builder());
    if (config.splits().isEmpty()) {
      throw new IllegalArgumentException(
          "config '" + config.name() + "' of " + describe() + " has no data files");
    }
    List<DataFile> first = dataFiles(config, config.splitNames().get(0));
    return reader.features(withArchives, first, config.builderKwargs());
  }

  /** The plan of a read: every unit of the asked splits, in order. */
  public ReadPlan plan(ReadSpec spec) throws IOException {
    ConfigLayout config = layout.config(spec.config());
    FormatReader reader = FormatReaders.forBuilder(config.builder());
    List<String> splits = spec.split() != null ? List.of(spec.split()) : config.splitNames();
    for (String s : splits) config.split(s);
    Features features = features(config);
    List<String> columns = spec.columns().isEmpty() ? features.names() : spec.columns();
    FormatReaders.select(features, columns);
    List<ReadUnit> units = new ArrayList<>();
    for (String s : splits) {
      for (DataFile f : dataFiles(config, s)) {
        try {
          units.addAll(
              reader.plan(withArchives, f, units.size(), spec.unitBytes(), config.builderKwargs()));
        } catch (IOException | RuntimeException e) {
          // a file that cannot be planned (a cut Parquet footer) is read whole, and fails as one
          // located bad record while the other files are read
          units.add(ReadUnit.wholeFile(units.size(), f));
        }
      }
    }
    return new ReadPlan(
        withArchives,
        config.name(),
        splits,
        config.builder(),
        config.builderKwargs(),
        features,
        columns,
        units,
        spec.decodeImages());
  }
}
