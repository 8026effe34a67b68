package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.source.DatasetRef;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import io.hfbeam.workflow.DatasetInput;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.Row;

/**
 * A Hugging Face dataset ({@code hf://datasets/owner/name}) staged as JSON Lines on the launcher,
 * so that {@code conversations analyze} reads it as it reads files (format detection, the survey,
 * the fingerprint over the bytes). One file a split, {@code
 * OUTPUT/.hfbeam/input/<owner>--<name>--<config>--<split>.jsonl}: line N is the split's row N
 * (1-based, in the plan's unit order, then row order), one row in memory at a time. A row the
 * reader cannot read is a blank line there (no record, so the rows after it keep their numbers) and
 * a located failure returned with the files; a unit that fails part way is one failure, and the
 * rows read before it are kept. A split already staged from the same commit with the same read
 * settings, complete (its manifest is written after the file is moved into place), is reused.
 */
public final class DatasetStage {
  /** Where the staged files go, under the output. */
  public static final String DIR = ".hfbeam/input";

  // a staged file's name is made of the repo's, config's and split's names: nothing else may reach
  // the file system, so they must be plain names
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The staged files and the rows that could not be staged.
   *
   * @param files one JSON Lines file a split, in the plan's split order
   * @param failures located failures ({@link Failures#SCHEMA}), step {@code read}
   * @param version the dataset as read ({@code owner/name@commit})
   * @param reused how many of the files were already staged from the same version
   */
  public record Staged(List<Path> files, List<Row> failures, String version, int reused) {}

  private DatasetStage() {}

  /**
   * Plans the read (a missing dataset, config or split fails here with one line) and stages every
   * split read.
   */
  public static Staged stage(String spec, DatasetInput input, Path root) {
    DatasetRef ref = DatasetRef.parse(spec);
    String repo = ref.repo().orElseThrow().id();
    ReadPlan first = input.plan(spec);
    String version = first.files().version();
    int at = version.lastIndexOf('@');
    String asked = input.revision() != null ? input.revision() : ref.revision().orElse(null);
    // every split from the commit the first plan resolved, even if the branch moves meanwhile;
    // not the Parquet export's ref, whose name alone says how its files are laid out
    String pinned =
        at > 0 && !io.hfbeam.hf.DataFilesResolver.PARQUET_EXPORT_REVISION.equals(asked)
            ? version.substring(at + 1)
            : asked;
    Path dir = root.resolve(DIR);
    List<Path> files = new ArrayList<>();
    List<Row> failures = new ArrayList<>();
    int reused = 0;
    try {
      Files.createDirectories(dir);
      for (String split : first.splits()) {
        ReadPlan plan =
            first.splits().size() == 1
                ? first
                : new DatasetInput(
                        first.config(),
                        split,
                        pinned,
                        input.columns(),
                        input.streaming(),
                        input.decodeImages(),
                        input.env())
                    .plan(spec);
        Path file = dir.resolve(fileName(repo, plan.config(), split));
        Path manifest = file.resolveSibling(file.getFileName() + ".json");
        ObjectNode wanted = JSON.createObjectNode();
        wanted.put("version", version);
        wanted.put("config", plan.config());
        wanted.put("split", split);
        wanted.set("columns", JSON.valueToTree(plan.columns()));
        wanted.put("decode_images", plan.decodeImages());
        List<Row> reusedFailures = complete(file, manifest, wanted);
        if (reusedFailures != null) {
          reused++;
          failures.addAll(reusedFailures);
        } else {
          List<Row> own = write(plan, repo + "@" + short12(version), file);
          ObjectNode m = wanted.deepCopy();
          m.put("bytes", Files.size(file));
          ArrayNode fs = m.putArray("failures");
          for (Row r : own) fs.add(toJson(r));
          move(manifest, m.toString());
          failures.addAll(own);
        }
        files.add(file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("staging " + spec + " in " + dir + ": " + e.getMessage(), e);
    }
    return new Staged(List.copyOf(files), List.copyOf(failures), version, reused);
  }

  /** {@code owner--name--config--split.jsonl}, every part a plain name. */
  static String fileName(String repo, String config, String split) {
    List<String> parts = new ArrayList<>(List.of(repo.split("/", -1)));
    parts.add(config);
    parts.add(split);
    for (String p : parts) {
      if (p == null || !NAME.matcher(p).matches()) {
        throw new IllegalArgumentException(
            "cannot stage "
                + repo
                + ": '"
                + (p == null ? "" : p.replaceAll("\\p{Cntrl}", "?"))
                + "' is not a plain name (letters, digits, '.', '_', '-')");
      }
    }
    return String.join("--", parts) + ".jsonl";
  }

  private static String short12(String version) {
    int at = version.lastIndexOf('@');
    String c = at > 0 ? version.substring(at + 1) : "";
    return c.length() > 12 ? c.substring(0, 12) : c;
  }

  /**
   * The failures recorded when the file was staged, if it is complete and staged with the same
   * settings from the same version; null otherwise.
   */
  private static List<Row> complete(Path file, Path manifest, ObjectNode wanted) {
    if (!Files.isRegularFile(file) || !Files.isRegularFile(manifest)) return null;
    try {
      JsonNode m = JSON.readTree(manifest.toFile());
      for (String k : List.of("version", "config", "split", "columns", "decode_images")) {
        if (!wanted.path(k).equals(m.path(k))) return null;
      }
      if (m.path("bytes").asLong(-1) != Files.size(file)) return null;
      List<Row> out = new ArrayList<>();
      for (JsonNode f : m.path("failures")) {
        out.add(
            Failures.of(
                f.path("source").asText(),
                f.path("line").isNumber() ? f.path("line").asLong() : null,
                null,
                null,
                "read",
                f.path("reason").asText(),
                f.path("excerpt").asText("")));
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return null; // an unreadable manifest: stage again
    }
  }

  private static ObjectNode toJson(Row r) {
    ObjectNode o = JSON.createObjectNode();
    o.put("source", r.getString("source"));
    Long line = r.getInt64("line");
    if (line != null) o.put("line", line);
    o.put("reason", r.getString("reason"));
    o.put("excerpt", r.getString("excerpt"));
    return o;
  }

  /** Writes the split's rows to a temp name, then moves it into place; returns its failures. */
  private static List<Row> write(ReadPlan plan, String dataset, Path file) throws IOException {
    Features features = plan.selected();
    List<Row> failures = new ArrayList<>();
    Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (Writer w = new BufferedWriter(Files.newBufferedWriter(tmp, StandardCharsets.UTF_8))) {
        long[] rows = {0}; // rows of the split so far: the next row's line is rows + 1
        // a write to the staged file that failed (a full disk) ends the staging, whatever the
        // reader made of the exception; a reader's own failure does not
        IOException[] writeFailed = {null};
        for (ReadUnit unit : plan.units()) {
          long before = rows[0];
          RowSink sink =
              new RowSink() {
                @Override
                public void row(Row row) {
                  rows[0]++;
                  try {
                    w.write(JsonlRowWriter.toJsonLine(row, features));
                    w.write('\n');
                  } catch (IOException e) {
                    writeFailed[0] = e;
                    throw new UncheckedIOException(e);
                  }
                }

                @Override
                public void failure(String where, String reason, String excerpt) {
                  rows[0]++;
                  try {
                    w.write('\n'); // no record; the next row keeps its line
                  } catch (IOException e) {
                    writeFailed[0] = e;
                    throw new UncheckedIOException(e);
                  }
                  failures.add(
                      Failures.of(
                          dataset + " " + where, rows[0], null, null, "read", reason, excerpt));
                }
              };
          try {
            plan.read(unit, sink);
          } catch (IOException | RuntimeException e) {
            if (writeFailed[0] != null) throw writeFailed[0];
            failures.add(unitFailure(dataset, unit, rows[0], before, e));
          }
          if (writeFailed[0] != null) throw writeFailed[0];
        }
      }
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return failures;
  }

  private static Row unitFailure(
      String dataset, ReadUnit unit, long rows, long before, Exception e) {
    String msg = e.getMessage() == null ? e.toString() : e.getMessage();
    long kept = rows - before;
    return Failures.of(
        dataset + " " + unit.where(),
        rows + 1,
        null,
        null,
        "read",
        msg.replaceAll("\\s+", " ")
            + ": the rest of this unit was not read"
            + (kept > 0 ? " (its " + kept + " rows before are kept)" : "")
            + "; rows after it are numbered as if it ended here",
        "");
  }

  private static void move(Path tmp, Path file) throws IOException {
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void move(Path file, String content) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.writeString(tmp, content);
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
