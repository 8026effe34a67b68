package io.hfbeam.cli;

import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.dataset.Batch;
import io.hfbeam.mapping.Split;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.workflow.DatasetInput;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.chess.ChessPositionsRun;
import io.hfbeam.workflow.chess.ChessPositionsWorkflow;
import io.hfbeam.workflow.chess.PgnDataset;
import io.hfbeam.workflow.chess.PgnPositions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "chess-positions",
    mixinStandardHelpOptions = true,
    defaultValueProvider = PipelineYaml.class,
    description = "PGN games to a token-encoded, leak-free, batched Hugging Face dataset.")
final class ChessPositionsCommand extends WorkflowCommand {
  /** Whether a game's positions stay in one split. */
  enum SplitBy {
    GAME,
    POSITION
  }

  @YamlKey("data_path")
  @Option(
      names = {"--data-path", "--input"},
      paramLabel = "DIR|FILE|GLOB|hf://datasets/owner/name[@rev]",
      split = ",",
      defaultValue = "samples/pgn",
      description =
          "PGN inputs (.pgn, .pgn.gz, .pgn.bz2, .pgn.zst; default: ${DEFAULT-VALUE}), or a Hugging"
              + " Face dataset of games (see --pgn-column).")
  List<String> dataPath;

  @Mixin DatasetInputOptions datasetInput;

  @Option(
      names = "--pgn-column",
      paramLabel = "NAME",
      description =
          "With an hf:// input: the column holding each row's games, whole PGN or movetext (the"
              + " other columns then become its tags). Default: the first of pgn, movetext, text.")
  String pgnColumn;

  @Mixin HubOptions hub;

  @Mixin WatchOptions watch;

  @YamlKey("batches")
  @Option(
      names = "--batches",
      paramLabel = "N",
      defaultValue = "-1",
      description = "Stop after N batches (default: ${DEFAULT-VALUE}, all).")
  long batches;

  @YamlKey("batch_size")
  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Positions per batch, counted before the split (default: ${DEFAULT-VALUE}).")
  long batchSize;

  @YamlKey("first_batch")
  @Option(
      names = "--first-batch",
      paramLabel = "N",
      description =
          "Number of the first batch (default 1; when publishing, after the repo's highest).")
  Integer firstBatch;

  @YamlKey("train_ratio")
  @Option(
      names = "--train-ratio",
      paramLabel = "R",
      defaultValue = "0.95",
      description = "Share of games in train; the rest is test (default: ${DEFAULT-VALUE}).")
  double trainRatio;

  @YamlKey("split_by")
  @Option(
      names = "--split-by",
      paramLabel = "game|position",
      defaultValue = "game",
      description = "Keep each game in one split or split positions (default: ${DEFAULT-VALUE}).")
  SplitBy splitBy;

  @YamlKey("sampling")
  @Option(
      names = "--sampling",
      paramLabel = "all|chesspos",
      defaultValue = "all",
      description = "Which positions to keep (default: ${DEFAULT-VALUE}).")
  PositionGenerator.Sampling sampling;

  @YamlKey("rate")
  @Option(
      names = "--rate",
      paramLabel = "R",
      defaultValue = "0.33",
      description = "chesspos position rate (default: ${DEFAULT-VALUE}).")
  double rate;

  @YamlKey("min_ply")
  @Option(
      names = "--min-ply",
      defaultValue = "0",
      description = "chesspos: first ply to keep (default: ${DEFAULT-VALUE}).")
  int minPly;

  @YamlKey("max_ply")
  @Option(
      names = "--max-ply",
      defaultValue = "100000",
      description = "chesspos: last ply to keep (default: ${DEFAULT-VALUE}).")
  int maxPly;

  @YamlKey("seed")
  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed of the split and the sampler (default: ${DEFAULT-VALUE}).")
  long seed;

  @YamlKey("encoding")
  @Option(
      names = "--encoding",
      paramLabel = "token_sequence|bitboard|planes",
      defaultValue = "token_sequence",
      description = "Position encoding (default: ${DEFAULT-VALUE}).")
  PositionEncoding encoding;

