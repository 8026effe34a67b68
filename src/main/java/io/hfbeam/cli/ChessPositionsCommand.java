package io.hfbeam.cli;

import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.io.InputFiles;
import io.hfbeam.io.PgnPositions;
import io.hfbeam.transform.Batch;
import io.hfbeam.transform.Split;
import io.hfbeam.workflow.ChessPositionsWorkflow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import io.hfbeam.io.WrittenFile;
import org.apache.beam.sdk.values.PCollection;

@Command(name = "chess-positions", mixinStandardHelpOptions = true,
    description = "PGN games to a token-encoded, leak-free, batched Hugging Face dataset.")
final class ChessPositionsCommand extends WorkflowCommand {
  @Option(names = "--data-path", paramLabel = "DIR|FILE|GLOB", split = ",", description = "PGN inputs (.pgn, .pgn.gz, .pgn.bz2, .pgn.zst).")
  List<String> dataPath;

  @Mixin HubOptions hub;

  @Option(names = "--batches", paramLabel = "N", description = "Stop after N batches (default: all).")
  Long batches;

  @Option(names = "--batch-size", paramLabel = "N", description = "Positions per batch, counted before the split (default 100000).")
  Long batchSize;

  @Option(names = "--first-batch", paramLabel = "N", description = "Number of the first batch (default 1).")
  Integer firstBatch;

  @Option(names = "--train-ratio", paramLabel = "R", description = "Share of games in train; the rest is test (default 0.95).")
  Double trainRatio;

  @Option(names = "--split-by", paramLabel = "game|position", description = "Keep each game in one split (default) or split positions.")
  String splitBy;

  @Option(names = "--sampling", paramLabel = "all|chesspos", description = "Which positions to keep (default all).")
  String sampling;

  @Option(names = "--rate", paramLabel = "R", description = "chesspos position rate (default 0.33).")
  Double rate;

  @Option(names = "--min-ply", description = "chesspos: first ply to keep.")
  Integer minPly;

  @Option(names = "--max-ply", description = "chesspos: last ply to keep.")
  Integer maxPly;

  @Option(names = "--seed", description = "Seed of the split and the sampler (default 42).")
  Long seed;

  @Option(names = "--encoding", paramLabel = "token_sequence|bitboard|planes", description = "Position encoding (default token_sequence).")
  String encoding;

  @Option(names = "--window", paramLabel = "repeat|history", description = "Window of 10: copies of the position, or it and the 9 before it.")
  String window;

  @Option(names = "--scalars", paramLabel = "zeros|features", description = "The 3 scalars: zeros, or side to move, result for the mover, Elo bucket.")
  String scalars;

  @Option(names = "--metadata", description = "Add game_id, ply, white_elo, black_elo, result, source_file.")
  Boolean metadata;

  private ChessPositionsWorkflow.Settings settings;

  @Override
  String workflow() {
    return "chess-positions";
  }

  @Override
  void prepare() {
    String w = workflow();
    List<String> specs = dataPath != null ? dataPath : List.of(common.string(w, null, "data_path", "samples/pgn"));
    List<Path> files = InputFiles.expand(specs, "*.{pgn,pgn.gz,pgn.bz2,pgn.zst}");
    long s = seed != null ? seed : common.node(w, "seed").asLong(42);
    Split.Settings split = Split.Settings.builder()
        .trainRatio(trainRatio != null ? trainRatio : common.node(w, "train_ratio").asDouble(0.95)).seed(s).build();
    String by = choice("--split-by", splitBy, w, "split_by", "game", "game", "position");
    PgnPositions.Settings samples = new PgnPositions.Settings(
        PositionEncoding.valueOf(choice("--encoding", encoding, w, "encoding", "token_sequence", "token_sequence", "bitboard", "planes").toUpperCase(Locale.ROOT)),
        PgnPositions.Window.valueOf(choice("--window", window, w, "window", "repeat", "repeat", "history").toUpperCase(Locale.ROOT)),
        common.node(w, "window_size").asInt(10),
        PgnPositions.Scalars.valueOf(choice("--scalars", scalars, w, "scalars", "zeros", "zeros", "features").toUpperCase(Locale.ROOT)),
        metadata != null ? metadata : common.node(w, "metadata").asBoolean(false),
        PgnPositions.Sampling.valueOf(choice("--sampling", sampling, w, "sampling", "all", "all", "chesspos").toUpperCase(Locale.ROOT)),
        rate != null ? rate : common.node(w, "rate").asDouble(0.33),
        minPly != null ? minPly : common.node(w, "min_ply").asInt(0),
        maxPly != null ? maxPly : common.node(w, "max_ply").asInt(100_000),
        s, by.equals("game"), split);
    if (samples.rate() < 0 || samples.rate() > 1) throw new IllegalArgumentException("--rate must be in [0, 1]");
    if (samples.windowSize() < 1) throw new IllegalArgumentException("window_size must be >= 1");
    long size = batchSize != null ? batchSize : common.node(w, "batch_size").asLong(100_000);
    long limit = batches != null ? batches : common.node(w, "batches").asLong(-1);
    if (batches != null && batches <= 0) throw new IllegalArgumentException("--batches must be > 0");
    Batch.Settings batch = new Batch.Settings(size, firstBatch != null ? firstBatch : common.node(w, "first_batch").asInt(1),
        limit, Batch.Scope.BEFORE_SPLIT);
    String pattern = common.node(w, "parquet").path("pattern").asText("{split}/batch_{NNN}.parquet");
    io.hfbeam.io.FileNaming.of(pattern);
    settings = new ChessPositionsWorkflow.Settings(files, Path.of(common.string(w, common.output, "output", "out/chess-positions")),
        samples, batch, pattern, common.parquet(w), common.chunkBytes(w));
    options = common.pipelineOptions(w);
  }

  private String choice(String flag, String given, String w, String key, String dflt, String... allowed) {
    String v = common.string(w, given, key, dflt).toLowerCase(Locale.ROOT);
    if (!List.of(allowed).contains(v)) throw new IllegalArgumentException(flag + " must be one of " + String.join(", ", allowed) + ", got " + v);
    return v;
  }

  @Override
  PCollection<WrittenFile> build(Pipeline p) throws java.io.IOException {
    if (hub.enabled() && firstBatch == null && !common.node(workflow(), "first_batch").isNumber()) {
      // appending v2, v3 ... batches: continue after the highest batch already in the repo
      int next = HubOptions.nextBatchNumber(HubOptions.clientSettings(env).newClient(), hub.repoId(), hub.revision);
      settings = new ChessPositionsWorkflow.Settings(settings.inputs(), settings.output(), settings.samples(),
          settings.batch().withFirstBatch(next), settings.filePattern(), settings.parquet(), settings.chunkBytes());
      out.println("continuing the batch numbering of " + hub.repoId() + " at batch " + next);
    }
    return ChessPositionsWorkflow.build(p, settings);
  }

  @Override
  Path output() {
    return settings.output();
  }

  @Override
  long inputBytes() {
    return InputFiles.totalBytes(settings.inputs());
  }
}
