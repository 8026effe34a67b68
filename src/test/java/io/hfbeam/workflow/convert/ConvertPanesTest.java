package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.DatasetOptions;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.Split;
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
 * convert's continuous form with the files' arrival driven by TestStream in processing time (no
 * watching, no sleeping): which pane each file lands in, its errors file, and the per-pane error
 * budget. {@link ConvertWatchTest} keeps the end-to-end run on a real watched directory.
 */
public class ConvertPanesTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final Duration INTERVAL = Duration.standardSeconds(30);

  private ConvertWorkflow.Settings settings(Path out, boolean jsonl, double train, long batch)
      throws Exception {
    Features features =
        Features.parse(
            new ObjectMapper()
                .readTree(
                    "{\"id\": {\"dtype\": \"string\", \"_type\": \"Value\"}, \"n\": {\"dtype\": \"int64\", \"_type\": \"Value\"}}"));
    return new ConvertWorkflow.Settings(
        List.of(),
        ConvertWorkflow.InputFormat.JSONL,
        features,
        out,
        true,
        jsonl,
        "{split}/batch_{NNN}.parquet",
        ParquetSettings.builder().build(),
        Split.Settings.builder().trainRatio(train).seed(42).build(),
        Batch.Settings.of(batch),
        1 << 20);
  }

  /** The chunks of a landed file, numbered as the watch numbers the n-th file seen. */
  private InputFiles.Chunk landed(String name, int fileIndex, String text) throws Exception {
    Path f = tmp.getRoot().toPath().resolve("in").resolve(name);
    Files.createDirectories(f.getParent());
    Files.writeString(f, text);
    InputFiles.Chunk c = InputFiles.chunks(List.of(f), 1 << 20).get(0);
    return new InputFiles.Chunk(c.path(), fileIndex, c.index(), c.start(), c.end(), c.whole());
  }

  static List<String> describe(Iterable<AssemblePanes.Pane> panes) {
    List<String> out = new ArrayList<>();
    for (AssemblePanes.Pane pane : panes) {
      if (pane.files().isEmpty()) out.add(pane.number() + " (nothing)");
      for (WrittenFile f : pane.files()) out.add(pane.number() + " " + f.path() + " " + f.rows());
    }
    return out;
  }

  @Test
  public void eachFileGoesToThePaneOpenWhenItLandsAndBatchNumbersGoOnAcrossPanes()
      throws Exception {
    Path out = tmp.newFolder("out").toPath();
    TestStream<InputFiles.Chunk> files =
        TestStream.create(SerializableCoder.of(InputFiles.Chunk.class))
            .addElements(landed("a.jsonl", 0, ConvertWatchTest.rows("a", 100, -1)))
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .addElements(
                landed("b.jsonl", 1, ConvertWatchTest.rows("b", 200, 7))) // line 8 is broken
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .advanceWatermarkToInfinity();
    PCollection<AssemblePanes.Pane> panes =
        ConvertWorkflow.watched(settings(out, true, 1.0, 150)).panes(p.apply(files), INTERVAL);
    PAssert.that(panes)
        .satisfies(
            ps -> {
              assertThat(
                  describe(ps),
                  containsInAnyOrder(
                      "1 train/batch_001.parquet 100",
                      "1 train/batch_001.jsonl 100",
                      "1 README.md 0",
                      // pane 2 numbers on from pane 1: 199 rows, batches of 150
                      "2 train/batch_002.parquet 150",
                      "2 train/batch_002.jsonl 150",
                      "2 train/batch_003.parquet 49",
                      "2 train/batch_003.jsonl 49",
                      "2 _errors/errors-00002.jsonl 1",
                      "2 README.md 0",
                      // the end of the input (the global window's end) fires one last, empty pane:
                      // a card and no data
                      "3 README.md 0"));
              return null;
            });
    p.run().waitUntilFinish();
    assertThat(
        "every id once, in the JSONL batches",
        ConvertWatchTest.ids(out),
        equalTo(ConvertWatchTest.expectedIds()));
    String error = Files.readString(out.resolve("_errors/errors-00002.jsonl"));
    assertThat(error, containsString("b.jsonl"));
    assertThat(error, containsString("\"line\": 8"));
  }

  @Test
  public void aPaneOverTheErrorBudgetStaysOutOfTheDataset() throws Exception {
    Path out = tmp.newFolder("out").toPath();
    p.getOptions().as(DatasetOptions.class).setMaxErrorRate(0.1);
    TestStream<InputFiles.Chunk> files =
        TestStream.create(SerializableCoder.of(InputFiles.Chunk.class))
            .addElements(landed("a.jsonl", 0, ConvertWatchTest.rows("a", 100, -1)))
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .addElements(
                landed(
                    "b.jsonl", 1, ConvertWatchTest.rows("b", 5, 0) + "no\nno\nno\n")) // 4 of 8 fail
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .addElements(landed("c.jsonl", 2, ConvertWatchTest.rows("c", 50, -1)))
            .advanceProcessingTime(INTERVAL.plus(Duration.millis(1)))
            .advanceWatermarkToInfinity();
    PCollection<AssemblePanes.Pane> panes =
        ConvertWorkflow.watched(settings(out, false, 1.0, 1000)).panes(p.apply(files), INTERVAL);
    PAssert.that(panes)
        .satisfies(
            ps -> {
              assertThat(
                  describe(ps),
                  containsInAnyOrder(
                      "1 train/batch_001.parquet 100",
                      "1 README.md 0",
                      "2 (nothing)",
                      // the next pane takes the batch number the rejected one did not use
                      "3 train/batch_002.parquet 50",
                      "3 README.md 0",
                      "4 README.md 0")); // the window's end: see the test above
              return null;
            });
    p.run().waitUntilFinish();
    assertThat(
        "the rejected pane is kept in staging",
        Files.isDirectory(out.resolve(".hfbeam/staging/pane-00002/_errors")),
        equalTo(true));
    assertThat(ConvertWatchTest.files(out.resolve("_errors")), equalTo(List.of()));
    assertThat(
        ConvertWatchTest.files(out.resolve("train")).stream()
            .map(f -> f.getFileName().toString())
            .toList(),
        equalTo(List.of("batch_001.parquet", "batch_002.parquet")));
  }
}
