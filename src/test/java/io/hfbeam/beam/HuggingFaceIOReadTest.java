package io.hfbeam.beam;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import io.hfbeam.format.parquet.RangedFixtures;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.RetryPolicy;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.source.ReadPlan;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler.BadRecordErrorHandler;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** HuggingFaceIO.read() in a pipeline: local directories and the local Hub server. */
public class HuggingFaceIOReadTest {
  static final String TOKEN = "hf_" + "readtesttoken0123456789";

  @Rule public final transient TestPipeline p = TestPipeline.create();
  @Rule public final transient TemporaryFolder tmp = new TemporaryFolder();

  LocalHubServer hub;
  HubClient.Settings settings;

  @Before
  public void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.newFolder("hub").toPath(),
            LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    settings =
        HubClient.Settings.builder()
            .environment(
                Map.of(
                    "HF_ENDPOINT",
                    hub.url(),
                    "HF_TOKEN",
                    TOKEN,
                    "HF_HOME",
                    tmp.newFolder("hf").toString()))
            .retry(RetryPolicy.of(3, Duration.ofMillis(5), Duration.ofMillis(20)))
            .build();
  }

  @After
  public void stop() {
    hub.close();
  }

  /** Two train shards and a test shard of the ten-column fixture, many row groups each. */
  private Path dataset() throws Exception {
    Path dir = tmp.newFolder("ds").toPath();
    Files.createDirectories(dir.resolve("data"));
    RangedFixtures.writeTen(dir.resolve("data/train-00000-of-00002.parquet"), 3000, 16 << 10);
    RangedFixtures.writeTen(dir.resolve("data/train-00001-of-00002.parquet"), 2000, 16 << 10);
    RangedFixtures.writeTen(dir.resolve("data/test-00000-of-00001.parquet"), 700, 16 << 10);
    return dir;
  }

  private void upload(RepoId repo, Path dir, boolean isPrivate) throws Exception {
    HubClient c = settings.newClient();
    c.createRepo(repo, isPrivate, false);
    List<CommitOperation> ops = new ArrayList<>();
    try (var files = Files.walk(dir)) {
      for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
        ops.add(
            CommitOperation.add(
                dir.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f)));
      }
    }
    c.createCommit(repo, "main", ops, "data", null);
  }

  static PCollection<Long> count(PCollection<Row> rows) {
    return rows.apply(Count.globally());
  }

  @Test
  public void readsEverySplitOfALocalDirectoryRowGroupByRowGroup() throws Exception {
    Path dir = dataset();
    HuggingFaceIO.Read read = HuggingFaceIO.read().from(dir.toString());
    ReadPlan plan = read.plan();
    assertThat(plan.splits(), is(List.of("train", "test")));
    assertThat(plan.units().size(), greaterThan(6));
    PCollection<Row> rows = p.apply(read);
    PAssert.thatSingleton(count(rows)).isEqualTo(5700L);
    PCollection<Row> test =
        p.apply("Test", HuggingFaceIO.read().from(dir.toString()).withSplit("test"));
    PAssert.thatSingleton(test.apply("CountTest", Count.globally())).isEqualTo(700L);
    p.run().waitUntilFinish();
  }

  @Test
  public void streamsOneColumnOfAPrivateHubRepo() throws Exception {
    Path dir = dataset();
    upload(RepoId.dataset("alice/ten"), dir, true);
    PCollection<Row> rows =
        p.apply(
            HuggingFaceIO.read()
                .from("hf://datasets/alice/ten")
                .withSplit("train")
                .withColumns("c3")
                .withClient(settings));
    assertThat(rows.getSchema().getFieldNames(), is(List.of("c3")));
    PAssert.thatSingleton(count(rows)).isEqualTo(5000L);
    // the same values as the local files hold
    List<Double> expected = new ArrayList<>();
    for (String shard : List.of("train-00000-of-00002", "train-00001-of-00002")) {
      for (Row r : RangedFixtures.readLocal(dir.resolve("data/" + shard + ".parquet"))) {
        expected.add(r.getDouble("c3"));
      }
    }
    PAssert.that(
            rows.apply(MapElements.into(TypeDescriptors.doubles()).via(r -> r.getDouble("c3"))))
        .containsInAnyOrder(expected);
    p.run().waitUntilFinish();
  }

  @Test
  public void survivesResetsAndServerErrorsOnRangedReadsWithTheSameRows() throws Exception {
    Path dir = dataset();
    upload(RepoId.dataset("alice/flaky"), dir, false);
    // the first file requests after planning fail: a dropped connection, then a 503
    HuggingFaceIO.Read read =
        HuggingFaceIO.read()
            .from("hf://datasets/alice/flaky")
            .withSplit("test")
            .withClient(settings);
    read.plan();
    hub.faults()
        .next(1, ".*/resolve/.*", io.hfbeam.hub.server.Fault.RESET)
        .next(1, ".*/resolve/.*", io.hfbeam.hub.server.Fault.STATUS_503);
    List<String> expected = new ArrayList<>();
    for (Row r : RangedFixtures.readLocal(dir.resolve("data/test-00000-of-00001.parquet"))) {
      expected.add(r.getValues().toString());
    }
    PAssert.that(
            p.apply(read)
                .apply(
                    MapElements.into(TypeDescriptors.strings()).via(r -> r.getValues().toString())))
        .containsInAnyOrder(expected);
    p.run().waitUntilFinish();
    assertThat(hub.faults().injected(), is(2));
  }

  @Test
  public void withoutStreamingEachFileIsDownloadedOnceIntoTheSharedCache() throws Exception {
    Path dir = dataset();
    upload(RepoId.dataset("alice/cached"), dir, false);
    PCollection<Row> rows =
        p.apply(
            HuggingFaceIO.read()
                .from("alice/cached")
                .withSplit("test")
                .withStreaming(false)
                .withClient(settings));
    PAssert.thatSingleton(count(rows)).isEqualTo(700L);
    p.run().waitUntilFinish();
    Path snapshots = tmp.getRoot().toPath().resolve("hf/hub/datasets--alice--cached/snapshots");
    try (var found = Files.walk(snapshots)) {
      assertThat(found.anyMatch(f -> f.endsWith("data/test-00000-of-00001.parquet")), is(true));
    }
  }

  @Test
  public void decodesImagesAndABrokenOneIsALocatedBadRecord() throws Exception {
    Path dir = tmp.newFolder("images").toPath();
    io.hfbeam.hf.Features f =
        io.hfbeam.hf.Features.fromJson(
            "{\"image\": {\"_type\": \"Image\"}, \"label\": {\"dtype\": \"int64\","
                + " \"_type\": \"Value\"}}");
    org.apache.beam.sdk.schemas.Schema s = f.beamSchema();
    org.apache.beam.sdk.schemas.Schema img = s.getField("image").getType().getRowSchema();
    try (io.hfbeam.format.parquet.HfParquetWriter w =
        io.hfbeam.format.parquet.HfParquetWriter.create(
            dir.resolve("train.parquet"),
            f,
            io.hfbeam.format.parquet.ParquetSettings.builder().build())) {
      for (int i = 0; i < 3; i++) {
        java.awt.image.BufferedImage b =
            new java.awt.image.BufferedImage(4 + i, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
        b.setRGB(0, 0, 0x102030);
        java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(b, "png", png);
        w.write(
            Row.withSchema(s)
                .addValues(Row.withSchema(img).addValues(png.toByteArray(), null).build(), (long) i)
                .build());
      }
      w.write(
          Row.withSchema(s)
              .addValues(Row.withSchema(img).addValues(new byte[] {1, 2, 3}, "bad.png").build(), 9L)
              .build());
    }
    BadRecordErrorHandler<PCollection<Long>> errors =
        p.registerBadRecordErrorHandler(
            new CountBadIn("train.parquet row group 0 row 3 column image"));
    PCollection<Row> rows =
        p.apply(
            HuggingFaceIO.read()
                .from(dir.toString())
                .withDecodeImages(true)
                .withBadRecordErrorHandler(errors));
    errors.close();
    assertThat(
        rows.getSchema().getField("image").getType().getRowSchema().getFieldNames().subList(0, 3),
        is(List.of("width", "height", "mode")));
    PAssert.that(
            rows.apply(
                MapElements.into(TypeDescriptors.strings())
                    .via(
                        r ->
                            r.getRow("image").getInt32("width")
                                + "x"
                                + r.getRow("image").getInt32("height")
                                + " "
                                + r.getRow("image").getString("mode"))))
        .containsInAnyOrder("4x2 RGB", "5x2 RGB", "6x2 RGB");
    PAssert.thatSingleton(errors.getOutput()).isEqualTo(1L);
    p.run().waitUntilFinish();
  }

  @Test
  public void readsTheHubsParquetExportOneConfigPerFolder() throws Exception {
    Path dir = dataset();
    RepoId repo = RepoId.dataset("alice/exported");
    HubClient c = settings.newClient();
    c.createRepo(repo, false, false);
    c.createCommit(
        repo,
        "main",
        List.of(CommitOperation.add("README.md", "# not the export\n".getBytes())),
        "card",
        null);
    c.createBranch(repo, "refs/convert/parquet", null, false);
    c.createCommit(
        repo,
        "refs/convert/parquet",
        List.of(
            CommitOperation.add(
                "default/train/0000.parquet",
                Files.readAllBytes(dir.resolve("data/train-00000-of-00002.parquet"))),
            CommitOperation.add(
                "default/test/0000.parquet",
                Files.readAllBytes(dir.resolve("data/test-00000-of-00001.parquet"))),
            CommitOperation.add(
                "other/train/0000.parquet",
                Files.readAllBytes(dir.resolve("data/train-00001-of-00002.parquet")))),
        "Update parquet files",
        null);
    HuggingFaceIO.Read read =
        HuggingFaceIO.read()
            .from("hf://datasets/alice/exported")
            .withRevision("refs/convert/parquet")
            .withClient(settings);
    assertThat(read.plan().config(), is("default"));
    assertThat(read.plan().splits(), is(List.of("train", "test")));
    PAssert.thatSingleton(count(p.apply(read.withSplit("test")))).isEqualTo(700L);
    PAssert.thatSingleton(
            p.apply("Other", read.withConfig("other")).apply("CountOther", Count.globally()))
        .isEqualTo(2000L);
    p.run().waitUntilFinish();
  }

  @Test
  public void aMissingSplitConfigOrColumnFailsAtConstructionNamingWhatExists() throws Exception {
    Path dir = dataset();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HuggingFaceIO.read().from(dir.toString()).withSplit("validation").plan());
    assertThat(e.getMessage(), containsString("[train, test]"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HuggingFaceIO.read().from(dir.toString()).withConfig("nope").plan());
    assertThat(e.getMessage(), containsString("[default]"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> HuggingFaceIO.read().from(dir.toString()).withColumns("c11").plan());
    assertThat(e.getMessage(), containsString("c0, c1"));
    e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HuggingFaceIO.read()
                    .from("hf://datasets/alice/missing")
                    .withClient(settings)
                    .plan());
    assertThat(e.getMessage(), containsString("alice/missing"));
  }

  @Test
  public void aTruncatedFileIsABadRecordAndTheOtherFilesAreRead() throws Exception {
    Path dir = dataset();
    Path shard = dir.resolve("data/train-00001-of-00002.parquet");
    try (RandomAccessFile f = new RandomAccessFile(shard.toFile(), "rw")) {
      f.setLength(f.length() / 2);
    }
    BadRecordErrorHandler<PCollection<Long>> errors =
        p.registerBadRecordErrorHandler(new CountBad());
    PCollection<Row> rows =
        p.apply(
            HuggingFaceIO.read()
                .from(dir.toString())
                .withSplit("train")
                .withBadRecordErrorHandler(errors));
    errors.close();
    PAssert.thatSingleton(count(rows)).isEqualTo(3000L);
    PAssert.thatSingleton(errors.getOutput()).isEqualTo(1L);
    p.run().waitUntilFinish();
  }

  /** Counts the bad records and checks each names the cut file. */
  static final class CountBad
      extends org.apache.beam.sdk.transforms.PTransform<PCollection<BadRecord>, PCollection<Long>> {
    @Override
    public PCollection<Long> expand(PCollection<BadRecord> bad) {
      return bad.apply(
              MapElements.into(TypeDescriptors.longs())
                  .via(
                      b -> {
                        String d = b.getFailure().getDescription();
                        if (!d.contains("train-00001-of-00002.parquet")) {
                          throw new AssertionError("not located: " + d);
                        }
                        return 1L;
                      }))
          .apply(Combine.globally(Long::sum).withoutDefaults());
    }
  }

  /** Counts the bad records and checks each names the given place. */
  static final class CountBadIn
      extends org.apache.beam.sdk.transforms.PTransform<PCollection<BadRecord>, PCollection<Long>> {
    private final String where;

    CountBadIn(String where) {
      this.where = where;
    }

    @Override
    public PCollection<Long> expand(PCollection<BadRecord> bad) {
      String w = where;
      return bad.apply(
              MapElements.into(TypeDescriptors.longs())
                  .via(
                      b -> {
                        String d = b.getFailure().getDescription();
                        if (!d.contains(w)) throw new AssertionError("not located: " + d);
                        return 1L;
                      }))
          .apply(Combine.globally(Long::sum).withoutDefaults());
    }
  }
}
