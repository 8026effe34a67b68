package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What a checkpoint set holds, stage by stage: complete (with its {@code checkpoint.json}),
 * incomplete (a folder without one: a run stopped before finishing it) or absent; rows (the Parquet
 * footers), bytes on disk, columns and features, fingerprint, how it was made, failed records.
 * Reads footers only, never rows. Local checkpoint sets only.
 */
public final class Info {
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

  /** Every stage of the layout (or just {@code only}, when not null). */
  public static List<StageStatus> of(Path root, String only) throws IOException {
    Paths.checkRoot(root);
    if (only != null && !CheckpointLayout.STAGES.contains(only)) {
      throw new IllegalArgumentException(
          "no stage '" + only + "'; stages: " + String.join(", ", CheckpointLayout.STAGES));
    }
    List<StageStatus> out = new ArrayList<>();
    for (String stage : CheckpointLayout.STAGES) {
      if (only == null || only.equals(stage)) out.add(stage(root, stage));
    }
    return out;
  }

  private static StageStatus stage(Path root, String stage) throws IOException {
    Path dir = CheckpointLayout.stageDir(root, stage);
    if (!Files.isDirectory(dir)) {
      return new StageStatus(stage, State.ABSENT, Optional.empty(), 0, 0, 0, null, null);
    }
    Optional<CheckpointLayout.StageInfo> info = CheckpointLayout.read(root, stage);
    long bytes = 0;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) bytes += Files.size(f);
    }
    List<Path> files = StageData.dataFiles(dir);
    long rows = 0;
    Features features = null;
    String problem = null;
    for (Path f : files) {
      try (HfParquetReader r = HfParquetReader.open(f)) {
        rows += r.rowCount();
        if (features == null) features = r.features();
      } catch (IOException | RuntimeException e) {
        problem = dir.relativize(f) + ": not a readable Parquet file (" + e.getMessage() + ")";
      }
    }
    if (problem == null && info.isPresent() && info.get().rows() != rows) {
      problem = "checkpoint.json says " + info.get().rows() + " rows, the data files hold " + rows;
    }
    State state = info.isPresent() ? State.COMPLETE : State.INCOMPLETE;
    return new StageStatus(stage, state, info, rows, bytes, files.size(), features, problem);
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
