package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.JsonValues;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;

/**
 * A stage's files outside a pipeline, for the watching run's increments: a small stage written
 * whole, an increment's shards appended to a stage, and a stage's rows read back. Every change ends
 * with the stage's {@code checkpoint.json}, removed first, so an interrupted change never looks
 * complete.
 */
final class StageFiles {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FileNaming NAMING = FileNaming.of(CheckpointLayout.FILE_PATTERN);

  private StageFiles() {}

  static Path dataDir(Path root, String stage) {
    return CheckpointLayout.stageDir(root, stage).resolve("data");
  }

  /** The stage's Parquet files, in name order. */
  static List<Path> files(Path root, String stage) throws IOException {
    Path data = dataDir(root, stage);
    if (!Files.isDirectory(data)) return List.of();
    try (Stream<Path> s = Files.list(data)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".parquet")).sorted().toList();
    }
  }

  /** What is done with one row (a {@code StageRows} reader, typically). */
  @FunctionalInterface
  interface RowAction {
    void accept(JsonNode row) throws Exception;
  }

  /** A stage row back as its Kura object. */
  @FunctionalInterface
  interface RowParser<T> {
    T parse(JsonNode row) throws Exception;
  }

  /**
   * Each row of the stage as a JSON tree (what {@code StageRows} reads), file by file. The stage
   * was written by this workflow: a row it cannot take back is a defect, named with its file.
   */
  static void forEachRow(Path root, String stage, RowAction action) throws IOException {
    for (Path f : files(root, stage)) {
      try (HfParquetReader r = HfParquetReader.open(f)) {
        Features features = r.features();
        while (r.hasNext()) {
          JsonNode row = JSON.readTree(JsonlRowWriter.toJsonLine(r.next(), features));
          try {
            action.accept(row);
          } catch (IOException | RuntimeException e) {
            throw e;
          } catch (Exception e) {
            throw new IllegalStateException(f + ": " + e.getMessage(), e);
          }
        }
      }
    }
  }

  /** Every row of the stage as its Kura object. */
  static <T> List<T> readAll(Path root, String stage, RowParser<T> parser) throws IOException {
    List<T> out = new ArrayList<>();
    forEachRow(root, stage, row -> out.add(parser.parse(row)));
    return out;
  }

  /** The embeddings stage as chat id -> vector. */
  static Map<String, float[]> vectors(Path root) throws IOException {
    Map<String, float[]> out = new java.util.LinkedHashMap<>();
    forEachRow(
        root,
        io.hfbeam.conversations.StageFeatures.EMBEDDINGS,
        row -> {
          io.hfbeam.conversations.Embedding e = io.hfbeam.conversations.StageRows.embedding(row);
          out.put(e.chatId(), e.vector());
        });
    return out;
  }

  /** Writes the stage whole from its rows (a small stage: clusters, their layout). */
  static CheckpointLayout.StageInfo writeWhole(
      Path root,
      String stage,
      Features features,
      List<ObjectNode> rows,
      ParquetSettings parquet,
      String fingerprint,
      String madeBy,
      Map<String, String> parameters)
      throws IOException {
    CheckpointLayout.invalidate(root, stage);
    Path data = dataDir(root, stage);
    Files.createDirectories(data);
    Feature.Struct struct = new Feature.Struct(features.asMap());
    long[] arrow = {0};
    Path target =
        data.resolve(NAMING.name(CheckpointLayout.SPLIT, 0, 0, 1).substring("data/".length()));
    AtomicFiles.write(
        target,
        tmp -> {
          try (HfParquetWriter w = HfParquetWriter.create(tmp, features, parquet)) {
            for (ObjectNode o : rows) {
              Row row = (Row) JsonValues.convert(o, struct, false);
              w.write(row);
              arrow[0] += features.arrowBytes(row);
            }
          }
        });
    for (Path f : files(root, stage)) if (!f.equals(target)) Files.delete(f);
    writeCard(root, stage, features, rows.size(), arrow[0], madeBy);
    CheckpointLayout.StageInfo info =
        new CheckpointLayout.StageInfo(stage, fingerprint, rows.size(), 0, madeBy, parameters);
    CheckpointLayout.write(root, info);
    return info;
  }

  /**
   * Moves an increment's shards of a stage (written by a pipeline into {@code incrementRoot}) into
   * the stage under names no other increment uses, appends its failures to the stage's errors, and
   * records the larger stage.
   */
  static CheckpointLayout.StageInfo append(
      Path root,
      Path incrementRoot,
      String stage,
      int increment,
      Features features,
      String fingerprint,
      String madeBy,
      Map<String, String> parameters)
      throws IOException {
    CheckpointLayout.StageInfo before = CheckpointLayout.read(root, stage).orElseThrow();
    CheckpointLayout.StageInfo added = CheckpointLayout.read(incrementRoot, stage).orElse(null);
    CheckpointLayout.invalidate(root, stage);
    Path data = dataDir(root, stage);
    Files.createDirectories(data);
    long rows = before.rows();
    long failed = before.failed();
    if (added != null) {
      for (Path f : files(incrementRoot, stage)) {
        // train-00000-of-00001.parquet -> train-w00003-00000-of-00001.parquet (the card's glob
        // train-*-of-* matches both)
        String name =
            f.getFileName()
                .toString()
                .replaceFirst("^train-", String.format("train-w%05d-", increment));
        Files.move(f, data.resolve(name), StandardCopyOption.REPLACE_EXISTING);
      }
      rows += added.rows();
      failed += added.failed();
    }
    Path newErrors =
        CheckpointLayout.stageDir(incrementRoot, stage).resolve(DatasetFiles.ERRORS_FILE);
    if (Files.isRegularFile(newErrors)) {
      Path errors = CheckpointLayout.stageDir(root, stage).resolve(DatasetFiles.ERRORS_FILE);
      Files.createDirectories(errors.getParent());
      try (OutputStream out =
          Files.newOutputStream(errors, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        out.write(Files.readAllBytes(newErrors));
      }
      if (added == null) failed += Files.readAllLines(newErrors).size();
    }
    long arrow = 0;
    for (Path f : files(root, stage)) {
      try (HfParquetReader r = HfParquetReader.open(f)) {
        while (r.hasNext()) arrow += features.arrowBytes(r.next());
      }
    }
    writeCard(root, stage, features, rows, arrow, madeBy);
    CheckpointLayout.StageInfo info =
        new CheckpointLayout.StageInfo(stage, fingerprint, rows, failed, madeBy, parameters);
    CheckpointLayout.write(root, info);
    return info;
  }

  /**
   * Every conversation of the set as a clustering point: its vector (the embeddings stage) and the
   * text that names clusters, clipped to {@code textChars} (the summary with an LLM, else the
   * conversation's text from the conversations stage, read in {@code layout}).
   */
  static List<ClusterAnalysis.Point> points(
      Path root,
      boolean summaries,
      io.hfbeam.conversations.ConversationLayout layout,
      int textChars)
      throws IOException {
    Map<String, float[]> vectors = vectors(root);
    Map<String, String> texts = new java.util.HashMap<>();
    if (summaries) {
      forEachRow(
          root,
          io.hfbeam.conversations.StageFeatures.SUMMARIES,
          row ->
              texts.put(
                  row.path("chat_id").asText(), clip(row.path("summary").asText(), textChars)));
    } else {
      forEachRow(
          root,
          io.hfbeam.conversations.StageFeatures.CONVERSATIONS,
          row ->
              texts.put(
                  row.path("chat_id").asText(),
                  clip(
                      ConversationText.of(
                          io.hfbeam.conversations.StageRows.conversation(row, layout)),
                      textChars)));
    }
    List<ClusterAnalysis.Point> points = new ArrayList<>(vectors.size());
    for (Map.Entry<String, float[]> e : vectors.entrySet()) {
      points.add(
          new ClusterAnalysis.Point(e.getKey(), texts.getOrDefault(e.getKey(), ""), e.getValue()));
    }
    return points;
  }

  private static String clip(String s, int chars) {
    return s.length() <= chars ? s : s.substring(0, chars);
  }

  private static void writeCard(
      Path root, String stage, Features features, long rows, long arrowBytes, String madeBy)
      throws IOException {
    long download = 0;
    for (Path f : files(root, stage)) download += Files.size(f);
    String card =
        DatasetCard.builder()
            .title(stage)
            .description(
                "The `"
                    + stage
                    + "` stage of a conversation analysis (hf-beam `conversations analyze`), made by "
                    + madeBy
                    + ". Kura's field names and types.")
            .features(features)
            .splits(
                List.of(
                    new DatasetCard.SplitInfo(
                        CheckpointLayout.SPLIT,
                        rows,
                        arrowBytes,
                        List.of(NAMING.glob(CheckpointLayout.SPLIT)))))
            .downloadSize(download)
            .build()
            .render();
    Path target = CheckpointLayout.stageDir(root, stage).resolve("README.md");
    AtomicFiles.write(target, tmp -> Files.writeString(tmp, card, StandardCharsets.UTF_8));
  }

  /** Every file of {@code dir}, recursively, removed (the increment's scratch root). */
  static void deleteTree(Path dir) throws IOException {
    io.hfbeam.format.files.Directories.deleteTree(dir);
  }

  static List<String> lines(Path f) throws IOException {
    return Files.isRegularFile(f) ? Files.readAllLines(f) : new ArrayList<>();
  }
}
