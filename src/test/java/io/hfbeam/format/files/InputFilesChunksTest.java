package io.hfbeam.format.files;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How inputs are cut: small enough that every worker gets a share, never above the configured size.
 */
class InputFilesChunksTest {
  @TempDir Path tmp;

  @Test
  void aMidSizeFileIsCutIntoSixteenChunksNotOneBigAndOneSmall() throws IOException {
    Path f =
        file("games.pgn", 37_000_000L); // the size that used to be a 32 MiB chunk and a 5 MB one
    List<InputFiles.Chunk> chunks = InputFiles.chunks(List.of(f), 32L << 20);
    assertThat(chunks.size(), equalTo(16));
    assertThat(chunks.get(0).end() - chunks.get(0).start(), equalTo((37_000_000L + 15) / 16));
    assertThat(chunks.get(15).end(), equalTo(37_000_000L));
  }

  @Test
  void chunksStayAtLeastOneMebibyteAndAtMostTheConfiguredSize() throws IOException {
    Path small = file("small.jsonl", 3L << 20);
    assertThat(InputFiles.chunks(List.of(small), 32L << 20).size(), equalTo(3));
    assertThat(
        "an explicit small chunk size wins",
        InputFiles.chunks(List.of(small), 256L << 10).size(),
        equalTo(12));
    Path big = file("big.jsonl", 1L << 30);
    assertThat(InputFiles.chunks(List.of(big), 32L << 20).size(), equalTo(32));
  }

  private Path file(String name, long size) throws IOException {
    Path f = tmp.resolve(name);
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.setLength(size); // sparse: only the size matters here
    }
    return f;
  }
}
