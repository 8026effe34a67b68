package io.hfbeam.workflow.checkpoints;

import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.format.parquet.ParquetSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One stage's rows that match a {@link Where} expression, written as a new checkpoint set holding
 * that stage. Streamed: rows are read a row group at a time and written as they match, so memory
 * does not grow with the stage. The new stage's fingerprint is sha256(source fingerprint + "\n" +
 * expression), so the same filter of the same stage gives the same fingerprint.
 */
public final class Filter {
  public record Result(CheckpointLayout.StageInfo info, long scanned) {}

  private Filter() {}

  public static Result filter(
      Path root, String stage, String expression, Path out, ParquetSettings settings)
      throws IOException {
    Paths.checkRoot(root);
    if (!CheckpointLayout.STAGES.contains(stage)) {
      throw new IllegalArgumentException(
          "no stage '" + stage + "'; stages: " + String.join(", ", CheckpointLayout.STAGES));
    }
    CheckpointLayout.StageInfo source =
        CheckpointLayout.read(root, stage)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        root
                            + ": stage "
                            + stage
                            + " is not complete (no checkpoint.json); nothing to filter"));
    Paths.checkDistinct(root, out);
    Paths.checkNewRoot(out);
    long scanned = 0;
    CheckpointLayout.StageInfo info;
    try (StageData data = StageData.open(root, stage)) {
      Where where = Where.parse(expression, data.features()); // before anything is written
      java.nio.file.Files.createDirectories(out);
      try (StageWriter w = new StageWriter(out, stage, data.features(), settings)) {
        while (data.hasNext()) {
          StageData.StageRow r = data.next();
          scanned++;
          if (where.test(r.json())) w.write(r.row());
        }
        Map<String, String> params = new LinkedHashMap<>();
        params.put("where", expression);
        params.put("source_fingerprint", source.fingerprint());
        params.put("source_rows", Long.toString(scanned));
        String madeBy = "filtered from " + root + "/" + stage + " where " + expression;
        info =
            w.finish(
                fingerprint(source.fingerprint(), expression),
                madeBy,
                params,
                "Rows of the `"
                    + stage
                    + "` checkpoint that match `"
                    + expression.replace("`", "'")
                    + "` (hfbeam checkpoints filter), in the source's order.");
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    CheckpointLayout.writeRootCard(out, "Filtered checkpoint: " + stage);
    return new Result(info, scanned);
  }

  static String fingerprint(String sourceFingerprint, String expression) {
    var sha = Migration.sha256();
    sha.update((sourceFingerprint + "\n" + expression).getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha.digest());
  }
}
