package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.format.files.InputFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Create;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** Chunk processing on the DirectRunner, immutability and encodability checks on. */
public class ProcessChunksTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  private ProcessChunks.Result run(Path partsDir, InputFiles.Chunk... chunks) {
    return p.apply(
            Create.of(List.of(chunks)).withCoder(SerializableCoder.of(InputFiles.Chunk.class)))
        .apply(ProcessChunks.toParts(new LinesProcessor(), new LinesFormat(), partsDir, false));
  }

  @Test
  public void aResentChunkIsProcessedOnce() throws Exception {
    Path in = tmp.newFile("a.txt").toPath();
    Files.writeString(in, "train:a\ntrain:b\ntest:c\ntrain:d\n");
    Path parts = tmp.newFolder("parts").toPath();
    InputFiles.Chunk c0 = LinesProcessor.chunk(in, 0, 0, 0, 2);
    InputFiles.Chunk c1 = LinesProcessor.chunk(in, 0, 1, 2, 4);
    ProcessChunks.Result r = run(parts, c0, c1, c0);
    String base = parts.toAbsolutePath().normalize() + "/data/";
    PAssert.that(r.parts())
        .containsInAnyOrder(
            new Part(Part.DATA, "train", c0.id(), 2, 0, base + "train/" + c0.id(), 0, 0),
            new Part(Part.DATA, null, c0.id(), 0, 0, null, 2, 2),
            new Part(Part.DATA, "test", c1.id(), 1, 0, base + "test/" + c1.id(), 0, 0),
            new Part(Part.DATA, "train", c1.id(), 1, 0, base + "train/" + c1.id(), 0, 0),
            new Part(Part.DATA, null, c1.id(), 0, 0, null, 2, 2));
    p.run().waitUntilFinish();
  }

  @Test
  public void eachSplitGetsOnePartPerChunkWithItsRecordsInInputOrder() throws Exception {
    Path in = tmp.newFile("a.txt").toPath();
    Files.writeString(in, "train:1\ntest:2\ntrain:3\nvalidation:4\ntrain:5\ntest:6\n");
    Path parts = tmp.newFolder("parts").toPath();
    InputFiles.Chunk c = LinesProcessor.chunk(in, 0, 0, 0, 6);
    ProcessChunks.Result r = run(parts, c);
    PAssert.that(r.parts())
        .satisfies(
            ps -> {
              List<String> got = new ArrayList<>();
              for (Part part : ps) got.add(part.split() + "=" + part.rows());
              assertThat(got, containsInAnyOrder("train=3", "test=2", "validation=1", "null=0"));
              return null;
            });
    PAssert.that(r.failures()).empty();
    p.run().waitUntilFinish();
    Path data = parts.resolve("data");
    assertThat(
        read(data.resolve("train/" + c.id() + ".jsonl")),
        equalTo("{\"text\":\"1\"}\n{\"text\":\"3\"}\n{\"text\":\"5\"}\n"));
    assertThat(
        read(data.resolve("test/" + c.id() + ".jsonl")),
        equalTo("{\"text\":\"2\"}\n{\"text\":\"6\"}\n"));
    assertThat(
        read(data.resolve("validation/" + c.id() + ".jsonl")), equalTo("{\"text\":\"4\"}\n"));
  }

  @Test
  public void failuresComeOutOnTheFailureTagWithSourceLineAndReasonNotAsParts() throws Exception {
    Path in = tmp.newFile("a.txt").toPath();
    Files.writeString(in, "train:a\n!x\ntrain:b\n!y\n!z\ntrain:c\n");
    Path parts = tmp.newFolder("parts").toPath();
    InputFiles.Chunk c0 = LinesProcessor.chunk(in, 0, 0, 0, 3);
    InputFiles.Chunk c1 = LinesProcessor.chunk(in, 0, 1, 3, 6);
    ProcessChunks.Result r = run(parts, c0, c1, c1);
    String src = in.toString();
    PAssert.that(r.failures())
        .containsInAnyOrder(
            new ChunkFailure(
                c0.id(), 0, true, Failures.of(src, 2L, null, null, "Test", "bad line", "!x")),
            new ChunkFailure(
                c1.id(), 0, false, Failures.of(src, 1L, null, null, "Test", "bad line", "!y")),
            new ChunkFailure(
                c1.id(), 1, true, Failures.of(src, 2L, null, null, "Test", "bad line", "!z")));
    PAssert.that(r.parts())
        .satisfies(
            ps -> {
              for (Part part : ps) assertThat(part.sink(), equalTo(Part.DATA));
              return null;
            });
    p.run().waitUntilFinish();
    assertThat(Files.exists(parts.resolve(Part.ERRORS)), equalTo(false));
  }

  static String read(Path f) throws java.io.IOException {
    return Files.readString(f, StandardCharsets.UTF_8);
  }
}
