package io.hfbeam.mapping;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.closeTo;
import static org.hamcrest.Matchers.equalTo;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SplitTest {
  @Test
  void defaultIsTrain95Test5ByStableHash() {
    Split.Settings s = Split.Settings.builder().build();
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 100_000; i++) counts.merge(s.assign("game-" + i), 1, Integer::sum);
    assertThat(counts.get("train") / 100_000.0, closeTo(0.95, 0.005));
    assertThat(counts.get("test") / 100_000.0, closeTo(0.05, 0.005));
  }

  @Test
  void sameKeySameSplitAndSeedChangesIt() {
    Split.Settings a = Split.Settings.builder().seed(1).build();
    Split.Settings b = Split.Settings.builder().seed(2).build();
    int differ = 0;
    for (int i = 0; i < 10_000; i++) {
      String k = "k" + i;
      assertThat(a.assign(k), equalTo(Split.Settings.builder().seed(1).build().assign(k)));
      if (!a.assign(k).equals(b.assign(k))) differ++;
    }
    assertThat("a different seed reshuffles the test split", differ > 500, equalTo(true));
  }

  @Test
  void pinnedAssignmentsDoNotDriftBetweenReleases() {
    // Changing the hash would silently move records between splits of published datasets.
    Split.Settings s =
        Split.Settings.builder().split("a", 1).split("b", 1).split("c", 1).seed(42).build();
    StringBuilder got = new StringBuilder();
    for (int i = 0; i < 12; i++) got.append(s.assign("key" + i).charAt(0));
    assertThat(got.toString(), equalTo(PINNED));
  }

  static final String PINNED = "caaabcabcaab";
}
