package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Location;
import io.hfbeam.conversations.ReadFailure;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.JsonValues;
import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;

/**
 * Writes one stage of a checkpoint set, one row at a time: {@code
 * data/train-00000-of-00001.parquet} in the order rows come (so a stage keeps its input's order),
 * {@code _errors/errors.jsonl} (the located failures, in the project's failure record form), the
 * stage's card, and last {@code checkpoint.json}. The stage's old {@code checkpoint.json} is
 * removed first, so a writer that dies half way leaves a stage that says it is incomplete.
 */
final class StageWriter implements Closeable {
  /**
   * Row groups of at most 16 MiB (the writer's in-memory estimate): memory stays flat with the
   * stage's size, and filter and the explorer read a stage a row group at a time.
   */
  static final long ROW_GROUP_BYTES = 16L << 20;

  static final String DATA_FILE = "data/train-00000-of-00001.parquet";
  static final String ERRORS_FILE = "_errors/errors.jsonl";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;
  private final String stage;
  private final Path dir;
  private final Features features;
  private final Feature.Struct struct;
  private final HfParquetWriter parquet;
  private final Path errorsTmp;
  private BufferedWriter errors;
  private long rows;
  private long failed;
  private long arrowBytes;
  private boolean finished;

  StageWriter(Path root, String stage, Features features, ParquetSettings settings)
      throws IOException {
    this.root = root;
    this.stage = stage;
    this.dir = CheckpointLayout.stageDir(root, stage);
    this.features = features;
    this.struct = new Feature.Struct(features.asMap());
    CheckpointLayout.invalidate(root, stage);
    deleteTree(dir.resolve("data"));
    deleteTree(dir.resolve("_errors"));
    Files.createDirectories(dir.resolve("data"));
    this.parquet =
        HfParquetWriter.create(
            dir.resolve(DATA_FILE),
            features,
            settings.toBuilder().rowGroupBytes(ROW_GROUP_BYTES).build());
    this.errorsTmp = dir.resolve("_errors.jsonl.tmp");
  }

  Features features() {
    return features;
  }

  /** Writes a row given as a JSON tree of the stage's features. */
  void write(JsonNode row) throws IOException {
    write((Row) JsonValues.convert(row, struct, false));
  }

  void write(Row row) throws IOException {
    parquet.write(row);
    arrowBytes += features.arrowBytes(row);
    rows++;
  }

  /** Records a located failure (the row is not written). */
  void fail(ReadFailure f, String step) throws IOException {
    if (errors == null) errors = Files.newBufferedWriter(errorsTmp, StandardCharsets.UTF_8);
    errors.write(failureLine(f, step));
    errors.write('\n');
    failed++;
  }

  static String failureLine(ReadFailure f, String step) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    Location at = f.where();
    o.put("source", at.file());
    if (at.line() > 0) o.put("line", at.line());
    else o.putNull("line");
    o.putNull("offset");
    if (at.index() >= 0) o.put("record", at.index());
    else o.putNull("record");
    o.put("step", step);
    o.put("reason", f.reason());
    o.put("excerpt", f.excerpt());
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  long rows() {
    return rows;
  }

  long failed() {
    return failed;
  }

  /** Closes the data, writes the errors, the card and last {@code checkpoint.json}. */
  CheckpointLayout.StageInfo finish(
      String fingerprint, String madeBy, Map<String, String> parameters, String description)
      throws IOException {
    parquet.close();
    if (errors != null) {
      errors.close();
      errors = null;
      Files.createDirectories(dir.resolve("_errors"));
      Files.move(errorsTmp, dir.resolve(ERRORS_FILE), StandardCopyOption.REPLACE_EXISTING);
    }
    long fileBytes = Files.size(dir.resolve(DATA_FILE));
    String card =
        DatasetCard.builder()
            .title("Checkpoint stage: " + stage)
            .description(description)
            .features(features)
            .splits(
                List.of(
                    new DatasetCard.SplitInfo(
                        CheckpointLayout.SPLIT, rows, arrowBytes, List.of("data/train-*.parquet"))))
            .downloadSize(fileBytes)
            .section(
                "How it was made",
                "Made by: "
                    + madeBy
                    + ".\n\nRows: "
                    + rows
                    + "; failed records: "
                    + failed
                    + (failed > 0 ? " (located in `_errors/errors.jsonl`)" : "")
                    + ".\n\nFingerprint: `"
                    + fingerprint
                    + "`.")
            .build()
            .render();
    Path tmp = dir.resolve("README.md.tmp");
    Files.writeString(tmp, card, StandardCharsets.UTF_8);
    Files.move(
        tmp,
        dir.resolve("README.md"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
    CheckpointLayout.StageInfo info =
        new CheckpointLayout.StageInfo(stage, fingerprint, rows, failed, madeBy, parameters);
    CheckpointLayout.write(root, info);
    finished = true;
    return info;
  }

  @Override
  public void close() throws IOException {
    if (finished) return;
    try {
      parquet.close();
    } finally {
      if (errors != null) errors.close();
      Files.deleteIfExists(errorsTmp);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
    }
  }
}
