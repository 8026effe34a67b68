package io.hfbeam.cli;

import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.workflow.chess.PgnPositions;
import io.hfbeam.dataset.Batch;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.chess.ChessPositionsWorkflow;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.Pipeline;
import io.hfbeam.hub.HubClient;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.WatchFiles;
import java.nio.file.Files;
import picocli.CommandLine.Option;
import io.hfbeam.dataset.WrittenFile;
import org.apache.beam.sdk.values.PCollection;

@Command(name = "chess-positions", mixinStandardHelpOptions = true,
    description = "PGN games to a token-encoded, leak-free, batched Hugging Face dataset.")
final class ChessPositionsCommand extends WorkflowCommand {
  @Option(names = "--data-path", paramLabel = "DIR|FILE|GLOB", split = ",", description = "PGN inputs (.pgn, .pgn.gz, .pgn.bz2, .pgn.zst).")
  List<String> dataPath;

  @Mixin HubOptions hub;

  @Mixin WatchOptions watch;

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
  /** With --watch: the directory or glob watched. */
  private String watched;

  @Override
  String workflow() {
    return "chess-positions";
  }

  @Override
  void prepare() {
    String w = workflow();
    List<String> specs = dataPath != null ? dataPath : List.of(common.string(w, null, "data_path", "samples/pgn"));
    inputSpecs = specs;
    List<Path> files;
    if (watch.enabled()) {
      watched = WatchOptions.source(specs, "--data-path");
      files = List.of();
    } else {
      files = InputFiles.expand(specs, "*.{pgn,pgn.gz,pgn.bz2,pgn.zst}");
    }
    long s = seed != null ? seed : common.node(w, "seed").asLong(42);
    Split.Settings split = Split.Settings.builder()
        .trainRatio(trainRatio != null ? trainRatio : common.node(w, "train_ratio").asDouble(0.95)).seed(s).build();
    String by = choice("--split-by", splitBy, w, "split_by", "game", "game", "position");
    PgnPositions.Settings samples = new PgnPositions.Settings(
        PositionEncoding.valueOf(choice("--encoding", encoding, w, "encoding", "token_sequence", "token_sequence", "bitboard", "planes").toUpperCase(Locale.ROOT)),
        io.hfbeam.chess.PositionGenerator.Window.valueOf(choice("--window", window, w, "window", "repeat", "repeat", "history").toUpperCase(Locale.ROOT)),
        common.node(w, "window_size").asInt(10),
        io.hfbeam.chess.PositionGenerator.Scalars.valueOf(choice("--scalars", scalars, w, "scalars", "zeros", "zeros", "features").toUpperCase(Locale.ROOT)),
        metadata != null ? metadata : common.node(w, "metadata").asBoolean(false),
        io.hfbeam.chess.PositionGenerator.Sampling.valueOf(choice("--sampling", sampling, w, "sampling", "all", "all", "chesspos").toUpperCase(Locale.ROOT)),
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
    io.hfbeam.dataset.FileNaming.of(pattern);
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
  PCollection<AssemblePanes.Pane> buildWatch(Pipeline p, WatchOptions w) throws java.io.IOException {
    if (firstBatch == null && !common.node(workflow(), "first_batch").isNumber()) {
      int first = nextBatchOfOutput();
      settings = new ChessPositionsWorkflow.Settings(settings.inputs(), settings.output(), settings.samples(),
          settings.batch().withFirstBatch(first), settings.filePattern(), settings.parquet(), settings.chunkBytes());
    }
    String glob = WatchFiles.glob(watched, "*.pgn*");
    out.println("watching " + glob + " (every " + w.poll().getMillis() / 1000.0 + " s), batches from "
        + settings.batch().firstBatch());
    return ChessPositionsWorkflow.buildWatch(p, settings, glob, w.poll(), w.commitInterval());
  }

  @Override
  PCollection<WrittenFile> build(Pipeline p) throws java.io.IOException {
    if (!hub.enabled()) return ChessPositionsWorkflow.build(p, settings);
    // A run publishes a marker named by the fingerprint of its inputs and settings, holding its first batch: the
    // same run repeated reuses that number (same files, zero commits); new data continues after the highest batch.
    String marker = ".hfbeam/chess-positions-" + fingerprint() + ".json";
    HubClient client = HubOptions.clientSettings(env).newClient();
    Integer first = firstBatch;
    if (first == null && !common.node(workflow(), "first_batch").isNumber()) {
      first = HubOptions.previousFirstBatch(client, hub.repoId(), hub.revision, marker);
      if (first != null) {
        out.println("this run was published before; re-publishing its batches from batch " + first);
      } else {
        first = HubOptions.nextBatchNumber(client, hub.repoId(), hub.revision);
        out.println("continuing the batch numbering of " + hub.repoId() + " at batch " + first);
      }
      settings = new ChessPositionsWorkflow.Settings(settings.inputs(), settings.output(), settings.samples(),
          settings.batch().withFirstBatch(first), settings.filePattern(), settings.parquet(), settings.chunkBytes());
    }
    Path local = settings.output().resolve(marker);
    Files.createDirectories(local.getParent());
    Files.writeString(local, "{\"first_batch\": " + settings.batch().firstBatch() + "}\n");
    WrittenFile markerFile = new WrittenFile(null, marker, local.toString(), 0, Files.size(local), 0);
    return ChessPositionsWorkflow.build(p, settings)
        .apply("WithRunMarker", ParDo.of(new WithMarkerFn(markerFile)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  /** Adds the run marker beside the card: a run that does not complete its dataset emits no card, and no marker. */
  static final class WithMarkerFn extends DoFn<WrittenFile, WrittenFile> {
    private final WrittenFile marker;

    WithMarkerFn(WrittenFile marker) {
      this.marker = marker;
    }

    @ProcessElement
    public void process(@Element WrittenFile f, OutputReceiver<WrittenFile> out) {
      out.output(f);
      if (f.split() == null && f.path().equals("README.md")) out.output(marker);
    }
  }

  /** sha256 of the settings that shape the files (not the first batch) and of every input's name and content. */
  private String fingerprint() throws java.io.IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      ChessPositionsWorkflow.Settings s = settings;
      PgnPositions.Settings ps = s.samples();
      String shape = String.join("|", ps.encoding().name(), ps.window().name(), "" + ps.windowSize(), ps.scalars().name(),
          "" + ps.metadata(), ps.sampling().name(), "" + ps.rate(), "" + ps.minPly(), "" + ps.maxPly(), "" + ps.seed(),
          "" + ps.splitByGame(), ps.split().ratios().toString(), "" + ps.split().seed(), "" + s.batch().maxRows(),
          "" + s.batch().maxBatches(), s.filePattern(), s.parquet().toString());
      md.update(shape.getBytes(StandardCharsets.UTF_8));
      byte[] buf = new byte[1 << 16];
      for (Path f : s.inputs()) {
        md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        try (InputStream in = Files.newInputStream(f)) {
          for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  Path output() {
    return settings.output();
  }

  @Override
  long inputBytes() {
    return InputFiles.totalBytes(settings.inputs());
  }

  @Override
  List<String> steps() {
    return ChessPositionsWorkflow.STEPS;
  }
}
