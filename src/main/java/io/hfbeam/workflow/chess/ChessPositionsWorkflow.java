package io.hfbeam.workflow.chess;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.WriteFailures;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.mapping.DatasetRows;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WatchedWorkflow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * chess-positions: PGN games to a token-encoded, leak-free, batched Hugging Face dataset.
 *
 * <p>Steps: PgnToSamples (games starting in each byte range, or in the rows of each unit of a
 * Hugging Face dataset ({@link DatasetPgnPositions}) -> replay -> encode -> window -> sample ->
 * split by game -> Parquet parts; bad games to the failure output) -> WriteFailures ->
 * AssembleDataset (batches of N positions counted before the split, so batch k holds about 95%
 * train and 5% test; files train/batch_NNN.parquet, test/batch_NNN.parquet; the card documents the
 * encoding).
 */
public final class ChessPositionsWorkflow {
  private ChessPositionsWorkflow() {}

  /**
   * The steps' counter namespaces in pipeline order, for the run summary: files found (watch),
   * bytes read (read), games read (ReadPgn), positions encoded (Encode), kept by the sampling
   * (Sample), files written (write), Hub commits (publish).
   */
  public static final List<String> STEPS =
      List.of("watch", "read", "ReadPgn", "Encode", "Sample", "write", "publish");

  /**
   * Settings of one run.
   *
   * @param dataset a Hugging Face dataset read instead of {@code inputs}; null: the PGN files
   */
  public record Settings(
      List<Path> inputs,
      Path output,
      PgnPositions.Settings samples,
      Batch.Settings batch,
      String filePattern,
      ParquetSettings parquet,
      long chunkBytes,
      PgnDataset dataset) {
    /** PGN files as the input. */
    public Settings(
        List<Path> inputs,
        Path output,
        PgnPositions.Settings samples,
        Batch.Settings batch,
        String filePattern,
        ParquetSettings parquet,
        long chunkBytes) {
      this(inputs, output, samples, batch, filePattern, parquet, chunkBytes, null);
    }

    /** Reads the games of a Hugging Face dataset (the plan's units) instead of PGN files. */
    public Settings withDataset(PgnDataset d) {
      return new Settings(inputs, output, samples, batch, filePattern, parquet, chunkBytes, d);
    }

    public Settings withBatch(Batch.Settings b) {
      return new Settings(inputs, output, samples, b, filePattern, parquet, chunkBytes, dataset);
    }
  }

  public static PCollection<WrittenFile> build(Pipeline p, Settings s) {
    ChessPartFormat format = format(s);
    AssembleDataset.Settings<ChessSample> dataset = dataset(s, format);
    return p.apply(
            "PgnToSamples",
            ProcessChunks.of(
                s.dataset() != null
                    ? DatasetRows.chunks(s.dataset().plan())
                    : InputFiles.chunks(s.inputs(), s.chunkBytes()),
                s.dataset() != null
                    ? new DatasetPgnPositions(s.dataset(), s.samples())
                    : new PgnPositions(s.samples()),
                format,
                dataset.partsDir(),
                true))
        .apply("WriteFailures", WriteFailures.withParts(dataset.partsDir()))
        .apply("AssembleDataset", AssembleDataset.with(dataset));
  }

  /**
   * The continuous form: PGN files that appear under a watched directory are processed as they
   * come; every commit interval the positions that arrived become the next batches (numbered on
   * from {@code s.batch().firstBatch()}) and the card is updated. Runs until stopped.
   *
   * <p>Steps: WatchPgn -> PgnToSamples -> WriteFailures -> AssemblePanes.
   */
  public static PCollection<AssemblePanes.Pane> buildWatch(
      Pipeline p, Settings s, WatchSettings watch) {
    return watched(s).build(p, watch);
  }

