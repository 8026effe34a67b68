package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.StagedDataset;
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
import java.util.OptionalLong;
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

  /**
   * Writes the stage whole, one file, from its rows in the order given (the cluster stages: one
   * worker makes them, and their rows, a meta cluster listing every chat id under it, can be larger
   * than a runner's sort buffer). Each row is converted as it is written.
   */
  static CheckpointLayout.StageInfo writeWhole(
      Path root,
      String stage,
      Features features,
      Iterable<? extends ObjectNode> rows,
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
    long[] count = {0};
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
              count[0]++;
            }
          }
        });
    for (Path f : files(root, stage)) if (!f.equals(target)) Files.delete(f);
    writeCard(root, stage, features, count[0], arrow[0], madeBy);
    CheckpointLayout.StageInfo info =
        new CheckpointLayout.StageInfo(stage, fingerprint, count[0], 0, madeBy, parameters);
    CheckpointLayout.write(root, info);
    return info;
  }

  /**
   * Moves an increment's shards of a stage (written by a pipeline into {@code incrementRoot}) into
   * the stage under names no other increment uses, appends its failures to the stage's errors, and
   * records the larger stage. The card's Arrow bytes are the previous card's plus the increment's
   * own (its card's, or its shards counted): the stage's old shards are not read again.
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
    // read before anything moves: the card of the stage as it is, and the increment's
    OptionalLong arrowBefore = cardArrowBytes(root, stage, before.rows());
    long arrowAdded = 0;
    if (added != null) {
      OptionalLong card = cardArrowBytes(incrementRoot, stage, added.rows());
      arrowAdded =
          card.isPresent() ? card.getAsLong() : arrowBytes(files(incrementRoot, stage), features);
    }
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
    Path newErrors = errorsOf(incrementRoot, stage, added != null);
    if (newErrors != null) {
      Path errors = CheckpointLayout.stageDir(root, stage).resolve(DatasetFiles.ERRORS_FILE);
      Files.createDirectories(errors.getParent());
      try (OutputStream out =
          Files.newOutputStream(errors, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        out.write(Files.readAllBytes(newErrors));
      }
      if (added == null) failed += Files.readAllLines(newErrors).size();
    }
    long arrow =
        arrowBefore.isPresent()
            ? arrowBefore.getAsLong() + arrowAdded
            : arrowBytes(files(root, stage), features); // no card to go on: counted again
    writeCard(root, stage, features, rows, arrow, madeBy);
    CheckpointLayout.StageInfo info =
        new CheckpointLayout.StageInfo(stage, fingerprint, rows, failed, madeBy, parameters);
    CheckpointLayout.write(root, info);
    return info;
  }

  /**
   * The increment's located failures of a stage, or null. A stage whose every record failed has no
   * rows, so its sink refused it and left its files, the errors among them, in staging: they are
   * the increment's failures all the same.
   */
  private static Path errorsOf(Path incrementRoot, String stage, boolean written) {
    Path dir = CheckpointLayout.stageDir(incrementRoot, stage);
    Path errors = dir.resolve(DatasetFiles.ERRORS_FILE);
    if (Files.isRegularFile(errors)) return errors;
    if (written) return null;
    Path staged = StagedDataset.stagingDir(dir).resolve(DatasetFiles.ERRORS_FILE);
    return Files.isRegularFile(staged) ? staged : null;
  }

  /**
   * The rows of the increment's stage that its sink refused and left in staging (its staged card's
   * count; 0 without one).
   */
  static long stagedRows(Path incrementRoot, String stage) {
    Path card =
        StagedDataset.stagingDir(CheckpointLayout.stageDir(incrementRoot, stage))
            .resolve("README.md");
    long rows = 0;
    try {
      if (!Files.isRegularFile(card)) return 0;
      ObjectNode yaml = DatasetCard.frontMatter(Files.readString(card, StandardCharsets.UTF_8));
      for (JsonNode split : yaml.path("dataset_info").path("splits")) {
        rows += split.path("num_examples").asLong();
      }
    } catch (IOException | IllegalArgumentException e) {
      return 0;
    }
    return rows;
  }

  /**
   * The Arrow bytes the stage's card records for its split, when the card is there and counts the
   * {@code rows} the stage's record does (else empty: the caller counts).
   */
  static OptionalLong cardArrowBytes(Path root, String stage, long rows) {
    Path card = CheckpointLayout.stageDir(root, stage).resolve("README.md");
    if (!Files.isRegularFile(card)) return OptionalLong.empty();
    try {
      ObjectNode yaml = DatasetCard.frontMatter(Files.readString(card, StandardCharsets.UTF_8));
      for (JsonNode split : yaml.path("dataset_info").path("splits")) {
        if (CheckpointLayout.SPLIT.equals(split.path("name").asText())
            && split.path("num_examples").asLong(-1) == rows
            && split.path("num_bytes").isIntegralNumber()) {
          return OptionalLong.of(split.path("num_bytes").asLong());
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // an unreadable card: counted instead
    }
    return OptionalLong.empty();
  }

  /** The Arrow bytes of every row of {@code files} (a full count). */
  static long arrowBytes(List<Path> files, Features features) throws IOException {
    long arrow = 0;
    for (Path f : files) {
      try (HfParquetReader r = HfParquetReader.open(f)) {
        while (r.hasNext()) arrow += features.arrowBytes(r.next());
      }
    }
    return arrow;
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
