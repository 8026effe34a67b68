package io.hfbeam.workflow.checkpoints;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.CheckpointReader;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.RecordException;
import io.hfbeam.format.Excerpts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kura JSONL checkpoints against a checkpoint set, row by row: both sides parsed into Kura's
 * objects and compared by their Kura JSON (so two rows are equal exactly when Kura would write the
 * same line). Rows the migration refused are expected to be absent: the records named in the
 * stage's {@code _errors/errors.jsonl} (by file and line) are skipped on the Kura side. The report
 * follows Kura's {@code verify_migration}: total, verified, failed and missing checkpoints, plus
 * per stage the rows compared and (detailed) the first differences, located on both sides.
 */
public final class Verify {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many differences a detailed report keeps per stage. */
  static final int SHOWN = 5;

  public record StageResult(
      String stage,
      String file,
      String status, // verified | failed | missing
      long oldRows,
      long newRows,
      long compared,
      long skipped,
      long differences,
      List<String> firstDifferences) {}

  public record Report(List<StageResult> stages) {
    public long total() {
      return stages.size();
    }

    public long verified() {
      return count("verified");
    }

    public long failed() {
      return count("failed");
    }

    public long missing() {
      return count("missing");
    }

    private long count(String status) {
      return stages.stream().filter(s -> s.status().equals(status)).count();
    }

    public boolean ok() {
      return verified() == total();
    }
  }

  private Verify() {}

  public static Report verify(Path old, Path root, boolean detailed) throws IOException {
    Paths.checkOldDir(old);
    Paths.checkRoot(root);
    List<StageResult> out = new ArrayList<>();
    for (Map.Entry<KuraStage<?>, Path> e : Migration.kuraFiles(old).entrySet()) {
      out.add(verifyStage(e.getKey(), e.getValue(), root, detailed));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(old + " holds no Kura checkpoint file to verify");
    }
    return new Report(out);
  }

  private static <T> StageResult verifyStage(
      KuraStage<T> stage, Path file, Path root, boolean detailed) throws IOException {
    String name = file.getFileName().toString();
    if (CheckpointLayout.read(root, stage.name()).isEmpty()) {
      return new StageResult(
          stage.name(), name, "missing", -1, -1, 0, 0, 0, List.of("no complete stage in " + root));
    }
    Set<String> refused = refusedRecords(root, stage.name(), name);
    List<String> shown = new ArrayList<>();
    long oldRows = 0;
    long newRows = 0;
    long compared = 0;
    long skipped = 0;
    long differences = 0;
    try (CheckpointReader<T> r =
            new CheckpointReader<>(name, Files.newInputStream(file), stage.parser());
        StageData data = StageData.open(root, stage.name())) {
      Iterator<T> items = new Export.Items<>(stage, data);
      while (r.hasNext()) {
        Parsed<T> p = r.next();
        oldRows++;
        if (refused.contains(p.where().line() + ":" + p.where().index())) {
          skipped++;
          continue;
        }
        if (!p.ok()) {
          differences++;
          if (shown.size() < SHOWN) shown.add(p.failure() + " (and not in the stage's _errors)");
          continue;
        }
        String want = stage.write(p.value());
        if (!data.hasNext()) {
          differences++;
          if (shown.size() < SHOWN) shown.add(p.where() + ": no row left in the checkpoint");
          continue;
        }
        StageData.StageRow row = data.next();
        newRows++;
        compared++;
        String got;
        try {
          got = stage.write(stage.fromRow(row.json(), row.features()));
        } catch (RecordException | IllegalArgumentException ex) {
          differences++;
          if (shown.size() < SHOWN) {
            shown.add(stage.name() + "/" + row + ": not a Kura row: " + ex.getMessage());
          }
          continue;
        }
        if (!want.equals(got)) {
          differences++;
          if (shown.size() < SHOWN) {
            shown.add(
                p.where() + " vs " + stage.name() + "/" + row + ": " + firstDifference(want, got));
          }
        }
      }
      while (data.hasNext()) {
        StageData.StageRow row = data.next();
        newRows++;
        differences++;
        if (shown.size() < SHOWN) shown.add(stage.name() + "/" + row + ": not in " + name);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return new StageResult(
        stage.name(),
        name,
        differences == 0 ? "verified" : "failed",
        oldRows,
        newRows,
        compared,
        skipped,
        differences,
        detailed ? shown : List.of());
  }

  /**
   * Records of {@code file} the stage's migration refused (its errors file), as "line:index": a
   * JSON array (Kura's conversation dump) may hold every record on one line, so its records are
   * told apart by their index (-1 in a JSON Lines file).
   */
  private static Set<String> refusedRecords(Path root, String stage, String file)
      throws IOException {
    Set<String> out = new HashSet<>();
    Path errors = CheckpointLayout.stageDir(root, stage).resolve(StageWriter.ERRORS_FILE);
    if (!Files.isRegularFile(errors)) return out;
    try (BufferedReader r = Files.newBufferedReader(errors, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode n = JSON.readTree(line);
        if (file.equals(n.path("source").asText()) && n.path("line").isNumber()) {
          long index = n.path("record").isNumber() ? n.get("record").asLong() : -1;
          out.add(n.get("line").asLong() + ":" + index);
        }
      }
    }
    return out;
  }

  /** The first field whose Kura JSON differs, with both values clipped. */
  static String firstDifference(String want, String got) {
    try {
      JsonNode a = JSON.readTree(want);
      JsonNode b = JSON.readTree(got);
      Iterator<String> names = a.fieldNames();
      while (names.hasNext()) {
        String f = names.next();
        if (!a.get(f).equals(b.get(f))) {
          return "field "
              + f
              + ": "
              + Excerpts.of(a.get(f).toString())
              + " in Kura's file, "
              + Excerpts.of(String.valueOf(b.get(f)))
              + " in the checkpoint";
        }
      }
      return "same values, different bytes (number formatting)";
    } catch (IOException e) {
      return "rows differ";
    }
  }
}
