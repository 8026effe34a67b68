package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplingTest {
  @Test
  void gameProbabilityUsesTheLowerEloAndTreatsUnknownAs1500() {
    assertThat(
        ChessposSampler.gameProbability(Map.of("WhiteElo", "2000", "BlackElo", "2400")),
        closeTo(0.5, 1e-12));
    double at1500 = 1 / (1 + Math.exp(2.5));
    assertThat(ChessposSampler.gameProbability(Map.of()), closeTo(at1500, 1e-12));
    assertThat(
        ChessposSampler.gameProbability(Map.of("WhiteElo", "?", "BlackElo", "2600")),
        closeTo(at1500, 1e-12));
    assertThat(
        ChessposSampler.gameProbability(Map.of("WhiteElo", "2200", "BlackElo", "2600")),
        closeTo(1 / (1 + Math.exp(-1)), 1e-12));
  }

  @Test
  void positionProbabilityRampsUpAndRespectsPlyBounds() {
    ChessposSampler s = new ChessposSampler(1);
    assertThat(s.positionProbability(0), equalTo(0.0));
    assertThat(s.positionProbability(15), closeTo(0.25 * 0.33, 1e-12));
    assertThat(s.positionProbability(30), closeTo(0.33, 1e-12));
    assertThat(s.positionProbability(90), closeTo(0.33, 1e-12));
    ChessposSampler bounded = new ChessposSampler(1, 1.0, 20, 40);
    assertThat(bounded.positionProbability(18), equalTo(0.0)); // ply 19
    assertThat(bounded.positionProbability(39), equalTo(1.0)); // ply 40
    assertThat(bounded.positionProbability(40), equalTo(0.0)); // ply 41
  }

  @Test
  void decisionsAreSeededPerGameAndIndependentOfOrder() {
    ChessposSampler a = new ChessposSampler(42);
    ChessposSampler b = new ChessposSampler(42);
    List<Boolean> forward = new ArrayList<>();
    for (int i = 0; i < 200; i++) forward.add(a.keepPosition("lichess:abcdefgh", i));
    List<Boolean> backward = new ArrayList<>();
    for (int i = 199; i >= 0; i--) backward.add(0, b.keepPosition("lichess:abcdefgh", i));
    assertThat(backward, equalTo(forward));
    long kept = forward.stream().filter(x -> x).count();
    assertThat(
        (double) kept, closeTo(0.33 * 170 + 0.33 * 30 / 3, 25)); // about rate * ramp-weighted count
    List<Boolean> otherSeed = new ArrayList<>();
    ChessposSampler c = new ChessposSampler(43);
    for (int i = 0; i < 200; i++) otherSeed.add(c.keepPosition("lichess:abcdefgh", i));
    assertThat(otherSeed.equals(forward), equalTo(false));
  }

  @Test
  void gameKeepRateMatchesTheProbability() {
    ChessposSampler s = new ChessposSampler(7);
    Map<String, String> tags = Map.of("WhiteElo", "2000", "BlackElo", "2100");
    int kept = 0;
    for (int i = 0; i < 20_000; i++) if (s.keepGame("pgn:" + i, tags)) kept++;
    assertThat(kept / 20_000.0, closeTo(0.5, 0.02));
  }

  @Test
  void gameIdPrefersTheLichessIdAndOtherwiseHashesContent() throws IOException {
    String pgn =
        """
        [Site "https://lichess.org/j1dkb5dw"]

        1. e4 *

        [Site "somewhere"]

        1. e4 e5 *

        [Site "somewhere"]

        1. e4!? e5 *

        [Site "somewhere"]

        1. e4 c5 *
        """;
    List<String> ids = new ArrayList<>();
    try (PgnReader r =
        new PgnReader(new ByteArrayInputStream(pgn.getBytes(StandardCharsets.UTF_8)))) {
      r.forEachRemaining(rec -> ids.add(GameId.of((PgnGame) rec)));
    }
    assertThat(ids.get(0), equalTo("lichess:j1dkb5dw"));
    assertThat(ids.get(1), startsWith("pgn:"));
    assertThat(ids.get(1).length(), equalTo(20));
    assertThat("annotations do not change the id", ids.get(2), equalTo(ids.get(1)));
    assertThat(ids.get(3).equals(ids.get(1)), equalTo(false));
  }
}
