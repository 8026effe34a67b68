package io.hfbeam.beam;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.both;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;

import io.hfbeam.dataset.DatasetOptions;
import io.hfbeam.dataset.Failures;
import io.hfbeam.dataset.StagedDataset;
import io.hfbeam.format.parquet.HfParquetReader;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.workflow.convert.ConvertPublishTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset sink and the publish step on the DirectRunner (immutability and encodability checks
 * on).
 */
public class HuggingFaceIOTest {
  @TempDir Path tmp;

  static final Features FEATURES;

  static {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    f.put("n", new Feature.Value("int32"));
    f.put("text", new Feature.Value("string"));
    FEATURES = Features.of(f);
  }

  static List<KV<String, Row>> rows(int n) {
    Schema schema = FEATURES.beamSchema();
    List<KV<String, Row>> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(
          KV.of(
              i % 4 == 0 ? "test" : "train",
              Row.withSchema(schema).addValues(i, "row " + i).build()));
    }
    return rows;
  }

  static Pipeline pipeline() {
    return pipeline(1.0);
  }

  static Pipeline pipeline(double maxErrorRate) {
    DatasetOptions options = PipelineOptionsFactory.create().as(DatasetOptions.class);
    options.setMaxErrorRate(maxErrorRate);
    return Pipeline.create(options);
  }

  PCollection<KV<String, Row>> create(Pipeline p, List<KV<String, Row>> rows) {
    return p.apply(
        Create.of(rows)
            .withCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(FEATURES.beamSchema()))));
  }

  static HuggingFaceIO.Write sink(Path out) {
    return HuggingFaceIO.write()
        .to(out.toString())
        .withFeatures(FEATURES)
        .withJsonl(true)
        .withRowsPerFile(20)
        .withSortKey(r -> String.format("%06d", r.getInt32("n")))
        .withTitle("Numbers");
  }

  @Test
  public void theSameRowsInAnyOrderGiveTheSameFilesSortedAndNumbered() throws Exception {
    List<KV<String, Row>> rows = rows(200);
    Pipeline p1 = pipeline();
    create(p1, rows).apply(sink(tmp.resolve("a")));
    p1.run().waitUntilFinish();
    List<KV<String, Row>> reversed = new ArrayList<>(rows);
    Collections.reverse(reversed);
    Pipeline p2 = pipeline();
    create(p2, reversed).apply(sink(tmp.resolve("b")));
    p2.run().waitUntilFinish();

    Map<String, byte[]> a = files(tmp.resolve("a"));
    Map<String, byte[]> b = files(tmp.resolve("b"));
    assertThat(a.keySet(), equalTo(b.keySet()));
    for (String f : a.keySet()) assertThat(f, b.get(f), equalTo(a.get(f)));
    assertThat(
        a.keySet(),
        hasItems(
            "README.md",
            "train/batch_001.parquet",
            "train/batch_001.jsonl",
            "test/batch_001.parquet",
            "test/batch_001.jsonl"));
    assertThat(a.keySet(), not(hasItems("_errors/errors.jsonl")));

    // 150 train rows in about 150 / 20 files, numbered from 1 without a gap; every row once, each
    // file sorted
    List<String> trainFiles =
        a.keySet().stream().filter(f -> f.startsWith("train/") && f.endsWith(".parquet")).toList();
    List<String> numbered = new ArrayList<>();
    for (int i = 1; i <= trainFiles.size(); i++)
      numbered.add(String.format("train/batch_%03d.parquet", i));
    assertThat(trainFiles, equalTo(numbered));
    List<Integer> all = new ArrayList<>();
    for (String f : trainFiles) {
      List<Integer> inFile = new ArrayList<>();
      try (HfParquetReader r = HfParquetReader.open(tmp.resolve("a").resolve(f))) {
        assertThat(r.features(), equalTo(FEATURES));
        while (r.hasNext()) inFile.add(r.next().getInt32("n"));
      }
      List<Integer> sorted = new ArrayList<>(inFile);
      sorted.sort(null);
      assertThat(inFile, equalTo(sorted));
      all.addAll(inFile);
    }
    all.sort(null);
    List<Integer> expected =
        rows.stream()
            .filter(kv -> kv.getKey().equals("train"))
            .map(kv -> kv.getValue().getInt32("n"))
            .toList();
    assertThat(all, equalTo(expected));
    String card = new String(a.get("README.md"));
    assertThat(card, containsString("# Numbers"));
    assertThat(card, containsString("num_examples: 150"));
    assertThat(card, containsString("num_examples: 50"));
  }

  /**
   * A file's sort spilled to disk and merged gives the same files as the sort in memory: rows with
   * a repeated sort key (ties go by the row's bytes), some rows twice, and failures with ties of
   * place, written with a 1-byte budget (a run per row), a 16 KB one (a few runs and a rest in
   * memory) and the default (no run).
   */
  @Test
  public void aSpilledSortWritesTheSameFilesAsTheSortInMemory() throws Exception {
    Schema schema = FEATURES.beamSchema();
    java.util.Random r = new java.util.Random(11);
    List<KV<String, Row>> rows = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      int n = r.nextInt(400); // the sort key: ~7 rows per key
      String text = "t" + r.nextInt(1_000) + "x".repeat(r.nextInt(200)) + (i % 7 == 0 ? "é" : "");
      Row row = Row.withSchema(schema).addValues(n, text).build();
      String split = i % 5 == 0 ? "test" : "train";
      rows.add(KV.of(split, row));
      if (i % 50 == 0) rows.add(KV.of(split, row)); // the same row twice
    }
    List<Row> failures = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      failures.add(
          Failures.of(
              "f" + r.nextInt(3) + ".jsonl",
              i % 10 == 0 ? null : (long) r.nextInt(50),
              (long) r.nextInt(1_000),
              null,
              "MapFields",
              "bad " + r.nextInt(20),
              "x".repeat(r.nextInt(50))));
    }
    Map<String, Map<String, byte[]>> outputs = new TreeMap<>();
    Map<String, Long> spills = new TreeMap<>();
    for (long budget : new long[] {1, 16_000, HuggingFaceIO.SORT_BUFFER_BYTES}) {
      Path out = tmp.resolve("budget-" + budget);
      Pipeline p = pipeline();
      PCollection<Row> f = p.apply("Failures", Create.of(failures).withRowSchema(Failures.SCHEMA));
      create(p, rows)
          .apply(
              sink(out)
                  .withRowsPerFile(1_000)
                  // half the keys start with a lone surrogate: whatever the shuffle's coder makes
                  // of it ('?'), the spilled sort orders it as the one in memory does
                  .withSortKey(
                      row ->
                          (row.getInt32("n") % 2 == 0 ? "\uD800" : "A")
                              + String.format("%04d", row.getInt32("n")))
                  .withSortBufferBytes(budget)
                  .withFailures(f));
      org.apache.beam.sdk.PipelineResult result = p.run();
      result.waitUntilFinish();
      spills.put(
          "budget " + budget,
          java.util.stream.StreamSupport.stream(
                  result
                      .metrics()
                      .queryMetrics(
                          org.apache.beam.sdk.metrics.MetricsFilter.builder()
                              .addNameFilter(
                                  org.apache.beam.sdk.metrics.MetricNameFilter.named(
                                      "write", "sort_spills"))
                              .build())
                      .getCounters()
                      .spliterator(),
                  false)
              .mapToLong(c -> c.getAttempted())
              .sum()); // none reported when nothing spilled
      outputs.put("budget " + budget, files(out));
    }
    // every row of the 1-byte run was spilled, some of the 16 KB run's, none of the default run's
    assertThat(spills.get("budget 1"), equalTo((long) rows.size()));
    assertThat(spills.get("budget 16000"), both(greaterThan(10L)).and(lessThan(100L)));
    assertThat(spills.get("budget " + HuggingFaceIO.SORT_BUFFER_BYTES), equalTo(0L));
    Map<String, byte[]> large = outputs.get("budget " + HuggingFaceIO.SORT_BUFFER_BYTES);
    assertThat(
        large.keySet(),
        hasItems(
            "README.md",
            "_errors/errors.jsonl",
            "train/batch_001.parquet",
            "train/batch_003.jsonl",
            "test/batch_001.jsonl"));
    for (String budget : List.of("budget 1", "budget 16000")) {
      // every file's bytes, as digests: a failure names the files that differ
      assertThat(budget, digests(outputs.get(budget)), equalTo(digests(large)));
    }
  }

  @Test
  public void theSortBufferMustBePositive() {
    org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> HuggingFaceIO.write().withSortBufferBytes(0));
  }

  @Test
  public void failuresGoToErrorsInFileOrderAndARunOverItsBudgetIsNotMadeTheDataset()
      throws Exception {
    List<Row> failures =
        List.of(
            Failures.of("b.jsonl", 3L, 40L, null, "MapFields", "bad b", "x"),
            Failures.of("a.jsonl", 9L, 100L, null, "MapFields", "bad a2", "y"),
            Failures.of("a.jsonl", 2L, 20L, null, "MapFields", "bad a1", "z"));
    Pipeline p = pipeline();
    PCollection<Row> f = p.apply("Failures", Create.of(failures).withRowSchema(Failures.SCHEMA));
    create(p, rows(10)).apply(sink(tmp.resolve("ok")).withFailures(f));
    p.run().waitUntilFinish();
    List<String> errors = Files.readAllLines(tmp.resolve("ok/_errors/errors.jsonl"));
    assertThat(
        errors.stream().map(l -> l.replaceAll(".*\"reason\": \"([^\"]*)\".*", "$1")).toList(),
        contains("bad a1", "bad a2", "bad b"));

    Pipeline strict = pipeline(0.1);
    PCollection<Row> f2 =
        strict.apply("Failures", Create.of(failures).withRowSchema(Failures.SCHEMA));
    create(strict, rows(10)).apply(sink(tmp.resolve("rejected")).withFailures(f2));
    strict.run().waitUntilFinish();
    assertThat(Files.exists(tmp.resolve("rejected/README.md")), equalTo(false));
    assertThat(
        StagedDataset.rejected(tmp.resolve("rejected")).orElse(""),
        containsString("3 of 13 records failed"));
  }

  @Test
  public void publishCommitsTheFilesTheSinkWrote() throws Exception {
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(ConvertPublishTest.TOKEN, "alice"))) {
      Map<String, String> env =
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_TOKEN",
              ConvertPublishTest.TOKEN,
              "HF_HOME",
              tmp.resolve("hf").toString());
      HubClient.Settings client = HubClient.Settings.builder().environment(env).build();
      Pipeline p = pipeline();
      create(p, rows(50))
          .apply(sink(tmp.resolve("out")))
          .apply(HuggingFaceIO.publish().to("alice/numbers").withClient(client));
      p.run().waitUntilFinish();
      List<String> published =
          client.newClient().listFiles(RepoId.dataset("alice/numbers"), "main", "", true).stream()
              .filter(f -> !f.directory() && !f.path().equals(".gitattributes"))
              .map(RepoFile::path)
              .sorted()
              .toList();
      List<String> local = new ArrayList<>(files(tmp.resolve("out")).keySet());
      local.sort(null);
      assertThat(published, equalTo(local));
    }
  }

  /** The dataset's files (not the hidden folders) and their bytes. */
  static Map<String, String> digests(Map<String, byte[]> files) throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, byte[]> f : files.entrySet()) {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(f.getValue());
      out.put(f.getKey(), java.util.HexFormat.of().formatHex(d, 0, 8));
    }
    return out;
  }

  static Map<String, byte[]> files(Path root) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(f).toString().replace('\\', '/');
        if (!rel.startsWith(".")) out.put(rel, Files.readAllBytes(f));
      }
    }
    return out;
  }
}
