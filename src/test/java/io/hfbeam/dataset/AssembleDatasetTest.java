package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;

import io.hfbeam.format.files.InputFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.values.PCollection;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * Assembly on the DirectRunner: the files planned for given parts, and the errors file's line
 * numbers.
 */
public class AssembleDatasetTest {
  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  static final String ERR =
      "{\"source\": \"%s\", \"line\": %d, \"offset\": null, \"record\": null, \"step\": \"Test\", "
          + "\"reason\": \"bad line\", \"excerpt\": \"%s\"}";

  @Test
  public void batchFilesAreNumberedPerSplitAndErrorLinesCountFromTheStartOfTheirFile()
      throws Exception {
    Path a = tmp.newFile("a.txt").toPath();
    Files.writeString(a, "train:a\n!x\ntrain:b\n!y\ntest:t\n!z\ntrain:c\n!w\ntrain:d\n");
    Path b = tmp.newFile("b.txt").toPath();
    Files.writeString(b, "!q\ntrain:e\n");
    List<InputFiles.Chunk> chunks =
        List.of(
            LinesProcessor.chunk(a, 0, 0, 0, 2),
            LinesProcessor.chunk(a, 0, 1, 2, 6),
            LinesProcessor.chunk(a, 0, 2, 6, 9),
            LinesProcessor.chunk(b, 1, 0, 0, 2));
    Path out = tmp.newFolder("out").toPath();
    AssembleDataset.Settings<String> settings =
        AssembleDataset.Settings.of(out, new LinesFormat()).batch(Batch.Settings.of(2)).card(false);
    PCollection<WrittenFile> files =
        p.apply(
                ProcessChunks.of(
                    chunks, new LinesProcessor(), new LinesFormat(), settings.partsDir(), false))
            .apply(WriteFailures.withParts(settings.partsDir()))
            .apply(AssembleDataset.with(settings));
    PAssert.that(files)
        .satisfies(
            fs -> {
              List<String> got = new ArrayList<>();
              for (WrittenFile f : fs) got.add(f.path() + "=" + f.rows());
              assertThat(
                  got,
                  containsInAnyOrder(
                      "train/batch_001.jsonl=2",
                      "train/batch_002.jsonl=2",
                      "train/batch_003.jsonl=1",
                      "test/batch_001.jsonl=1",
                      DatasetFiles.ERRORS_FILE + "=5"));
              return null;
            });
    p.run().waitUntilFinish();

    assertThat(
        Files.readString(out.resolve("train/batch_001.jsonl")),
        equalTo("{\"text\":\"a\"}\n{\"text\":\"b\"}\n"));
    assertThat(
        Files.readString(out.resolve("train/batch_002.jsonl")),
        equalTo("{\"text\":\"c\"}\n{\"text\":\"d\"}\n"));
    assertThat(
        Files.readString(out.resolve("train/batch_003.jsonl")), equalTo("{\"text\":\"e\"}\n"));
    // chunk order, then emission order; each line counts from the start of its file, not of its
    // chunk
    assertThat(
        Files.readAllLines(out.resolve(DatasetFiles.ERRORS_FILE)),
        contains(
            String.format(ERR, a, 2, "!x"),
            String.format(ERR, a, 4, "!y"),
            String.format(ERR, a, 6, "!z"),
            String.format(ERR, a, 8, "!w"),
            String.format(ERR, b, 1, "!q")));
    assertThat(
        "the parts are removed once assembled", Files.exists(settings.partsDir()), equalTo(false));
  }

  /**
   * The file plan alone: data files in split order with their names, then the errors job, always
   * last.
   */
  @Test
  public void thePlanNamesEachBatchFileAndEndsWithTheErrorsJob() throws Exception {
    AssembleDataset.Settings<String> s =
        AssembleDataset.Settings.of(tmp.getRoot().toPath(), new LinesFormat())
            .parquetNaming(FileNaming.of(FileNaming.HF_SHARDS));
    List<Part> parts =
        List.of(
            BatchPlanTest.data("test", 1, 1),
            BatchPlanTest.data("train", 1, 3),
            BatchPlanTest.data("train", 2, 2),
            BatchPlanTest.stats(1, 4),
            BatchPlanTest.stats(2, 2),
            // a chunk replayed by a restored job: the same part again, counted once
            BatchPlanTest.data("train", 2, 2),
            BatchPlanTest.stats(2, 2),
            new Part(Part.ERRORS, "errors", 2, 1, 0, "errors/2", 0, 0));
    List<DatasetFiles.Job> jobs = DatasetFiles.jobs(s, parts, Batch.Settings.of(2));
    List<String> names = new ArrayList<>();
    for (DatasetFiles.Job j : jobs) {
      if (j.plan() == null) {
        names.add("errors " + j.errorParts().size() + " before " + j.linesBefore());
      } else {
        Batch.FilePlan f = j.plan();
        names.add(
            s.parquetNaming.name(f.split(), f.batch(), f.index(), f.count()) + " " + f.rows());
      }
    }
    assertThat(
        names,
        contains(
            "data/train-00000-of-00003.parquet 2",
            "data/train-00001-of-00003.parquet 2",
            "data/train-00002-of-00003.parquet 1",
            "data/test-00000-of-00001.parquet 1",
            "errors 1 before {" + BatchPlanTest.stats(1, 4).chunk() + "=0, 2=0}"));
  }
}
