package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class WriteFailuresTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static Row failure(long line, String why) {
    return Failures.of("a.jsonl", line, null, null, "Test", why, "x");
  }

  static final String LINE =
      "{\"source\": \"a.jsonl\", \"line\": %d, \"offset\": null, \"record\": null, \"step\": \"Test\", "
          + "\"reason\": \"%s\", \"excerpt\": \"x\"}\n";

  @Test
  public void eachChunkGetsOneErrorPartInEmissionOrderWhateverTheArrivalOrder() throws Exception {
    Path parts = tmp.newFolder("parts").toPath();
    PCollection<Part> out =
        p.apply(
                Create.of(
                        new ChunkFailure(7, 2, true, failure(9, "c")),
                        new ChunkFailure(3, 0, true, failure(1, "z")),
                        new ChunkFailure(7, 0, false, failure(2, "a")),
                        new ChunkFailure(7, 1, false, failure(5, "b")))
                    .withCoder(ChunkFailure.CODER))
            .apply(WriteFailures.to(parts));
    String base = parts.toAbsolutePath().normalize() + "/errors/";
    PAssert.that(out)
        .containsInAnyOrder(
            new Part(Part.ERRORS, "errors", 7, 3, 0, base + "7", 0, 0),
            new Part(Part.ERRORS, "errors", 3, 1, 0, base + "3", 0, 0));
    p.run().waitUntilFinish();
    assertThat(
        Files.readString(parts.resolve("errors/7.jsonl")),
        equalTo(
            String.format(LINE, 2, "a")
                + String.format(LINE, 5, "b")
                + String.format(LINE, 9, "c")));
    assertThat(
        Files.readString(parts.resolve("errors/3.jsonl")), equalTo(String.format(LINE, 1, "z")));
  }

  @Test
  public void aReplayedChunksFailuresAreWrittenOnce() throws Exception {
    Path parts = tmp.newFolder("parts").toPath();
    PCollection<Part> out =
        p.apply(
                Create.of(
                        // a copy of the first failure before the chunk is complete, then the whole
                        // chunk again after it
                        new ChunkFailure(1, 0, false, failure(2, "a")),
                        new ChunkFailure(1, 0, false, failure(2, "a")),
                        new ChunkFailure(1, 1, true, failure(4, "b")),
                        new ChunkFailure(1, 0, false, failure(2, "a")),
                        new ChunkFailure(1, 1, true, failure(4, "b")))
                    .withCoder(ChunkFailure.CODER))
            .apply(WriteFailures.to(parts));
    PAssert.that(out)
        .containsInAnyOrder(
            new Part(
                Part.ERRORS,
                "errors",
                1,
                2,
                0,
                parts.toAbsolutePath().normalize() + "/errors/1",
                0,
                0));
    p.run().waitUntilFinish();
    assertThat(
        Files.readString(parts.resolve("errors/1.jsonl")),
        equalTo(String.format(LINE, 2, "a") + String.format(LINE, 4, "b")));
  }

  /**
   * Unbounded input in the global window: a chunk's part comes out once its last failure is in, not
   * before.
   */
  @Test
  public void inStreamingAChunksPartWaitsForItsLastFailure() throws Exception {
    Path parts = tmp.newFolder("parts").toPath();
    TestStream<ChunkFailure> in =
        TestStream.create(ChunkFailure.CODER)
            .addElements(new ChunkFailure(5, 0, false, failure(1, "a")))
            .advanceProcessingTime(Duration.standardMinutes(1))
            .addElements(new ChunkFailure(6, 0, true, failure(3, "c")))
            .advanceProcessingTime(Duration.standardMinutes(1))
            .addElements(new ChunkFailure(5, 1, true, failure(2, "b")))
            .advanceWatermarkToInfinity();
    PCollection<Part> out = p.apply(in).apply(WriteFailures.to(parts));
    String base = parts.toAbsolutePath().normalize() + "/errors/";
    PAssert.that(out)
        .containsInAnyOrder(
            new Part(Part.ERRORS, "errors", 5, 2, 0, base + "5", 0, 0),
            new Part(Part.ERRORS, "errors", 6, 1, 0, base + "6", 0, 0));
    p.run().waitUntilFinish();
    assertThat(
        Files.readString(parts.resolve("errors/5.jsonl")),
        equalTo(String.format(LINE, 1, "a") + String.format(LINE, 2, "b")));
  }
}
