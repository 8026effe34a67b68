package io.hfbeam.beam;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import io.hfbeam.chess.GamePositions;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.dataset.Failures;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.Split;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The public transforms on a TestPipeline (DirectRunner, immutability and encodability checks on),
 * checked with PAssert.
 */
public class TransformsTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final String GOOD =
      """
      [Event "One"]
      [Site "https://lichess.org/aaaaaaaa"]
      [Result "1-0"]

      1. e4 e5 2. Qh5 Nc6 3. Bc4 Nf6 4. Qxf7# 1-0

      [Event "Two"]
      [Site "https://lichess.org/bbbbbbbb"]
      [Result "*"]

      1. d4 d5 *

      """;
  static final String BAD =
      """
      [Event "Bad"]
      [Site "https://lichess.org/cccccccc"]
      [Result "*"]

      1. e4 e5 2. Ke3 *

      """;

  @Test
  public void splitByKeyFollowsTheSeededHashAndTheRatios() {
    List<KV<String, Integer>> in = new ArrayList<>();
    for (int i = 0; i < 2000; i++) in.add(KV.of("key" + (i % 500), i));
    Split.Settings settings =
        Split.Settings.builder().split("a", 0.7).split("b", 0.3).seed(5).build();
    List<KV<String, Integer>> expected = new ArrayList<>();
    int a = 0;
    for (KV<String, Integer> kv : in) {
      String split = settings.assign(kv.getKey());
      expected.add(KV.of(split, kv.getValue()));
      if (split.equals("a")) a++;
    }
    assertThat(a, allOf(greaterThan(1300), lessThan(1500))); // 70% of 2000, by key (500 keys of 4)
    Split.Settings otherSeed =
        Split.Settings.builder().split("a", 0.7).split("b", 0.3).seed(6).build();
    assertThat(
        in.stream().map(kv -> otherSeed.assign(kv.getKey())).toList(),
        not(equalTo(expected.stream().map(KV::getKey).toList())));

    PCollection<KV<String, Integer>> split =
        p.apply(Create.of(in).withCoder(KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of())))
            .apply(
                SeededSplit.<Integer>byKey().withRatio("a", 0.7).withRatio("b", 0.3).withSeed(5));
    PAssert.that(split).containsInAnyOrder(expected);
    PAssert.that(split.apply(Count.perKey()))
        .containsInAnyOrder(KV.of("a", (long) a), KV.of("b", 2000L - a));
    p.run().waitUntilFinish();
  }

  @Test
  public void splitByFieldsKeepsRowsWithTheSameValuesTogether() {
    Schema schema = Schema.builder().addStringField("group").addInt32Field("n").build();
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 300; i++)
      rows.add(Row.withSchema(schema).addValues("g" + (i % 30), i).build());
    Split.Settings settings = Split.Settings.builder().trainRatio(0.5).seed(9).build();
    List<KV<String, Row>> expected = new ArrayList<>();
    for (Row r : rows) expected.add(KV.of(settings.assign(r.getString("group")), r));
    assertThat(expected.stream().map(KV::getKey).distinct().toList(), hasSize(2));

    PCollection<KV<String, Row>> split =
        p.apply(Create.of(rows).withRowSchema(schema))
            .apply(SeededSplit.byFields("group").withTrainRatio(0.5).withSeed(9));
    PAssert.that(split).containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  public void mapperCastsToTheFeaturesAndSendsBadRecordsToTheFailureTag() {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("id", new Feature.Value("int64"));
    f.put("score", new Feature.Value("int8"));
    f.put("tags", new Feature.Sequence(new Feature.Value("string")));
    Features features = Features.of(f);
    Schema schema = features.beamSchema();
    PCollectionTuple out =
        p.apply(
                Create.of(
                    "{\"id\": 1, \"score\": 5, \"tags\": [\"a\"]}",
                    "{\"id\": \"2\", \"score\": -7}",
                    "{\"id\": 3, \"score\": 300}",
                    "{\"id\": 4, ",
                    "[1, 2]"))
            .apply(MapToFeatures.to(features).withSource("records.jsonl"));
    PAssert.that(out.get(MapToFeatures.ROWS))
        .containsInAnyOrder(
            Row.withSchema(schema).addValues(1L, (byte) 5, List.of("a")).build(),
            Row.withSchema(schema).addValues(2L, (byte) -7, null).build());
    PAssert.that(out.get(MapToFeatures.FAILURES))
        .satisfies(
            failures -> {
              List<String> reasons = new ArrayList<>();
              for (Row r : failures) {
                assertThat(r.getSchema(), equalTo(Failures.SCHEMA));
                assertThat(r.getString("source"), equalTo("records.jsonl"));
                assertThat(r.getString("step"), equalTo("MapFields"));
                reasons.add(r.getString("reason") + " | " + r.getString("excerpt"));
              }
              reasons.sort(null);
              assertThat(reasons, hasSize(3));
              assertThat(
                  reasons.get(0),
                  allOf(containsString("expected a JSON object"), containsString("[1, 2]")));
              assertThat(
                  reasons.get(1),
                  allOf(containsString("invalid JSON"), containsString("{\"id\": 4, ")));
              assertThat(reasons.get(2), allOf(containsString("score"), containsString("300")));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void mapperTakesRowsOfAnotherSchema() {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("id", new Feature.Value("int64"));
    f.put("score", new Feature.Value("int8"));
    Features features = Features.of(f);
    Schema in =
        Schema.builder()
            .addInt32Field("score")
            .addStringField("id")
            .addStringField("extra")
            .build();
    PCollectionTuple out =
        p.apply(
                Create.of(
                        Row.withSchema(in).addValues(5, "1", "x").build(),
                        Row.withSchema(in).addValues(1000, "2", "y").build())
                    .withRowSchema(in))
            .apply(MapToFeatures.to(features).fromRows());
    PAssert.that(out.get(MapToFeatures.ROWS))
        .containsInAnyOrder(Row.withSchema(features.beamSchema()).addValues(1L, (byte) 5).build());
    PAssert.that(out.get(MapToFeatures.FAILURES))
        .satisfies(
            failures -> {
              List<String> reasons = new ArrayList<>();
              failures.forEach(r -> reasons.add(r.getString("reason")));
              assertThat(reasons, hasSize(1));
              assertThat(reasons.get(0), allOf(containsString("score"), containsString("1000")));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void pgnSourceReadsGamesAndSendsBadOnesToTheFailureTag() throws Exception {
    Path pgn = tmp.newFolder().toPath().resolve("games.pgn");
    Files.writeString(pgn, GOOD + BAD);
    PCollectionTuple read = p.apply(PgnIO.read().from(pgn.toString()));
    PAssert.that(read.get(PgnIO.GAMES))
        .satisfies(
            games -> {
              Map<String, Integer> moves = new HashMap<>();
              for (KV<String, PgnGame> g : games) {
                assertThat(g.getKey(), equalTo("games.pgn"));
                moves.put(g.getValue().tags().get("Event"), g.getValue().moves().length);
              }
              assertThat(moves, equalTo(Map.of("One", 7, "Two", 2)));
              return null;
            });
    PAssert.that(read.get(PgnIO.FAILURES))
        .satisfies(
            failures -> {
              List<Row> all = new ArrayList<>();
              failures.forEach(all::add);
              assertThat(all, hasSize(1));
              Row f = all.get(0);
              assertThat(f.getString("reason"), containsString("Ke3"));
              assertThat(f.getInt64("record"), equalTo(3L));
              assertThat(
                  f.getInt64("offset"),
                  equalTo((long) GOOD.getBytes(StandardCharsets.UTF_8).length));
              return null;
            });
    p.run().waitUntilFinish();
  }

  @Test
  public void positionGeneratorEmitsEveryPositionKeyedByGame() throws Exception {
    PgnGame game;
    try (PgnReader r =
        new PgnReader(new ByteArrayInputStream(GOOD.getBytes(StandardCharsets.UTF_8)))) {
      game = (PgnGame) r.next();
    }
    GeneratePositions positions =
        GeneratePositions.create()
            .withEncoding(PositionEncoding.TOKEN_SEQUENCE)
            .withWindow(io.hfbeam.chess.PositionGenerator.Window.REPEAT, 2)
            .withMetadata(true);
    PCollection<KV<String, Row>> out =
        p.apply(
                Create.of(KV.of("g.pgn", game))
                    .withCoder(KvCoder.of(StringUtf8Coder.of(), PgnGameCoder.of())))
            .apply(positions);
    List<String> boards = new ArrayList<>();
    for (var b : GamePositions.list(game)) {
      byte[] tokens = new byte[PositionEncoding.TOKEN_SEQUENCE.size()];
      PositionEncoding.TOKEN_SEQUENCE.encode(b, tokens, null, 0);
      List<Byte> l = new ArrayList<>();
      for (byte t : tokens) l.add(t);
      boards.add(l.toString());
    }
    PAssert.that(out)
        .satisfies(
            rows -> {
              Map<Integer, Row> byPly = new HashMap<>();
              for (KV<String, Row> kv : rows) {
                assertThat(kv.getKey(), equalTo("lichess:aaaaaaaa"));
                byPly.put(kv.getValue().getInt32("ply"), kv.getValue());
              }
              assertThat(byPly.size(), equalTo(7));
              for (int ply = 1; ply <= 7; ply++) {
                List<?> window = (List<?>) byPly.get(ply).getArray("window");
                assertThat(window.get(0).toString(), equalTo(boards.get(ply - 1)));
                assertThat(window.get(1), equalTo(window.get(0)));
                assertThat(byPly.get(ply).getString("source_file"), equalTo("g.pgn"));
                assertThat(byPly.get(ply).getString("result"), equalTo("1-0"));
              }
              return null;
            });
    p.run().waitUntilFinish();
  }
}
