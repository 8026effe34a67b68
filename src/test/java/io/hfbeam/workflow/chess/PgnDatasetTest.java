package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.nullValue;

import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.source.LocalDatasetFiles;
import io.hfbeam.source.ReadPlan;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;

/** A dataset row as PGN text: tag pairs from the other columns, escaped, then the movetext. */
class PgnDatasetTest {
  static final Features F;

  static {
    LinkedHashMap<String, Feature> cols = new LinkedHashMap<>();
    cols.put("Event", new Feature.Value("string"));
    cols.put("White Elo", new Feature.Value("int64")); // not a PGN tag name: left out
    cols.put("WhiteElo", new Feature.Value("int64"));
    cols.put("Opening", new Feature.Value("string"));
    cols.put("Speed", new Feature.ClassLabel(List.of("bullet", "blitz")));
    cols.put("Blob", new Feature.Value("binary")); // not text: left out
    cols.put("Moves", new Feature.Value("string"));
    F = Features.of(cols);
  }

  static PgnDataset dataset(String column) {
    ReadPlan plan =
        new ReadPlan(
            new LocalDatasetFiles(Path.of("games")),
            "default",
            List.of("train"),
            "parquet",
            Map.of(),
            F,
            F.names(),
            List.of(),
            false);
    return PgnDataset.of(plan, column);
  }

  static Row row(String event, Long elo, String opening, String moves) {
    return Row.withSchema(F.beamSchema())
        .addValues(event, 1L, elo, opening, 1L, new byte[] {1}, moves)
        .build();
  }

  @Test
  void otherScalarColumnsBecomeEscapedTagPairsBeforeTheMovetext() {
    PgnDataset d = dataset("Moves");
    assertThat(d.tagColumns(), equalTo(List.of("Event", "WhiteElo", "Opening", "Speed")));
    String opening = "Queen's \"Gambit\" \\ Declined\nline two";
    String pgn = d.pgn(row("Rated", 1672L, opening, "1. d4 d5 2. c4 e6 1-0"));
    assertThat(
        pgn,
        equalTo(
            "[Event \"Rated\"]\n[WhiteElo \"1672\"]\n[Opening \"Queen's \\\"Gambit\\\" \\\\"
                + " Declined line two\"]\n[Speed \"blitz\"]\n\n1. d4 d5 2. c4 e6 1-0\n"));
    PgnRecord read =
        new PgnReader(new ByteArrayInputStream(pgn.getBytes(StandardCharsets.UTF_8))).next();
    assertThat(read, instanceOf(PgnGame.class));
    PgnGame game = (PgnGame) read;
    assertThat(game.tags().get("Opening"), equalTo("Queen's \"Gambit\" \\ Declined line two"));
    assertThat(game.tags().get("Speed"), equalTo("blitz"));
    assertThat(game.moves().length, equalTo(4));
  }

  @Test
  void aValueThatStartsWithATagIsWholePgnAndNullsAreLeftOut() {
    PgnDataset d = dataset("Moves");
    String whole = "[Event \"x\"]\n\n1. e4 *\n\n[Event \"y\"]\n\n1. d4 *\n";
    assertThat(d.pgn(row("Rated", 1500L, "o", "\uFEFF  " + whole)), equalTo(whole));
    assertThat(d.pgn(row(null, null, null, "1. e4 *")), equalTo("[Speed \"blitz\"]\n\n1. e4 *\n"));
    assertThat(d.pgn(row("Rated", null, null, null)), nullValue());
  }

  @Test
  void theDefaultColumnIsTheFirstOfPgnMovetextText() {
    LinkedHashMap<String, Feature> cols = new LinkedHashMap<>();
    cols.put("text", new Feature.Value("string"));
    cols.put("movetext", new Feature.Value("large_string"));
    Features f = Features.of(cols);
    ReadPlan plan =
        new ReadPlan(
            new LocalDatasetFiles(Path.of("games")),
            "default",
            List.of("train"),
            "parquet",
            Map.of(),
            f,
            f.names(),
            List.of(),
            false);
    assertThat(PgnDataset.of(plan, null).column(), equalTo("movetext"));
  }
}
