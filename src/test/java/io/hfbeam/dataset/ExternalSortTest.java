package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bounded sort gives what List.sort gives, for any budget, and leaves no run behind. */
class ExternalSortTest {
  @TempDir Path tmp;

  /** A key that repeats and a payload: equal keys with different payloads and equal items both. */
  record Item(String key, int payload) {}

  /** By key only: ties are items that differ, so only a stable sort gives List.sort's order. */
  static final Comparator<Item> BY_KEY = Comparator.comparing(Item::key);

  static final ExternalSort.Codec<Item> CODEC =
      new ExternalSort.Codec<>() {
        @Override
        public void write(Item item, DataOutput out) throws IOException {
          out.writeUTF(item.key());
          out.writeInt(item.payload());
        }

        @Override
        public Item read(DataInput in) throws IOException {
          return new Item(in.readUTF(), in.readInt());
        }

        @Override
        public long bytes(Item item) {
          return 48 + 2L * item.key().length();
        }
      };

  static List<Item> items(int n, long seed) {
    Random r = new Random(seed);
    List<Item> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // few distinct keys (many ties) and repeated payloads (equal items)
      String key = "k" + r.nextInt(n / 10 + 1) + (r.nextBoolean() ? "é" : "");
      out.add(new Item(key, r.nextInt(5)));
    }
    return out;
  }

  static List<Item> sorted(ExternalSort<Item> sort) throws IOException {
    List<Item> out = new ArrayList<>();
    try (ExternalSort.Sorted<Item> it = sort.sorted()) {
      it.forEachRemaining(out::add);
    }
    return out;
  }

  @Test
  void anyBudgetGivesListSortsSequenceAndRemovesItsRuns() throws IOException {
    List<Item> input = items(5_000, 7);
    List<Item> expected = new ArrayList<>(input);
    expected.sort(BY_KEY);
    // 1 byte: a run per item (and merges in groups of FAN_IN); a few KB: some 100 runs; large: none
    for (long budget : new long[] {1, 4_096, 1L << 30}) {
      Path scratch = tmp.resolve("runs-" + budget);
      List<Item> got;
      int spills;
      try (ExternalSort<Item> sort = new ExternalSort<>(scratch, budget, BY_KEY, CODEC)) {
        for (Item i : input) sort.add(i);
        got = sorted(sort);
        // a second pass over the same runs gives the same sequence
        assertThat("budget " + budget, sorted(sort), equalTo(got));
        assertThat(sort.count(), equalTo((long) input.size()));
        spills = sort.spills();
        assertThat(Files.isDirectory(scratch), equalTo(budget < 1L << 30));
      }
      assertThat("budget " + budget, got, equalTo(expected));
      if (budget == 1) assertThat(spills, greaterThan(ExternalSort.FAN_IN * ExternalSort.FAN_IN));
      else if (budget == 4_096) assertThat(spills, greaterThan(10));
      else assertThat(spills, equalTo(0));
      assertThat("budget " + budget, Files.exists(scratch), equalTo(false));
    }
  }

  @Test
  void runsAreRemovedWhenTheWriterFailsAndAStaleFolderIsCleared() throws IOException {
    Path scratch = tmp.resolve("runs");
    Files.createDirectories(scratch);
    Files.writeString(scratch.resolve("stale-run"), "left by a killed attempt");
    List<Item> input = items(500, 3);
    List<Item> expected = new ArrayList<>(input);
    expected.sort(BY_KEY);
    ExternalSort<Item> sort = new ExternalSort<>(scratch, 100, BY_KEY, CODEC);
    for (Item i : input) sort.add(i);
    assertThat(Files.exists(scratch.resolve("stale-run")), equalTo(false));
    assertThat(sorted(sort), equalTo(expected));
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (sort;
              ExternalSort.Sorted<Item> it = sort.sorted()) {
            it.next();
            throw new IllegalStateException("the writer failed");
          }
        });
    assertThat(Files.exists(scratch), equalTo(false));
  }

  @Test
  void theBudgetMustBePositive() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ExternalSort<>(tmp.resolve("x"), 0, BY_KEY, CODEC));
  }
}
