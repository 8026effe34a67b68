package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RunSummaryTest {
  private static Map<String, Map<String, Long>> counters() {
    Map<String, Map<String, Long>> c = new TreeMap<>();
    c.put("Encode", new TreeMap<>(Map.of("records_in", 327_416L)));
    c.put("ReadPgn", new TreeMap<>(Map.of("records_in", 5_000L, "records_failed", 1L)));
    c.put("Sample", new TreeMap<>(Map.of("records_out", 327_416L)));
    c.put("Split", new TreeMap<>(Map.of("split_train", 9L, "split_test", 1L)));
    c.put("read", new TreeMap<>(Map.of("bytes_in", 3_743_501L)));
    c.put(
        "write",
        new TreeMap<>(
            Map.of(
                "records_out",
                327_416L,
                "files_written",
                8L,
                "bytes_written",
                3_433_549L,
                "failures_out",
                1L)));
    return c;
  }

  private static List<String> stepsOf(String table) {
    List<String> steps = new ArrayList<>();
    List<String> lines = table.lines().toList();
    for (String l : lines.subList(2, lines.size())) {
      if (l.startsWith("time:")) break;
      steps.add(l.split("\\s+")[0]);
    }
    return steps;
  }

  @Test
  void stepsInPipelineOrderOneRowEach() {
    RunSummary s =
        new RunSummary(
            counters(), 1.0, List.of("read", "ReadPgn", "Encode", "Sample", "Split", "write"));
    String table = s.table();
    assertThat(
        table, stepsOf(table), contains("read", "ReadPgn", "Encode", "Sample", "Split", "write"));
    // what a step counted beyond the columns is on its own row, not on extra lines below the table
    String split = table.lines().filter(l -> l.startsWith("Split")).findFirst().orElseThrow();
    assertThat(split, split.endsWith("split_test 1, split_train 9"), equalTo(true));
    String write = table.lines().filter(l -> l.startsWith("write")).findFirst().orElseThrow();
    assertThat(write, write.endsWith("failures_out 1"), equalTo(true));
  }

  @Test
  void stepsNotDeclaredComeAfterTheDeclaredOnes() {
    RunSummary s = new RunSummary(counters(), 1.0, List.of("read", "write"));
    assertThat(
        stepsOf(s.table()), contains("read", "write", "Encode", "ReadPgn", "Sample", "Split"));
  }
}
