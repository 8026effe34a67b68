package io.hfbeam.examples;

import io.hfbeam.beam.GeneratePositions;
import io.hfbeam.beam.HuggingFaceIO;
import io.hfbeam.beam.PgnIO;
import io.hfbeam.beam.SeededSplit;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.dataset.WrittenFile;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.options.Validation;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;

/**
 * A chess positions dataset from the public transforms alone: PGN games -> positions (a history
 * window, features scalars, metadata) -> 95/5 split by game -> Parquet batches, card and {@code
 * _errors/} -> optionally the Hub.
 *
 * <pre>
 * java ... io.hfbeam.examples.ChessDatasetExample --input=games/*.pgn --output=out/chess [--repo=me/chess]
 * </pre>
 */
public final class ChessDatasetExample {
  private ChessDatasetExample() {}

  /** The example's options; any runner's options go beside them (--runner=FlinkRunner ...). */
  public interface Options extends PipelineOptions {
    @Description("PGN files: a file, a directory or a glob (.pgn, .pgn.gz, .pgn.bz2, .pgn.zst)")
    @Validation.Required
    String getInput();

    void setInput(String input);

    @Description("The dataset folder")
    @Default.String("out/chess-example")
    String getOutput();

    void setOutput(String output);

    @Description(
        "A Hub dataset repo (owner/name) to publish to; HF_TOKEN (and HF_ENDPOINT) from the environment")
    String getRepo();

    void setRepo(String repo);
  }

  public static void main(String[] args) {
    Options options = PipelineOptionsFactory.fromArgs(args).withValidation().as(Options.class);
    run(options).waitUntilFinish();
  }

  public static PipelineResult run(Options options) {
    Pipeline p = Pipeline.create(options);

    PCollectionTuple games = p.apply("ReadGames", PgnIO.read().from(options.getInput()));

    GeneratePositions positions =
        GeneratePositions.create()
            .withEncoding(PositionEncoding.TOKEN_SEQUENCE)
            .withWindow(PositionGenerator.Window.HISTORY, 8)
            .withScalars(PositionGenerator.Scalars.FEATURES)
            .withMetadata(true);

    PCollection<WrittenFile> files =
        games
            .get(PgnIO.GAMES)
            .apply("Positions", positions) // KV<game id, Row>
            .apply(
                "SplitByGame",
                SeededSplit.<Row>byKey().withTrainRatio(0.95).withSeed(42)) // KV<split, Row>
            .apply(
                "WriteDataset",
                HuggingFaceIO.write()
                    .to(options.getOutput())
                    .withFeatures(positions.features())
                    .withRowsPerFile(100_000)
                    // each game's positions together, in move order
                    .withSortKey(
                        row ->
                            row.getString("game_id") + String.format("/%04d", row.getInt32("ply")))
                    .withTitle("Chess positions")
                    .withFailures(games.get(PgnIO.FAILURES)));

    if (options.getRepo() != null) {
      files.apply("Publish", HuggingFaceIO.publish().to(options.getRepo()));
    }
    return p.run();
  }
}
