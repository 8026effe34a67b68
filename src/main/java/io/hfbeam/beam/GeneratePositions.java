package io.hfbeam.beam;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.GameId;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.chess.PositionGenerator.Sampling;
import io.hfbeam.chess.PositionGenerator.Scalars;
import io.hfbeam.chess.PositionGenerator.Window;
import io.hfbeam.hf.Features;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The position generator: games (keyed by their file's name, as {@link PgnIO} gives them) to
 * encoded positions, each a Row of {@link #features()} keyed by its split key: the game id ({@link
 * GameId}), so that a split by key keeps every game in one split, or with {@link
 * #withKeyPerPosition()} the game id and ply. The same per-game function ({@link
 * PositionGenerator}) as the chess-positions workflow, so the same settings give the same rows.
 *
 * <p>Defaults: token_sequence, a window of 10 copies of the position, zero scalars, no metadata,
 * every position.
 */
public final class GeneratePositions
    extends PTransform<PCollection<KV<String, PgnGame>>, PCollection<KV<String, Row>>> {
  private final PositionEncoding encoding;
  private final Window window;
  private final int windowSize;
  private final Scalars scalars;
  private final boolean metadata;
  private final Sampling sampling;
  private final double rate;
  private final int minPly;
  private final int maxPly;
  private final long seed;
  private final boolean keyPerPosition;

  private GeneratePositions(
      PositionEncoding encoding,
      Window window,
      int windowSize,
      Scalars scalars,
      boolean metadata,
      Sampling sampling,
      double rate,
      int minPly,
      int maxPly,
      long seed,
      boolean keyPerPosition) {
    this.encoding = encoding;
    this.window = window;
    this.windowSize = windowSize;
    this.scalars = scalars;
    this.metadata = metadata;
    this.sampling = sampling;
    this.rate = rate;
    this.minPly = minPly;
    this.maxPly = maxPly;
    this.seed = seed;
    this.keyPerPosition = keyPerPosition;
  }

  public static GeneratePositions create() {
    return new GeneratePositions(
        PositionEncoding.TOKEN_SEQUENCE,
        Window.REPEAT,
        10,
        Scalars.ZEROS,
        false,
        Sampling.ALL,
        0.33,
        0,
        100_000,
        42,
        false);
  }

  public GeneratePositions withEncoding(PositionEncoding e) {
    return new GeneratePositions(
        e,
        window,
        windowSize,
        scalars,
        metadata,
        sampling,
        rate,
        minPly,
        maxPly,
        seed,
        keyPerPosition);
  }

  /**
   * {@code REPEAT}: the position copied {@code size} times; {@code HISTORY}: it and the {@code size
   * - 1} before it.
   */
  public GeneratePositions withWindow(Window w, int size) {
    return new GeneratePositions(
        encoding, w, size, scalars, metadata, sampling, rate, minPly, maxPly, seed, keyPerPosition);
  }

  public GeneratePositions withScalars(Scalars s) {
    return new GeneratePositions(
        encoding,
        window,
        windowSize,
        s,
        metadata,
        sampling,
        rate,
        minPly,
        maxPly,
        seed,
        keyPerPosition);
  }

  /** Adds game_id, ply, white_elo, black_elo, result and source_file columns. */
  public GeneratePositions withMetadata(boolean m) {
    return new GeneratePositions(
        encoding,
        window,
        windowSize,
        scalars,
        m,
        sampling,
        rate,
        minPly,
        maxPly,
        seed,
        keyPerPosition);
  }

  /** Every position. */
  public GeneratePositions withAllPositions() {
    return new GeneratePositions(
        encoding,
        window,
        windowSize,
        scalars,
        metadata,
        Sampling.ALL,
        rate,
        minPly,
        maxPly,
        seed,
        keyPerPosition);
  }

  /** The seeded {@code chesspos} sampling (see {@link io.hfbeam.chess.ChessposSampler}). */
  public GeneratePositions withChessposSampling(double rate, int minPly, int maxPly) {
    return new GeneratePositions(
        encoding,
        window,
        windowSize,
        scalars,
        metadata,
        Sampling.CHESSPOS,
        rate,
        minPly,
        maxPly,
        seed,
        keyPerPosition);
  }

  /** Seed of the sampling's draws. */
  public GeneratePositions withSeed(long s) {
    return new GeneratePositions(
        encoding,
        window,
        windowSize,
        scalars,
        metadata,
        sampling,
        rate,
        minPly,
        maxPly,
        s,
        keyPerPosition);
  }

  /**
   * Keys each position by {@code gameId:ply} instead of the game id: a split by key then splits by
   * position.
   */
  public GeneratePositions withKeyPerPosition() {
    return new GeneratePositions(
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
        true);
  }

  /** The features of the rows this transform emits. */
  public Features features() {
    return ChessRows.features(encoding, windowSize, metadata);
  }

  @Override
  public PCollection<KV<String, Row>> expand(PCollection<KV<String, PgnGame>> games) {
    PositionGenerator generator =
        new PositionGenerator(
            encoding, window, windowSize, scalars, sampling, rate, minPly, maxPly, seed);
    Schema schema = features().beamSchema();
    return games
        .apply(
            "Encode",
            ParDo.of(
                new EncodeFn(generator, schema, encoding, windowSize, metadata, keyPerPosition)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(schema)));
  }

  static final class EncodeFn extends DoFn<KV<String, PgnGame>, KV<String, Row>> {
    private final PositionGenerator generator;
    private final Schema schema;
    private final PositionEncoding encoding;
    private final int windowSize;
    private final boolean metadata;
    private final boolean keyPerPosition;
    private final Counter positions = Metrics.counter("Encode", "records_in");
    private final Counter kept = Metrics.counter("Sample", "records_out");
    private transient ChessSample sample;

    EncodeFn(
        PositionGenerator generator,
        Schema schema,
        PositionEncoding encoding,
        int windowSize,
        boolean metadata,
        boolean keyPerPosition) {
      this.generator = generator;
      this.schema = schema;
      this.encoding = encoding;
      this.windowSize = windowSize;
      this.metadata = metadata;
      this.keyPerPosition = keyPerPosition;
    }

    @ProcessElement
    public void process(@Element KV<String, PgnGame> game, OutputReceiver<KV<String, Row>> out) {
      if (sample == null) sample = generator.newSample();
      PgnGame g = game.getValue();
      String gameId = GameId.of(g);
      if (!generator.keepGame(gameId, g)) return;
      positions.inc(g.moves().length);
      kept.inc(
          generator.positions(
              g,
              gameId,
              game.getKey(),
              sample,
              s ->
                  out.output(
                      KV.of(
                          keyPerPosition ? gameId + ":" + s.ply : gameId,
                          ChessRows.row(schema, encoding, windowSize, metadata, s)))));
    }
  }
}
