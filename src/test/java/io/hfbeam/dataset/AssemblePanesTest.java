package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.format.files.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestStream;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Panes of a watched input, driven by processing time with TestStream instead of sleeping: a pane
 * fires one commit interval after its first part, and what arrives after that goes to the next
 * pane.
 */
public class AssemblePanesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final Duration INTERVAL = Duration.standardMinutes(1);

  @Test
  public void aPaneFiresOneIntervalAfterItsFirstPartAndALateFileGoesToTheNextPane()
      throws Exception {
    Path a = tmp.newFile("a.txt").toPath();
    Files.writeString(a, "train:a1\n!bad\ntest:a2\n");
    Path b = tmp.newFile("b.txt").toPath();
    Files.writeString(b, "train:b1\n");
    Path c = tmp.newFile("c.txt").toPath();
    Files.writeString(c, "train:c1\n!worse\n");
    Path out = tmp.newFolder("out").toPath();
    AssembleDataset.Settings<String> settings =
        AssembleDataset.Settings.of(out, new LinesFormat()).card(false);

    TestStream<InputFiles.Chunk> files =
        TestStream.create(SerializableCoder.of(InputFiles.Chunk.class))
            .addElements(LinesProcessor.chunk(a, 0, 0, 0, 3))
            .advanceProcessingTime(INTERVAL.dividedBy(2))
            .addElements(LinesProcessor.chunk(b, 1, 0, 0, 1)) // within the interval: same pane
            .advanceProcessingTime(INTERVAL)
            .addElements(LinesProcessor.chunk(c, 2, 0, 0, 2)) // after the pane fired: the next one
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .advanceWatermarkToInfinity();
    PCollection<AssemblePanes.Pane> panes =
        p.apply(files)
            .apply(
                ProcessChunks.toParts(
                    new LinesProcessor(), new LinesFormat(), settings.partsDir(), false))
            .apply(WriteFailures.withParts(settings.partsDir()))
            .apply(AssemblePanes.every(INTERVAL, settings));
    PAssert.that(panes)
        .satisfies(
            ps -> {
              List<String> got = new ArrayList<>();
              for (AssemblePanes.Pane pane : ps) {
                for (WrittenFile f : pane.files())
                  got.add(pane.number() + " " + f.path() + " " + f.rows());
              }
              assertThat(
                  got,
                  containsInAnyOrder(
                      "1 train/batch_001.jsonl 2",
                      "1 test/batch_001.jsonl 1",
                      "1 _errors/errors-00001.jsonl 1",
                      "2 train/batch_002.jsonl 1",
                      "2 _errors/errors-00002.jsonl 1"));
              return null;
            });
    p.run().waitUntilFinish();

    assertThat(
        Files.readString(out.resolve("train/batch_001.jsonl")),
        equalTo("{\"text\":\"a1\"}\n{\"text\":\"b1\"}\n"));
    assertThat(
        Files.readString(out.resolve("train/batch_002.jsonl")), equalTo("{\"text\":\"c1\"}\n"));
    assertThat(
        Files.readString(out.resolve("_errors/errors-00002.jsonl")),
        equalTo(
            "{\"source\": \""
                + c
                + "\", \"line\": 2, \"offset\": null, \"record\": null, \"step\": \"Test\", \"reason\": \"bad line\","
                + " \"excerpt\": \"!worse\"}\n"));
  }
}