  /** The parts of the continuous form, for the watch path all workflows share. */
  public static WatchedWorkflow<ChessSample> watched(Settings s) {
    ChessPartFormat format = format(s);
    return new WatchedWorkflow<>(
        "WatchPgn",
        "PgnToSamples",
        "*.pgn*",
        s.chunkBytes(),
        new PgnPositions(s.samples()),
        format,
        dataset(s, format),
        true);
  }

  private static ChessPartFormat format(Settings s) {
    PgnPositions.Settings ps = s.samples();
    return new ChessPartFormat(ps.encoding(), ps.windowSize(), ps.metadata(), s.parquet());
  }

  private static AssembleDataset.Settings<ChessSample> dataset(Settings s, ChessPartFormat format) {
    PgnPositions.Settings ps = s.samples();
    AssembleDataset.Settings<ChessSample> dataset =
        AssembleDataset.Settings.of(s.output(), format)
            .parquetNaming(FileNaming.of(s.filePattern()))
            .batch(s.batch())
            .splitOrder(List.copyOf(ps.split().ratios().keySet()))
            .title("Chess positions")
            .description(description(s))
            .section("Encoding", ps.encoding().describe() + "\n\n" + windowText(ps))
            .section("Selection", selectionText(ps));
    return dataset;
  }

  private static String description(Settings s) {
    PgnPositions.Settings ps = s.samples();
    return "Chess positions from "
        + (s.dataset() != null
            ? "the games in column `"
                + s.dataset().column()
                + "` of the Hugging Face dataset `"
                + s.dataset().plan().files().describe()
                + "` (config `"
                + s.dataset().plan().config()
                + "`, split"
                + (s.dataset().plan().splits().size() == 1
                    ? " `" + s.dataset().plan().splits().get(0) + "`"
                    : "s " + s.dataset().plan().splits())
                + ")"
            : s.inputs().isEmpty()
                ? "the PGN files of a watched directory"
                : s.inputs().size() + " PGN file(s)")
        + ", encoded as `"
        + ps.encoding().name().toLowerCase(Locale.ROOT)
        + "`, in batches of "
        + s.batch().maxRows()
        + " positions counted before the split, split ("
        + ps.split().describeRatios()
        + ") by "
        + (ps.splitByGame() ? "game (no game is in two splits)" : "position")
        + " with seed "
        + ps.split().seed()
        + ". Built by `hfbeam chess-positions`.";
  }

  private static String windowText(PgnPositions.Settings ps) {
    String scalars =
        ps.scalars() == PositionGenerator.Scalars.ZEROS
            ? "`scalars` are zeros (reserved)."
            : "`scalars` are [side to move (0 white, 1 black), result from the mover's view (1 win, 0 draw or unknown, "
                + "-1 loss), the mover's Elo // 100 (1500 when unknown)].";
    return ps.window() == PositionGenerator.Window.REPEAT
        ? "`window` holds " + ps.windowSize() + " copies of the position. " + scalars
        : "`window` holds the position and the "
            + (ps.windowSize() - 1)
            + " before it in the same game, oldest first "
            + "(the position itself last); before the first move the window is padded with positions whose every "
            + "value is "
            + PositionEncoding.PAD
            + ". "
            + scalars;
  }

  private static String selectionText(PgnPositions.Settings ps) {
    if (ps.sampling() == PositionGenerator.Sampling.ALL) {
      return "Every position after each move of each game's mainline (not the start position).";
    }
    return "`chesspos` sampling: a game is kept with probability 1 / (1 + exp(-0.005 * (min(WhiteElo, BlackElo) - 2000))), "
        + "a missing or `?` Elo counting as 1500; the position after move i (0-based) is kept with probability "
        + "min((i / 30)^2, 1) * "
        + ps.rate()
        + (ps.minPly() > 0 ? ", from ply " + ps.minPly() : "")
        + (ps.maxPly() < Integer.MAX_VALUE ? ", up to ply " + ps.maxPly() : "")
        + ". All draws are seeded per game (seed "
        + ps.seed()
        + "), so re-runs are identical.";
  }
}
