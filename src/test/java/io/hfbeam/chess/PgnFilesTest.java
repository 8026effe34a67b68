package io.hfbeam.chess;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.github.luben.zstd.ZstdOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Compressed copies of the 50-game file, written here with the same libraries, read back game for
 * game.
 */
class PgnFilesTest {
  private static final Path FILE_50 =
      PgnRangesTest.resource("/pgn/lichess_db_standard_rated_2013-01_truncated_50.pgn");

  @ParameterizedTest
  @ValueSource(strings = {"pgn", "pgn.gz", "pgn.bz2", "pgn.zst"})
  void readsTheSameGames(String extension, @TempDir Path dir) throws IOException {
    Path file = dir.resolve("games." + extension);
    try (OutputStream out = compressor(extension, Files.newOutputStream(file))) {
      Files.copy(FILE_50, out);
    }
    try (InputStream in = PgnFiles.open(file)) {
      assertThat(in.readAllBytes(), equalTo(Files.readAllBytes(FILE_50)));
    }
    assertThat(PgnFiles.isSplittable(file), equalTo(extension.equals("pgn")));
    long games = 0, positions = 0;
    try (PgnReader reader = PgnReader.open(file)) {
      while (reader.hasNext()) {
        positions += ((PgnGame) reader.next()).moves().length;
        games++;
      }
    }
    assertThat(games, equalTo(50L));
    assertThat(positions, equalTo(3391L));
  }

  private static OutputStream compressor(String extension, OutputStream raw) throws IOException {
    return switch (extension) {
      case "pgn.gz" -> new GZIPOutputStream(raw);
      case "pgn.bz2" -> new BZip2CompressorOutputStream(raw);
      case "pgn.zst" -> new ZstdOutputStream(raw);
      default -> raw;
    };
  }
}
