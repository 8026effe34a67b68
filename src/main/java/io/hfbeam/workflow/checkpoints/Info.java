package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.parquet.RangedParquetFile;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.source.DataFile;
import io.hfbeam.source.DatasetFiles;
import io.hfbeam.source.HubDatasetFiles;
import io.hfbeam.source.LocalDatasetFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a checkpoint set holds, stage by stage: complete (with its {@code checkpoint.json}),
 * incomplete (a folder without one: a run stopped before finishing it) or absent; rows (the Parquet
 * footers), bytes on disk, columns and features, fingerprint, how it was made, failed records.
 * Reads footers only, never rows: from a local folder, or from a Hub dataset through the {@code
 * source} package (the file list, {@code checkpoint.json}, each Parquet footer by a ranged read).
 */
public final class Info {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum State {
    COMPLETE,
    INCOMPLETE,
    ABSENT
  }

  public record StageStatus(
      String stage,
      State state,
      Optional<CheckpointLayout.StageInfo> info,
      long rows,
      long bytesOnDisk,
      int dataFiles,
      Features features,
      String problem) {}

  private Info() {}

  /** Every stage of a local checkpoint set (or just {@code only}, when not null). */
  public static List<StageStatus> of(Path root, String only) throws IOException {
    Paths.checkRoot(root);
    return of(new LocalDatasetFiles(root.toAbsolutePath().normalize()), only);
  }

  /**
   * A checkpoint set given as a local folder or {@code hf://datasets/owner/name[@revision]} (read
   * through the Hub API and ranged reads of the Parquet footers; {@code env} gives HF_ENDPOINT,
   * HF_TOKEN, HF_HOME).
   */
  public static List<StageStatus> of(String root, String only, Map<String, String> env)
      throws IOException {
    Matcher m = HUB.matcher(root);
    if (root.startsWith("hf://") && !m.matches()) {
      throw new IllegalArgumentException(
          "expected hf://datasets/owner/name[@revision], got '" + root + "'");
    }
    if (!m.matches()) return of(Paths.of(root, "ROOT"), only);
    HubClient.Settings hub = HubClient.Settings.builder().environment(env).build();
    return of(HubDatasetFiles.open(hub, RepoId.dataset(m.group(1)), m.group(2), true), only);
  }

  private static final Pattern HUB =
      Pattern.compile(
          "hf://datasets/([A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*)(?:@(.+))?");

  static List<StageStatus> of(DatasetFiles files, String only) throws IOException {
    if (only != null && !CheckpointLayout.STAGES.contains(only)) {
      throw new IllegalArgumentException(
          "no stage '" + only + "'; stages: " + String.join(", ", CheckpointLayout.STAGES));
    }
    List<DataFile> all = files.list();
    List<StageStatus> out = new ArrayList<>();
    for (String stage : CheckpointLayout.STAGES) {
      if (only == null || only.equals(stage)) out.add(stage(files, all, stage));
    }
    return out;
  }

  private static StageStatus stage(DatasetFiles files, List<DataFile> all, String stage)
      throws IOException {
    String prefix = stage + "/";
    List<DataFile> mine = all.stream().filter(f -> f.path().startsWith(prefix)).toList();
    if (mine.isEmpty()) {
      return new StageStatus(stage, State.ABSENT, Optional.empty(), 0, 0, 0, null, null);
    }
    Optional<CheckpointLayout.StageInfo> info = Optional.empty();
    Optional<String> record = files.readText(prefix + CheckpointLayout.STAGE_FILE);
    if (record.isPresent()) {
      // the same rules as CheckpointLayout.read: this layout's format and this stage, else
      // incomplete
      try {
        JsonNode o = JSON.readTree(record.get());
        if (o.path("format").asInt() == CheckpointLayout.FORMAT
            && stage.equals(o.path("stage").asText())) {
          info = Optional.of(CheckpointLayout.StageInfo.fromJson(o));
        }
      } catch (IOException | IllegalArgumentException e) {
        info = Optional.empty();
      }
    }
    long bytes = mine.stream().mapToLong(DataFile::size).sum();
    List<String> data =
        mine.stream()
            .map(DataFile::path)
            .filter(p -> p.startsWith(prefix + "data/") && p.endsWith(".parquet"))
            .sorted()
            .toList();
    long rows = 0;
    Features features = null;
    String problem = null;
    for (String f : data) {
      try (RangedParquetFile r = RangedParquetFile.open(files.open(f))) {
        rows += r.rowCount();
        if (features == null) features = r.features();
      } catch (IOException | RuntimeException e) {
        problem = f + ": not a readable Parquet file (" + e.getMessage() + ")";
      }
    }
    if (problem == null && info.isPresent() && info.get().rows() != rows) {
      problem = "checkpoint.json says " + info.get().rows() + " rows, the data files hold " + rows;
    }
    State state = info.isPresent() ? State.COMPLETE : State.INCOMPLETE;
    return new StageStatus(stage, state, info, rows, bytes, data.size(), features, problem);
  }

  public static ObjectNode toJson(List<StageStatus> all) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    ArrayNode stages = root.putArray("stages");
    for (StageStatus s : all) {
      ObjectNode o = stages.addObject();
      o.put("stage", s.stage());
      o.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
      if (s.state() == State.ABSENT) continue;
      o.put("rows", s.rows());
      o.put("bytes_on_disk", s.bytesOnDisk());
      o.put("data_files", s.dataFiles());
      if (s.features() != null) {
        ArrayNode cols = o.putArray("columns");
        ObjectNode feats = o.putObject("features");
        for (String c : s.features().names()) {
          cols.add(c);
          feats.put(c, Features.typeText(s.features().get(c)));
        }
      }
      s.info()
          .ifPresent(
              i -> {
                o.put("fingerprint", i.fingerprint());
                o.put("made_by", i.madeBy());
                o.put("failed", i.failed());
                ObjectNode p = o.putObject("parameters");
                i.parameters().forEach(p::put);
              });
      if (s.problem() != null) o.put("problem", s.problem());
    }
    return root;
  }
}
