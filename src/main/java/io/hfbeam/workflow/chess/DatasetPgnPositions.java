package io.hfbeam.workflow.chess;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PgnError;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.values.Row;

/**
 * PGN games from the rows of a Hugging Face dataset to samples: per chunk (one unit of the plan,
 * see {@link io.hfbeam.mapping.DatasetRows#chunks}) each row's PGN text ({@link PgnDataset#pgn}) is
 * read game by game and each game goes through the same step as a PGN file's ({@link
 * PgnPositions}). A game that fails is located by the unit ({@code owner/name@commit:path row group
 * k}) and the row number in it (0-based); the other games go on.
 */
public final class DatasetPgnPositions implements ChunkProcessor<ChessSample> {
  private final PgnDataset dataset;
  private final PgnPositions positions;

  public DatasetPgnPositions(PgnDataset dataset, PgnPositions.Settings settings) {
    this.dataset = dataset;
    this.positions = new PgnPositions(settings);
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<ChessSample> out) throws IOException {
    ReadUnit unit = dataset.plan().units().get(chunk.fileIndex());
    String source = dataset.plan().files().describe() + ":" + unit.where();
    String sourceFile = unit.path();
    PgnPositions.Games games = positions.games(out);
    long[] row = {0};
    RowSink sink =
        new RowSink() {
          @Override
          public void row(Row r) {
            long at = row[0]++;
            String text = dataset.pgn(r);
            if (text == null || text.isBlank()) {
              games.unreadable(
                  Failures.of(
                      source,
                      null,
                      null,
                      at,
                      "ReadPgn",
                      "column " + dataset.column() + " is " + (text == null ? "null" : "empty"),
                      null));
              return;
            }
            try (PgnReader reader =
                new PgnReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
              boolean any = false;
              while (reader.hasNext()) {
                any = true;
                games.accept(reader.next(), sourceFile, e -> gameFailure(source, at, e));
              }
              if (!any) {
                games.unreadable(
                    Failures.of(
                        source,
                        null,
                        null,
                        at,
                        "ReadPgn",
                        "no game in column " + dataset.column(),
                        text));
              }
            } catch (IOException e) {
              throw new UncheckedIOException(e); // reading a byte array: does not happen
            }
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            out.failure(
                Failures.of(
                    dataset.plan().files().describe() + ":" + where,
                    null,
                    null,
                    null,
                    "ReadDataset",
                    reason,
                    excerpt == null || excerpt.isEmpty() ? null : excerpt));
          }
        };
    try {
      dataset.plan().read(unit, sink);
    } catch (IOException | RuntimeException e) {
      // the unit stops here: the games before are kept, the rest is one located failure
      out.failure(
          Failures.of(
              source,
              null,
              null,
              row[0],
              "ReadDataset",
              (e.getMessage() == null ? e.toString() : e.getMessage()).replaceAll("\\s+", " ")
                  + (row[0] > 0 ? "; the " + row[0] + " rows before it are kept" : ""),
              null));
    }
    return 0;
  }

  /** A failed game of a row: the row locates it; a row of several games also names which. */
  private static Row gameFailure(String source, long row, PgnError e) {
    return Failures.of(
        source,
        null,
        null,
        row,
        "ReadPgn",
        e.reason()
            + (e.moveText() == null || e.moveText().isEmpty()
                ? ""
                : " (move '" + e.moveText() + "')")
            + (e.gameNumber() > 1 ? " in game " + e.gameNumber() + " of the row" : ""),
        describe(e));
  }

  private static String describe(PgnError e) {
    String site = e.tags() == null ? null : e.tags().getOrDefault("Site", e.tags().get("Event"));
    String s =
        (site == null ? "" : site + " ") + (e.moveText() == null ? "" : "at " + e.moveText());
    return s.isBlank() ? null : s.strip();
  }
}
