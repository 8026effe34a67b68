package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.chess.PositionGenerator;
import io.hfbeam.cli.Cli;
import io.hfbeam.dataset.Batch;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.mapping.Split;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import io.hfbeam.workflow.DatasetInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chess-positions --input hf://datasets/...: games held as whole PGN in one column, or as movetext
 * and tag columns, give the positions the same games give from a .pgn file.
 */
class ChessFromHubTest {
  static final String TOKEN = "hf_" + "chessfromhubtoken0123456789ab";
  static final int GAMES = 300;
  static final int BROKEN_AT = 150;
  static final String BROKEN_SITE = "https://lichess.org/broken01";
  static final Pattern TAG = Pattern.compile("\\[(\\w+) \"(.*)\"\\]");
  static final List<String> FLAGS =
      List.of(
          "--metadata",
          "--scalars",
          "features",
          "--window",
          "history",
          "--window-size",
          "4",
          "--train-ratio",
          "0.8",
          "--seed",
          "3",
          "--batch-size",
          "100000");

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  HubClient client;
  List<String> games;
  Path pgnFile;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
    client = HubClient.Settings.builder().environment(env).build().newClient();
    String text = Files.readString(ChessPositionsWorkflowTest.PGN5000).replace("\r\n", "\n");
    games = new ArrayList<>();
    for (String g : text.split("\n\n(?=\\[)")) {
      if (games.size() == GAMES) break;
      games.add(g.strip());
    }
    pgnFile = tmp.resolve("games.pgn");
    Files.writeString(pgnFile, String.join("\n\n", games) + "\n");
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** A game whose third move is illegal (the king cannot jump to e3). */
  static String brokenGame() {
    return "[Event \"Rated Blitz game\"]\n[Site \""
        + BROKEN_SITE
        + "\"]\n[Result \"1-0\"]\n\n1. e4 e5 2. Ke3 Nf6 1-0";
  }

