package io.hfbeam.beam;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;

import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.Split;
import io.hfbeam.workflow.chess.ChessPositionsWorkflow;
import io.hfbeam.workflow.chess.PgnPositions;
import io.hfbeam.workflow.convert.ConvertWorkflow;
import io.hfbeam.workflow.convert.ConvertWorkflowTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.io.TextIO;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline composed only of the public transforms writes the dataset the workflow writes on the
 * same input and settings: the same features, the same rows in each split (compared as sorted
 * multisets: the composed sink orders rows by their encoding, the workflow by input order), so the
 * same split of every row, and the same failures. Both run on the DirectRunner with its
 * immutability and encodability checks on.
 */
public class ComposedPipelinesTest {
  static final Path PGN5000 =
      Path.of("samples/pgn/lichess_db_standard_rated_2013-01_truncated_5000.pgn");

  @TempDir Path tmp;

  /** The first {@code games} games of the 5000-game sample, then one game with an illegal move. */
  Path pgnSlice(int games) throws IOException {
    StringBuilder sb = new StringBuilder();
    int seen = 0;
    try (BufferedReader r = Files.newBufferedReader(PGN5000, StandardCharsets.UTF_8)) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("[Event ") && ++seen > games) break;
        sb.append(line).append('\n');
      }
    }
    sb.append(
        "[Event \"Bad\"]\n[Site \"https://lichess.org/badgame1\"]\n[Result \"*\"]\n\n1. e4 e5 2. Ke3 *\n\n");
    return Files.writeString(tmp.resolve("slice.pgn"), sb.toString());
  }

  @Test
  public void chessFromPublicTransformsEqualsTheChessPositionsWorkflow() throws Exception {
    Path pgn = pgnSlice(400).toAbsolutePath();
    Split.Settings split = Split.Settings.builder().trainRatio(0.8).seed(7).build();
    PgnPositions.Settings samples =
        new PgnPositions.Settings(
            PositionEncoding.TOKEN_SEQUENCE,
            PositionGenerator.Window.HISTORY,
            3,
            PositionGenerator.Scalars.FEATURES,
            true,
            PositionGenerator.Sampling.CHESSPOS,
            0.5,
            2,
            200,
            7,
            true,
            split);

    Path workflowOut = tmp.resolve("workflow");
    Pipeline wp = pipeline();
    ChessPositionsWorkflow.build(
        wp,
        new ChessPositionsWorkflow.Settings(
            List.of(pgn),
            workflowOut,
            samples,
            new Batch.Settings(5000, 1, -1, Batch.Scope.BEFORE_SPLIT),
            FileNaming.BATCHES,
            ParquetSettings.defaults(),
            64 << 10));
    wp.run().waitUntilFinish();

    Path composedOut = tmp.resolve("composed");
    Pipeline cp = pipeline();
    PCollectionTuple games = cp.apply(PgnIO.read().from(pgn.toString()).withRangeBytes(64 << 10));
    GeneratePositions positions =
        GeneratePositions.create()
            .withEncoding(PositionEncoding.TOKEN_SEQUENCE)
            .withWindow(PositionGenerator.Window.HISTORY, 3)
            .withScalars(PositionGenerator.Scalars.FEATURES)
            .withMetadata(true)
            .withChessposSampling(0.5, 2, 200)
            .withSeed(7);
    games
        .get(PgnIO.GAMES)
        .apply(positions)
        .apply(SeededSplit.<Row>byKey().withTrainRatio(0.8).withSeed(7))
        .apply(
            HuggingFaceIO.write()
                .to(composedOut.toString())
                .withFeatures(positions.features())
                .withRowsPerFile(5000)
                .withFailures(games.get(PgnIO.FAILURES)));
    cp.run().waitUntilFinish();

    Map<String, List<String>> expected = rowsBySplit(workflowOut, ".parquet");
    Map<String, List<String>> actual = rowsBySplit(composedOut, ".parquet");
    assertThat(actual.keySet(), contains("test", "train"));
    assertThat(expected.get("train").size(), greaterThan(800));
    assertThat(expected.get("test").size(), greaterThan(100));
    assertThat(actual, equalTo(expected));
    assertThat(features(composedOut, "train"), equalTo(features(workflowOut, "train")));
    assertThat(features(composedOut, "train"), equalTo(positions.features()));
    // every game in the split its id hashes to, never in two
    Map<String, String> splitOfGame = new HashMap<>();
    for (Map.Entry<String, List<String>> e : actual.entrySet()) {
      for (Row r : rows(composedOut, e.getKey(), ".parquet")) {
        String game = r.getString("game_id");
        assertThat(game, split.assign(game), equalTo(e.getKey()));
        assertThat(game, splitOfGame.getOrDefault(game, e.getKey()), equalTo(e.getKey()));
        splitOfGame.put(game, e.getKey());
      }
    }
    // the same located failure (file, byte offset, reason, excerpt); read as byte ranges, the
    // source cannot number the game within its file (the workflow's assembly does that from every
    // chunk's count), so it leaves it null
    String workflowErrors = Files.readString(workflowOut.resolve("_errors/errors.jsonl"));
    assertThat(workflowErrors, containsString("\"record\": 401,"));
    assertThat(workflowErrors, containsString("Ke3"));
    assertThat(
        Files.readString(composedOut.resolve("_errors/errors.jsonl")),
        equalTo(workflowErrors.replace("\"record\": 401,", "\"record\": null,")));
    assertThat(
        Files.readString(composedOut.resolve("README.md")),
        containsString("num_examples: " + actual.get("train").size()));
  }

  @Test
  public void convertFromPublicTransformsEqualsTheConvertWorkflow() throws Exception {
    Path jsonl = ConvertWorkflowTest.jsonl(tmp, 1000).toAbsolutePath();
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("id", new Feature.Value("int64"));
    f.put("group", new Feature.Value("string"));
    f.put("label", new Feature.ClassLabel(List.of("neg", "pos")));
    f.put("score", new Feature.Value("int8"));
    f.put("tags", new Feature.Sequence(new Feature.Value("string")));
    f.put("text", new Feature.Value("string"));
    Features features = Features.of(f);
    Split.Settings split =
        Split.Settings.builder().trainRatio(0.8).keyFields(List.of("group")).seed(42).build();

    Path workflowOut = tmp.resolve("workflow");
    Pipeline wp = pipeline();
    ConvertWorkflow.build(
        wp,
        new ConvertWorkflow.Settings(
            List.of(jsonl),
            ConvertWorkflow.InputFormat.JSONL,
            features,
            workflowOut,
            true,
            true,
            FileNaming.BATCHES,
            ParquetSettings.defaults(),
            split,
            Batch.Settings.of(300),
            16 << 10));
    wp.run().waitUntilFinish();

    Path composedOut = tmp.resolve("composed");
    Pipeline cp = pipeline();
    PCollectionTuple mapped =
        cp.apply(TextIO.read().from(jsonl.toString()))
            .apply(MapToFeatures.to(features).withSource(jsonl.toString()));
    mapped
        .get(MapToFeatures.ROWS)
        .apply(SeededSplit.byFields("group").withTrainRatio(0.8).withSeed(42))
        .apply(
            HuggingFaceIO.write()
                .to(composedOut.toString())
                .withFeatures(features)
                .withJsonl(true)
                .withRowsPerFile(300)
                .withFailures(mapped.get(MapToFeatures.FAILURES)));
    cp.run().waitUntilFinish();

    Map<String, List<String>> expected = rowsBySplit(workflowOut, ".parquet");
    assertThat(expected.get("train").size() + expected.get("test").size(), equalTo(1000));
    assertThat(rowsBySplit(composedOut, ".parquet"), equalTo(expected));
    assertThat(features(composedOut, "test"), equalTo(features));
    assertThat(jsonLines(composedOut), equalTo(jsonLines(workflowOut)));
    List<String> errors = Files.readAllLines(composedOut.resolve("_errors/errors.jsonl"));
    assertThat(errors, hasSize(1));
    assertThat(errors.get(0), containsString("not a number"));
  }

  static Pipeline pipeline() {
    return Pipeline.create(
        PipelineOptionsFactory.fromArgs("--runner=DirectRunner", "--targetParallelism=2").create());
  }

  /** Each split's rows (as text), sorted. */
  static Map<String, List<String>> rowsBySplit(Path dataset, String ext) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    for (String split : List.of("train", "test")) {
      List<String> rows = new ArrayList<>();
      for (Row r : rows(dataset, split, ext)) rows.add(r.toString());
      rows.sort(null);
      if (!rows.isEmpty()) out.put(split, rows);
    }
    return out;
  }

  static List<Row> rows(Path dataset, String split, String ext) throws IOException {
    List<Row> rows = new ArrayList<>();
    for (Path file : files(dataset.resolve(split), ext)) {
      try (HfParquetReader r = HfParquetReader.open(file)) {
        while (r.hasNext()) rows.add(r.next());
      }
    }
    return rows;
  }

  static Features features(Path dataset, String split) throws IOException {
    try (HfParquetReader r =
        HfParquetReader.open(files(dataset.resolve(split), ".parquet").get(0))) {
      return r.features();
    }
  }

  static List<Path> files(Path dir, String ext) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(ext)).sorted().toList();
    }
  }

  /** Every JSONL line of the dataset, per split, sorted. */
  static Map<String, List<String>> jsonLines(Path dataset) throws IOException {
    Map<String, List<String>> out = new TreeMap<>();
    for (String split : List.of("train", "test")) {
      List<String> lines = new ArrayList<>();
      for (Path f : files(dataset.resolve(split), ".jsonl")) lines.addAll(Files.readAllLines(f));
      lines.sort(null);
      out.put(split, lines);
    }
    return out;
  }
}
