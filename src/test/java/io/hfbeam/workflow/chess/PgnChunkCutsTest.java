package io.hfbeam.workflow.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.mapping.Split;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chess chunk processor gives the same positions and the same failures (with their file-wide
 * game numbers) however a PGN file is cut into chunks: at every byte, and in small chunks at every
 * phase.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
public class PgnChunkCutsTest {
  @TempDir Path tmp;

  public static final PgnPositions POSITIONS =
      new PgnPositions(
          new PgnPositions.Settings(
              PositionEncoding.TOKEN_SEQUENCE,
              io.hfbeam.chess.PositionGenerator.Window.HISTORY,
              3,
              io.hfbeam.chess.PositionGenerator.Scalars.FEATURES,
              true,
              io.hfbeam.chess.PositionGenerator.Sampling.ALL,
              0.33,
              0,
              100_000,
              42,
              true,
              Split.Settings.builder().build()));

  static String tricky() throws IOException {
    try (InputStream in = PgnChunkCutsTest.class.getResourceAsStream("/pgn/tricky.pgn")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void everyCutGivesThePositionsAndFailuresOfTheWholeFile() throws IOException {
    Path file = Files.writeString(tmp.resolve("tricky.pgn"), tricky());
    long size = Files.size(file);
    List<String> whole = run(List.of(new InputFiles.Chunk(file.toString(), 0, 0, 0, size, true)));
    assertThat(whole.stream().filter(s -> s.startsWith("failure")).count(), greaterThan(3L));
    for (long cut = 1; cut < size; cut++) {
      List<InputFiles.Chunk> two =
          List.of(
              new InputFiles.Chunk(file.toString(), 0, 0, 0, cut, false),
              new InputFiles.Chunk(file.toString(), 0, 1, cut, size, false));
      assertThat("cut at " + cut, run(two), equalTo(whole));
    }
    for (int chunk : new int[] {1, 16, 64, 250}) {
      for (int phase = 0; phase < chunk; phase++) {
        List<InputFiles.Chunk> chunks = new ArrayList<>();
        long start = 0;
        for (long end = phase == 0 ? chunk : phase; start < size; end += chunk) {
          chunks.add(
              new InputFiles.Chunk(
                  file.toString(), 0, chunks.size(), start, Math.min(end, size), false));
          start = Math.min(end, size);
        }
        assertThat("chunks of " + chunk + " from " + phase, run(chunks), equalTo(whole));
      }
    }
  }

  @Test
  void fractionalChunkSizesAreHonoured() throws IOException {
    Path file = Files.writeString(tmp.resolve("tricky.pgn"), tricky());
    long size = Files.size(file);
    List<InputFiles.Chunk> chunks = InputFiles.chunks(List.of(file), (long) (0.0001 * 1024 * 1024));
    assertThat(chunks.size(), equalTo((int) ((size + 103) / 104)));
    assertThat(run(chunks), equalTo(run(InputFiles.wholeFiles(List.of(file)))));
  }

  /**
   * Positions and failures of the chunks in order; failures numbered file-wide as the assembly
   * does.
   */
  public static List<String> run(List<InputFiles.Chunk> chunks) throws IOException {
    List<String> out = new ArrayList<>();
    long before = 0;
    for (InputFiles.Chunk c : chunks) {
      long b = before;
      before +=
          POSITIONS.process(
              c,
              new ChunkProcessor.Emitter<ChessSample>() {
                @Override
                public void record(String split, ChessSample s) {
                  out.add(
                      split
                          + " "
                          + s.gameId
                          + " "
                          + s.ply
                          + " "
                          + new String(s.window, StandardCharsets.ISO_8859_1)
                          + " "
                          + Arrays.toString(s.scalars)
                          + " "
                          + s.whiteElo
                          + " "
                          + s.blackElo
                          + " "
                          + s.result
                          + " "
                          + s.sourceFile);
                }

                @Override
                public void failure(Row f) {
                  out.add(
                      "failure "
                          + f.getString("source")
                          + " line "
                          + f.getInt64("line")
                          + " offset "
                          + f.getInt64("offset")
                          + " game "
                          + (f.getInt64("record") + b)
                          + " "
                          + f.getString("step")
                          + " "
                          + f.getString("reason")
                          + " / "
                          + f.getString("excerpt"));
                }
              });
    }
    return out;
  }
}