  static Map<String, String> tags(String game) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : game.substring(0, game.indexOf("\n\n")).split("\n")) {
      Matcher m = TAG.matcher(line);
      assertThat(line, m.matches(), equalTo(true));
      out.put(m.group(1), m.group(2));
    }
    return out;
  }

  static String movetext(String game) {
    return game.substring(game.indexOf("\n\n") + 2);
  }

  /** Commits {@code rows} as one Parquet file of a train split; small row groups: many units. */
  RepoId upload(String repo, Features f, List<Row> rows, String file) throws Exception {
    Path local = tmp.resolve(repo.replace('/', '_') + "-" + file.replace('/', '_'));
    ParquetSettings small = ParquetSettings.builder().rowGroupBytes(16 << 10).build();
    try (HfParquetWriter w = HfParquetWriter.create(local, f, small)) {
      for (Row r : rows) w.write(r);
    }
    RepoId id = RepoId.dataset(repo);
    client.createRepo(id, true, true);
    client.createCommit(
        id, "main", List.of(CommitOperation.add(file, Files.readAllBytes(local))), file, null);
    return id;
  }

  /** Shape one: each game's whole PGN in column {@code pgn}, beside an id. */
  void uploadPgnColumn(String repo) throws Exception {
    LinkedHashMap<String, Feature> cols = new LinkedHashMap<>();
    cols.put("id", new Feature.Value("int64"));
    cols.put("pgn", new Feature.Value("string"));
    Features f = Features.of(cols);
    List<Row> rows = new ArrayList<>();
    List<String> all = new ArrayList<>(games);
    all.add(BROKEN_AT, brokenGame());
    for (int i = 0; i < all.size(); i++) {
      rows.add(Row.withSchema(f.beamSchema()).addValues((long) i, all.get(i)).build());
    }
    upload(repo, f, rows, "data/train-00000-of-00001.parquet");
  }

  /**
   * Shape two (Lichess' standard-chess-games): a column per tag, Elo as integers, the movetext in
   * {@code movetext}; a tag a game lacks is null.
   */
  void uploadMovetextColumns(String repo, int games, String file) throws Exception {
    List<String> all = new ArrayList<>(this.games.subList(0, games));
    all.add(BROKEN_AT, brokenGame());
    LinkedHashMap<String, Feature> cols = new LinkedHashMap<>();
    for (String g : all) {
      for (String name : tags(g).keySet()) {
        cols.putIfAbsent(
            name,
            new Feature.Value(name.endsWith("Elo") ? "int64" : "string")); // as the Hub has them
      }
    }
    cols.put("movetext", new Feature.Value("string"));
    Features f = Features.of(cols);
    List<Row> rows = new ArrayList<>();
    for (String g : all) {
      Map<String, String> t = tags(g);
      List<Object> values = new ArrayList<>();
      for (String name : cols.keySet()) {
        if (name.equals("movetext")) values.add(movetext(g));
        else if (name.endsWith("Elo") && t.containsKey(name))
          values.add(Long.parseLong(t.get(name)));
        else values.add(t.get(name));
      }
      rows.add(Row.withSchema(f.beamSchema()).addValues(values).build());
    }
    assertThat(cols.size(), greaterThan(10));
    upload(repo, f, rows, file);
  }

  Cli chess(String input, String out, String... more) {
    List<String> args =
        new ArrayList<>(List.of("chess-positions", "--input", input, "--output", out));
    args.addAll(FLAGS);
    args.addAll(List.of(more));
    return Cli.runWith(env, args.toArray(String[]::new));
  }

  /** Every sample of a split but its source file, one string each, sorted. */
  static List<String> samples(Path out, String split) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement st = c.createStatement()) {
      ResultSet rs =
          st.executeQuery(
              "SELECT CAST(\"window\" AS VARCHAR) || '|' || CAST(scalars AS VARCHAR) || '|' ||"
                  + " game_id || '|' || ply || '|' || coalesce(CAST(white_elo AS VARCHAR), '-')"
                  + " || '|' || coalesce(CAST(black_elo AS VARCHAR), '-') || '|' || result FROM"
                  + " read_parquet('"
                  + out
                  + "/"
                  + split
                  + "/*.parquet')");
      while (rs.next()) rows.add(rs.getString(1));
    }
    rows.sort(null);
    return rows;
  }

  /** Equal lists, or a message that names the first difference (not 15,000 windows). */
  static void assertSameSamples(List<String> got, List<String> expected) {
    for (int i = 0; i < Math.min(got.size(), expected.size()); i++) {
      if (!got.get(i).equals(expected.get(i))) {
        throw new AssertionError(
            "sample "
                + i
                + " differs:\n  got      "
                + got.get(i)
                + "\n  expected "
                + expected.get(i));
      }
    }
    assertThat("samples", got.size(), equalTo(expected.size()));
  }

  static List<JsonNode> errors(Path out) throws Exception {
    List<JsonNode> out2 = new ArrayList<>();
    ObjectMapper m = new ObjectMapper();
    for (String line : Files.readAllLines(out.resolve("_errors/errors.jsonl"))) {
      out2.add(m.readTree(line));
    }
    return out2;
  }

  /** The failure's row, found through the unit it names: the broken game. */
  void assertLocatesTheBrokenGame(JsonNode e, String repo, String column) throws Exception {
    ReadPlan plan =
        new DatasetInput(null, "train", null, null, true, false, env).plan("hf://datasets/" + repo);
    assertThat(
        "small row groups: the games are read as many units", plan.units().size(), greaterThan(2));
    String source = e.get("source").asText();
    ReadUnit unit =
        plan.units().stream()
            .filter(u -> source.equals(plan.files().describe() + ":" + u.where()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no unit is " + source));
    List<Row> rows = new ArrayList<>();
    plan.read(
        unit,
        new RowSink() {
          @Override
          public void row(Row row) {
            rows.add(row);
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            throw new AssertionError(where + ": " + reason);
          }
        });
    Row broken = rows.get(e.get("record").asInt());
    assertThat(broken.getString(column), containsString("2. Ke3"));
    assertThat(e.get("step").asText(), equalTo("ReadPgn"));
    assertThat(e.get("reason").asText(), containsString("Ke3"));
    assertThat(e.get("excerpt").asText(), containsString(BROKEN_SITE));
  }

  @Test
  void bothShapesGiveThePositionsOfThePgnFileAndLocateTheBrokenGame() throws Exception {
    Path expected = tmp.resolve("from-file");
    Cli file = chess(pgnFile.toString(), expected.toString());
    assertThat(file.toString(), file.exitCode, equalTo(0));
    List<String> train = samples(expected, "train");
    List<String> test = samples(expected, "test");
    assertThat(train.size(), greaterThan(15000));
    assertThat(test.size(), greaterThan(1000));

    uploadPgnColumn("alice/games");
    Path whole = tmp.resolve("from-pgn-column");
    Cli a = chess("hf://datasets/alice/games", whole.toString(), "--split", "train");
    assertThat(a.toString(), a.exitCode, equalTo(0));
    assertThat(a.out, containsString("# reading column pgn of alice/games@"));
    assertSameSamples(samples(whole, "train"), train);
    assertSameSamples(samples(whole, "test"), test);
    List<JsonNode> errors = errors(whole);
    assertThat(errors.toString(), errors, hasSize(1));
    assertLocatesTheBrokenGame(errors.get(0), "alice/games", "pgn");

    uploadMovetextColumns("alice/lichess", GAMES, "data/train-00000-of-00001.parquet");
    Path split = tmp.resolve("from-movetext");
    Cli b = chess("hf://datasets/alice/lichess", split.toString(), "--input-split", "train");
    assertThat(b.toString(), b.exitCode, equalTo(0));
    assertThat(b.out, containsString("# reading column movetext of alice/lichess@"));
    assertSameSamples(samples(split, "train"), train);
    assertSameSamples(samples(split, "test"), test);
    errors = errors(split);
    assertThat(errors.toString(), errors, hasSize(1));
    assertLocatesTheBrokenGame(errors.get(0), "alice/lichess", "movetext");
  }

  @Test
  void aMissingPgnColumnAndDatasetFlagsOnAPgnFileAreOneLine() throws Exception {
    uploadPgnColumn("alice/games");
    Cli r =
        chess("hf://datasets/alice/games", tmp.resolve("o1").toString(), "--pgn-column", "moves");
    assertThat(r.exitCode, equalTo(2));
    assertThat(r.err, containsString("--pgn-column moves: alice/games@"));
    assertThat(r.err, containsString("has no such column; its string columns: [pgn]"));
    assertThat(r.err.strip().lines().count(), equalTo(1L));
    r = chess("hf://datasets/alice/games", tmp.resolve("o2").toString(), "--pgn-column", "id");
    assertThat(r.exitCode, equalTo(2));
    assertThat(r.err, containsString("has it as int64, not text"));
    r = chess("hf://datasets/alice/games", tmp.resolve("o3").toString(), "--input-columns", "id");
    assertThat(r.exitCode, equalTo(2));
    assertThat(r.err, containsString("has none of the columns pgn, movetext, text"));
    assertThat(r.err, containsString("its string columns: [])"));

    r = chess(pgnFile.toString(), tmp.resolve("o4").toString(), "--input-split", "train");
    assertThat(r.exitCode, equalTo(2));
    assertThat(r.err, containsString("are for an hf://datasets/owner/name input"));
    assertThat(r.err.strip().lines().count(), equalTo(1L));
    r = chess(pgnFile.toString(), tmp.resolve("o5").toString(), "--pgn-column", "pgn");
    assertThat(r.exitCode, equalTo(2));
    assertThat(r.err, containsString("are for an hf://datasets/owner/name input"));
  }

  @Test
  void theFingerprintIsTheDatasetVersionAndWhatIsReadOfIt() throws Exception {
    uploadMovetextColumns("alice/lichess", 200, "data/train-00000-of-00001.parquet");
    DatasetInput train = new DatasetInput(null, "train", null, null, true, false, env);
    ChessPositionsWorkflow.Settings s = settings(train, "hf://datasets/alice/lichess");
    String first = ChessPositionsRun.fingerprint(s);
    assertThat(
        "the same dataset version read again",
        ChessPositionsRun.fingerprint(settings(train, "hf://datasets/alice/lichess")),
        equalTo(first));
    DatasetInput someColumns =
        new DatasetInput(null, "train", null, List.of("Site", "movetext"), true, false, env);
    assertThat(
        ChessPositionsRun.fingerprint(settings(someColumns, "hf://datasets/alice/lichess")),
        not(equalTo(first)));
    String commit = s.dataset().version().substring("alice/lichess@".length());
    assertThat(commit.length(), equalTo(40));

    // a new version of the dataset (another file of the split) is another input
    uploadMovetextColumns("alice/lichess", 250, "data/train-00001-of-00002.parquet");
    assertThat(
        ChessPositionsRun.fingerprint(settings(train, "hf://datasets/alice/lichess")),
        not(equalTo(first)));
    // ... and the old one, pinned by its commit, is still the same input
    assertThat(
        ChessPositionsRun.fingerprint(settings(train, "hf://datasets/alice/lichess@" + commit)),
        equalTo(first));
  }

  @Test
  void publishingTheSameDatasetVersionAgainIsRecognisedANewVersionIsNot() throws Exception {
    uploadMovetextColumns("alice/lichess", 200, "data/train-00000-of-00001.parquet");
    String[] publish = {"--split", "train", "--repo", "alice/positions"};
    Cli first = chess("hf://datasets/alice/lichess", tmp.resolve("p1").toString(), publish);
    assertThat(first.toString(), first.exitCode, equalTo(0));
    assertThat(first.out, containsString("alice/positions at batch 1"));
    Cli again = chess("hf://datasets/alice/lichess", tmp.resolve("p2").toString(), publish);
    assertThat(again.toString(), again.exitCode, equalTo(0));
    assertThat(again.out, containsString("re-publishing its batches from batch 1"));
    uploadMovetextColumns("alice/lichess", 250, "data/train-00001-of-00002.parquet");
    Cli next = chess("hf://datasets/alice/lichess", tmp.resolve("p3").toString(), publish);
    assertThat(next.toString(), next.exitCode, equalTo(0));
    assertThat(next.out, containsString("at batch 2"));
  }

  static ChessPositionsWorkflow.Settings settings(DatasetInput in, String spec) {
    PgnPositions.Settings samples =
        new PgnPositions.Settings(
            PositionEncoding.TOKEN_SEQUENCE,
            PositionGenerator.Window.REPEAT,
            10,
            PositionGenerator.Scalars.ZEROS,
            false,
            PositionGenerator.Sampling.ALL,
            0.33,
            0,
            100000,
            42,
            true,
            Split.Settings.builder().trainRatio(0.95).seed(42).build());
    return new ChessPositionsWorkflow.Settings(
            List.of(),
            Path.of("unused"),
            samples,
            Batch.Settings.of(1000),
            "{split}/batch_{NNN}.parquet",
            ParquetSettings.defaults(),
            1 << 20)
        .withDataset(PgnDataset.of(in.plan(spec), null));
  }
}
