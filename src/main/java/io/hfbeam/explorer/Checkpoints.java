package io.hfbeam.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.source.DataFile;
import io.hfbeam.source.DatasetFiles;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint set as the explorer sees it (a local directory or a Hub dataset, through {@link
 * DatasetFiles}): for each stage, whether it is complete ({@code STAGE/checkpoint.json} readable)
 * and its Parquet files opened for ranged reads. A stage that is absent, incomplete or unreadable
 * is reported with the reason, never a failure of the whole set.
 */
final class Checkpoints implements Closeable {
  /** What the page shows about a stage. */
  record Stage(
      String name, boolean present, String reason, long rows, String madeBy, List<String> files) {}

  private final DatasetFiles files;
  private final Map<String, Stage> stages = new LinkedHashMap<>();
  private final Map<String, StageTable> tables = new LinkedHashMap<>();

  private Checkpoints(DatasetFiles files) {
    this.files = files;
  }

  static Checkpoints open(DatasetFiles files, int cachedGroups) throws IOException {
    Checkpoints c = new Checkpoints(files);
    List<DataFile> all = files.list();
    for (String stage : CheckpointLayout.STAGES) {
      String prefix = stage + "/data/";
      List<String> parquet = new ArrayList<>();
      for (DataFile f : all) {
        if (f.path().startsWith(prefix) && f.path().endsWith(".parquet")) parquet.add(f.path());
      }
      parquet.sort(null);
      Optional<String> record = files.readText(stage + "/" + CheckpointLayout.STAGE_FILE);
      if (record.isEmpty()) {
        c.stages.put(
            stage,
            new Stage(
                stage,
                false,
                parquet.isEmpty() ? "not in the checkpoints" : "incomplete: no checkpoint.json",
                0,
                null,
                List.of()));
        continue;
      }
      JsonNode info;
      try {
        info = Values.JSON.readTree(record.get());
      } catch (IOException e) {
        c.stages.put(
            stage, new Stage(stage, false, "checkpoint.json does not parse", 0, null, List.of()));
        continue;
      }
      if (parquet.isEmpty()) {
        c.stages.put(stage, new Stage(stage, false, "no data files", 0, null, List.of()));
        continue;
      }
      try {
        StageTable t = StageTable.open(stage, files, parquet, cachedGroups);
        c.tables.put(stage, t);
        c.stages.put(
            stage,
            new Stage(
                stage,
                true,
                null,
                t.rows(),
                info.path("made_by").asText(null),
                List.copyOf(parquet)));
      } catch (IOException | RuntimeException e) {
        // a damaged stage is shown as such; the others stay usable
        c.stages.put(
            stage,
            new Stage(stage, false, "unreadable: " + oneLine(e), 0, null, List.copyOf(parquet)));
      }
    }
    return c;
  }

  String describe() {
    return files.describe();
  }

  List<Stage> stages() {
    return List.copyOf(stages.values());
  }

  Optional<StageTable> table(String stage) {
    return Optional.ofNullable(tables.get(stage));
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.replaceAll("\\s+", " ").trim();
    return m.length() > 300 ? m.substring(0, 300) + "..." : m;
  }

  @Override
  public void close() throws IOException {
    for (StageTable t : tables.values()) t.close();
    tables.clear();
  }
}
