package io.hfbeam.dataset;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchPlanTest {
  static Part data(String split, long chunk, long rows) {
    return new Part(Part.DATA, split, chunk, rows, rows * 10, split + "/" + chunk, 0, 0);
  }

  static Part stats(long chunk, long records) {
    return new Part(Part.DATA, null, chunk, 0, 0, null, records, 0);
  }

  /** "split#batch[index/count]: base[from,to) ..." for each file. */
  static List<String> describe(List<Batch.FilePlan> plans) {
    List<String> out = new ArrayList<>();
    for (Batch.FilePlan f : plans) {
      StringBuilder b =
          new StringBuilder(f.split() + "#" + f.batch() + "[" + f.index() + "/" + f.count() + "]:");
      for (Batch.Piece p : f.pieces())
        b.append(' ')
            .append(p.base())
            .append('[')
            .append(p.from())
            .append(',')
            .append(p.to())
            .append(')');
      out.add(b.toString());
    }
    return out;
  }

  static final java.util.Comparator<String> ORDER =
      Batch.splitOrder(List.of("train", "validation", "test"));

  @Test
  void perSplitBatchesCutPartsAtBoundariesInChunkOrder() throws Exception {
    // parts given out of chunk order: the plan orders them by chunk
    List<Part> parts = List.of(data("train", 2, 4), data("train", 1, 3), stats(1, 3), stats(2, 4));
    assertThat(
        describe(Batch.plan(parts, Batch.Settings.of(3), ORDER)),
        contains(
            "train#1[0/3]: train/1[0,3)",
            "train#2[1/3]: train/2[0,3)",
            "train#3[2/3]: train/2[3,4)"));
  }

  @Test
  void aPieceIsWholeOnlyWhenItTakesTheWholePart() throws Exception {
    List<Batch.FilePlan> plan =
        Batch.plan(List.of(data("train", 1, 2), data("train", 2, 3)), Batch.Settings.of(4), ORDER);
    assertThat(plan.get(0).pieces().get(0).whole(), equalTo(true));
    assertThat(plan.get(0).pieces().get(1).whole(), equalTo(false));
    assertThat(plan.get(0).rows(), equalTo(4L));
    assertThat(plan.get(0).arrowBytes(), equalTo(40L));
    assertThat(plan.get(1).rows(), equalTo(1L));
  }

  @Test
  void splitsComeInTheGivenOrderThenByName() throws Exception {
    List<Part> parts =
        List.of(data("zeta", 1, 1), data("test", 1, 1), data("alpha", 1, 1), data("train", 1, 1));
    assertThat(
        describe(Batch.plan(parts, Batch.Settings.single(), ORDER)),
        contains(
            "train#1[0/1]: train/1[0,1)",
            "test#1[0/1]: test/1[0,1)",
            "alpha#1[0/1]: alpha/1[0,1)",
            "zeta#1[0/1]: zeta/1[0,1)"));
  }

  @Test
  void aSplitWithoutPartsHasNoFilesAndNoPartsMeansNoFiles() throws Exception {
    assertThat(
        describe(
            Batch.plan(List.of(data("train", 1, 2), stats(1, 2)), Batch.Settings.of(10), ORDER)),
        contains("train#1[0/1]: train/1[0,2)"));
    assertThat(
        Batch.plan(List.of(stats(1, 0), stats(2, 0)), Batch.Settings.of(10), ORDER), empty());
  }

  @Test
  void firstBatchAndMaxBatchesNumberAndLimitTheFiles() throws Exception {
    Batch.Settings s = new Batch.Settings(2, 7, 2, Batch.Scope.PER_SPLIT);
    assertThat(
        describe(Batch.plan(List.of(data("train", 1, 5)), s, ORDER)),
        contains("train#7[0/2]: train/1[0,2)", "train#8[1/2]: train/1[2,4)"));
  }

  /**
   * Counted before the split: batch k holds records [k*n, (k+1)*n) of the whole input, whatever
   * their split, so the same batch number in each split covers the same input records; a record's
   * place comes from the part's index.
   */
  @Test
  void countedBeforeTheSplitBatchesFollowTheRecordsPlaceInTheWholeInput(@TempDir Path dir)
      throws Exception {
    // chunk 1: 4 records, train = 0,1,3 test = 2; chunk 2: 3 records, train = 0,2 test = 1
    Part train1 = indexed(dir, "train", 1, 0, 1, 3);
    Part test1 = indexed(dir, "test", 1, 2);
    Part train2 = indexed(dir, "train", 2, 0, 2);
    Part test2 = indexed(dir, "test", 2, 1);
    List<Part> parts = List.of(train1, test1, train2, test2, stats(1, 4), stats(2, 3));
    Batch.Settings s = new Batch.Settings(3, 1, -1, Batch.Scope.BEFORE_SPLIT);
    // input ranks: chunk 1 -> 0..3, chunk 2 -> 4..6; batches of 3: [0,3) [3,6) [6,7)
    assertThat(
        describe(Batch.plan(parts, s, ORDER)),
        contains(
            "train#1[0/3]: " + train1.base() + "[0,2)",
            "train#2[1/3]: " + train1.base() + "[2,3) " + train2.base() + "[0,1)",
            "train#3[2/3]: " + train2.base() + "[1,2)",
            "test#1[0/2]: " + test1.base() + "[0,1)",
            "test#2[1/2]: " + test2.base() + "[0,1)"));
  }

  private static Part indexed(Path dir, String split, long chunk, int... index) throws Exception {
    Path base = dir.resolve(split + "-" + chunk);
    try (DataOutputStream out =
        new DataOutputStream(Files.newOutputStream(Path.of(base + ".idx")))) {
      for (int i : index) out.writeInt(i);
    }
    return new Part(Part.DATA, split, chunk, index.length, 0, base.toString(), 0, 0);
  }
}
