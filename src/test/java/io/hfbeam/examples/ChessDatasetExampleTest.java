package io.hfbeam.examples;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Feature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's example pipeline as a user would, on 50 games, and reads its dataset back. */
public class ChessDatasetExampleTest {
  static final Path PGN50 =
      Path.of("src/test/resources/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");

  @TempDir Path tmp;

  @Test
  public void theExampleWritesEveryPositionEachGameInOneSplitInMoveOrder() throws Exception {
    Path out = tmp.resolve("chess");
    ChessDatasetExample.main(new String[] {"--input=" + PGN50, "--output=" + out});

    Map<String, String> splitOfGame = new HashMap<>();
    int rows = 0;
    for (String split : List.of("train", "test")) {
      List<Path> files;
      try (Stream<Path> s = Files.list(out.resolve(split))) {
        files = s.sorted().toList();
      }
      assertThat(files.get(0).getFileName().toString(), equalTo("batch_001.parquet"));
      for (Path f : files) {
        try (HfParquetReader r = HfParquetReader.open(f)) {
          assertThat(
              r.features().get("window"), equalTo(new Feature.ArrayND(List.of(8, 69), "int8")));
          List<String> order = new ArrayList<>();
          while (r.hasNext()) {
            Row row = r.next();
            String game = row.getString("game_id");
            assertThat(game, splitOfGame.getOrDefault(game, split), equalTo(split));
            splitOfGame.put(game, split);
            order.add(game + String.format("/%04d", row.getInt32("ply")));
            rows++;
          }
          List<String> sorted = new ArrayList<>(order);
          sorted.sort(null);
          assertThat(order, equalTo(sorted));
        }
      }
    }
    assertThat(
        rows,
        equalTo(3391)); // every position after each move of the 50 games (the golden tokens' count)
    assertThat(splitOfGame.size(), equalTo(50));
    assertThat(
        splitOfGame.values().stream().distinct().sorted().toList(), hasItems("test", "train"));
    assertThat(Files.readString(out.resolve("README.md")), containsString("# Chess positions"));
  }
}
