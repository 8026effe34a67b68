package io.hfbeam.dataset;

import io.hfbeam.format.files.InputFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A test chunk processor over the chunk's byte range of a text file: {@code split:text} is a record
 * of that split ({@code {"text":"..."}}), a line starting with {@code !} fails (source,
 * chunk-relative line, reason "bad line").
 */
public final class LinesProcessor implements ChunkProcessor<String> {
  @Override
  public long process(InputFiles.Chunk chunk, Emitter<String> out) throws IOException {
    byte[] all = Files.readAllBytes(Path.of(chunk.path()));
    String text =
        new String(
            Arrays.copyOfRange(all, (int) chunk.start(), (int) chunk.end()),
            StandardCharsets.UTF_8);
    long line = 0;
    for (String l : text.split("\n")) {
      line++;
      if (l.startsWith("!")) {
        out.failure(Failures.of(chunk.path(), line, null, null, "Test", "bad line", l));
      } else {
        int colon = l.indexOf(':');
        out.record(l.substring(0, colon), "{\"text\":\"" + l.substring(colon + 1) + "\"}");
      }
    }
    return line;
  }

  /**
   * A chunk of {@code file} made of its lines [from, to) (0-based), numbered {@code index} within
   * the file.
   */
  static InputFiles.Chunk chunk(Path file, int fileIndex, int index, int from, int to)
      throws IOException {
    String[] lines = Files.readString(file).split("\n", -1);
    long start = 0;
    for (int i = 0; i < from; i++) start += lines[i].getBytes(StandardCharsets.UTF_8).length + 1;
    long end = start;
    for (int i = from; i < to; i++) end += lines[i].getBytes(StandardCharsets.UTF_8).length + 1;
    return new InputFiles.Chunk(file.toString(), fileIndex, index, start, end, false);
  }
}