  @YamlKey("window")
  @Option(
      names = "--window",
      paramLabel = "repeat|history",
      defaultValue = "repeat",
      description =
          "The window: copies of the position, or it and the positions before it (default: ${DEFAULT-VALUE}).")
  PositionGenerator.Window window;

  @YamlKey("window_size")
  @Option(
      names = "--window-size",
      paramLabel = "N",
      defaultValue = "10",
      description = "Positions in the window (default: ${DEFAULT-VALUE}).")
  int windowSize;

  @YamlKey("scalars")
  @Option(
      names = "--scalars",
      paramLabel = "zeros|features",
      defaultValue = "zeros",
      description =
          "The 3 scalars: zeros, or side to move, result for the mover, Elo bucket (default: ${DEFAULT-VALUE}).")
  PositionGenerator.Scalars scalars;

  @YamlKey("metadata")
  @Option(
      names = "--metadata",
      defaultValue = "false",
      description = "Add game_id, ply, white_elo, black_elo, result, source_file.")
  boolean metadata;

  @Override
  String workflow() {
    return "chess-positions";
  }

  @Override
  Launchable launchable() {
    Optional<WatchSettings> watching = watch.settings(dataPath, "--data-path");
    if (rate < 0 || rate > 1) throw new IllegalArgumentException("--rate must be in [0, 1]");
    if (windowSize < 1)
      throw new IllegalArgumentException("--window-size (window_size) must be >= 1");
    if (given("--batches") && batches <= 0)
      throw new IllegalArgumentException("--batches must be > 0");
    Split.Settings split = Split.Settings.builder().trainRatio(trainRatio).seed(seed).build();
    PgnPositions.Settings samples =
        new PgnPositions.Settings(
            encoding,
            window,
            windowSize,
            scalars,
            metadata,
            sampling,
            rate,
            minPly,
            maxPly,
            seed,
            splitBy == SplitBy.GAME,
            split);
    Batch.Settings batch =
        new Batch.Settings(
            batchSize, firstBatch != null ? firstBatch : 1, batches, Batch.Scope.BEFORE_SPLIT);
    String pattern = common.parquetPattern(workflow());
    DatasetInput dataset = datasetInput.input(env);
    if (dataPath.stream().anyMatch(DatasetInput::isDataset)) {
      if (dataPath.size() != 1) {
        throw new IllegalArgumentException(
            "an hf://datasets/... input is read alone; give it as the only --input");
      }
      if (watching.isPresent()) {
        throw new IllegalArgumentException(
            "--watch watches a directory for new files; an hf:// dataset is read once");
      }
      PgnDataset games = PgnDataset.of(dataset.plan(dataPath.get(0)), pgnColumn);
      ReadPlan plan = games.plan();
      out.print(
          "# reading column "
              + games.column()
              + " of "
              + plan.files().describe()
              + " config "
              + plan.config()
              + ", split"
              + (plan.splits().size() == 1 ? " " + plan.splits().get(0) : "s " + plan.splits())
              + ": "
              + plan.units().size()
              + " units\n");
      ChessPositionsWorkflow.Settings s =
          new ChessPositionsWorkflow.Settings(
                  List.of(),
                  common.output(),
                  samples,
                  batch,
                  pattern,
                  common.parquet(),
                  common.chunkBytes(workflow()))
              .withDataset(games);
      return ChessPositionsRun.of(s).withFirstBatchFixed(firstBatch != null);
    }
    if (!dataset.isDefault() || pgnColumn != null) {
      throw new IllegalArgumentException(
          "--pgn-column, --input-config, --input-split, --input-revision, --input-columns and"
              + " --download are for an hf://datasets/owner/name input");
    }
    List<Path> files = watching.isPresent() ? List.of() : ChessPositionsRun.inputs(dataPath);
    ChessPositionsRun run =
        ChessPositionsRun.of(
                new ChessPositionsWorkflow.Settings(
                    files,
                    common.output(),
                    samples,
                    batch,
                    pattern,
                    common.parquet(),
                    common.chunkBytes(workflow())))
            .withInputSpecs(dataPath)
            .withFirstBatchFixed(firstBatch != null);
    return watching.map(run::withWatch).orElse(run);
  }
}
