package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.hfbeam.cli.Cli;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hub.CommitEntry;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubPublish;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.RetryPolicy;
import io.hfbeam.hub.server.Fault;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.testing.Files2;
import io.hfbeam.testing.PythonEnv;
import io.hfbeam.workflow.HubTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.Create;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * convert --repo publishes exactly the written files to a local Hub, idempotently, and datasets
 * loads them.
 */
public class ConvertPublishTest {
  public static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final RepoId REPO = RepoId.dataset("alice/converted");

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  HubClient client;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT",
            hub.url(),
            "HF_TOKEN",
            TOKEN,
            "HF_HOME",
            tmp.resolve("hf").toString(),
            "HF_HUB_DISABLE_XET",
            "1",
            "HF_HUB_DISABLE_TELEMETRY",
            "1");
    client = HubClient.Settings.builder().environment(env).build().newClient();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  /** convert of {@code records} JSONL records in batches of 100, 3 files per commit. */
  String[] convert(Path input, String output, String... more) throws Exception {
    Path features = tmp.resolve("features.yaml");
    Files.writeString(
        features,
        "id: int64\ngroup: string\nlabel: class_label(neg,pos)\nscore: int8\ntags: list<string>\ntext: string\n");
    Path config = tmp.resolve("publish.yaml");
    Files.writeString(config, "hub:\n  max_files_per_commit: 3\n");
    List<String> args =
        new ArrayList<>(
            List.of(
                "convert",
                "--config",
                config.toString(),
                "--input",
                input.toString(),
                "--features",
                features.toString(),
                "--split-by",
                "group",
                "--batch-size",
                "100",
                "--output",
                tmp.resolve(output).toString(),
                "--repo",
                REPO.id()));
    args.addAll(List.of(more));
    return args.toArray(String[]::new);
  }

  /** The files a run published: everything it wrote except _errors/. */
  static Map<String, String> publishable(Path dir) {
    Map<String, String> out = new TreeMap<>(Files2.hashes(dir));
    out.keySet()
        .removeIf(
            p ->
                p.startsWith("_errors/")
                    || p.startsWith(".hfbeam/")); // .hfbeam/: hf-beam's own records
    return out;
  }

  Map<String, String> onHub() throws Exception {
    Map<String, String> out = new TreeMap<>();
    for (RepoFile f : client.listFiles(REPO, "main", "", true)) {
      if (!f.directory() && !f.path().equals(".gitattributes")) {
        out.put(f.path(), Files2.sha256(client.download(REPO, "main", f.path())));
      }
    }
    return out;
  }

  /** The run summary's row of a step. */
  static String summaryRow(String out, String step) {
    return out.lines()
        .filter(l -> l.startsWith(step + " "))
        .findFirst()
        .orElse("(no " + step + " row in)\n" + out);
  }

  @Test
  void publishesExactlyTheWrittenFilesInCommitsOfThreeAndARerunCommitsNothing() throws Exception {
    Path in = ConvertWorkflowTest.jsonl(tmp, 1000);
    Cli run = Cli.runWith(env, convert(in, "ds"));
    assertThat(run.toString(), run.exitCode, equalTo(0));

    Map<String, String> local = publishable(tmp.resolve("ds"));
    assertThat(Files.exists(tmp.resolve("ds/_errors/errors.jsonl")), is(true));
    assertThat(onHub(), equalTo(local));
    List<CommitEntry> commits = client.listCommits(REPO, "main");
    int expected = (local.size() + 2) / 3;
    assertThat(commits.size() - 1, equalTo(expected)); // minus the repo's initial commit
    for (CommitEntry c : commits.subList(0, expected)) {
      assertThat(
          c.title(),
          matchesPattern(
              "Add (train|test)/batch_\\d{3}\\.parquet( and [12] more)?|Update README.md"));
    }
    // the card comes with the last commit, after every data file
    assertThat(
        client.pathsInfo(REPO, commits.get(1).id(), List.of("README.md")).isEmpty(), is(true));
    assertThat(summaryRow(run.out, "publish"), containsString("commits " + expected));
    assertThat(
        "a line per commit that lands",
        run.out.lines().filter(l -> l.startsWith("commit landed: ")).count(),
        equalTo((long) expected));

    Cli again = Cli.runWith(env, convert(in, "ds"));
    assertThat(again.toString(), again.exitCode, equalTo(0));
    assertThat(client.listCommits(REPO, "main").size(), equalTo(commits.size()));
    String publish = summaryRow(again.out, "publish");
    assertThat(publish, containsString("commits 0"));
    assertThat(publish, containsString("bytes_uploaded 0"));
    assertThat(publish, containsString("files_skipped " + local.size()));
    assertThat(again.out, not(containsString("commit landed: ")));
  }

  @Test
  void aRunOverTheErrorBudgetPublishesNothing() throws Exception {
    Cli run =
        Cli.runWith(
            env, convert(ConvertWorkflowTest.jsonl(tmp, 300), "ds", "--max-error-rate", "0"));
    assertThat(run.toString(), run.exitCode, equalTo(1));
    assertThat(run.err, containsString("--max-error-rate"));
    assertThat(onHub(), equalTo(Map.of()));
    assertThat(
        client.listCommits(REPO, "main").size(), equalTo(1)); // the repo's initial commit only
  }

  @Test
  void twentyPercentOfRequestsFailingStillGivesTheExactFilesAndOneCommitPerBatch()
      throws Exception {
    Cli run =
        Cli.run(
            "convert",
            "--input",
            ConvertWorkflowTest.jsonl(tmp, 1000).toString(),
            "--batch-size",
            "100",
            "--output",
            tmp.resolve("ds").toString());
    assertThat(run.toString(), run.exitCode, equalTo(0));
    List<WrittenFile> files = new ArrayList<>();
    for (String path : publishable(tmp.resolve("ds")).keySet()) {
      Path f = tmp.resolve("ds").resolve(path);
      files.add(new WrittenFile(null, path, f.toString(), 0, Files.size(f), 0));
    }
    int published = publishable(tmp.resolve("ds")).size();

    hub.faults().random(0.2, ".", 7, Fault.STATUS_429, Fault.STATUS_503, Fault.RESET);
    Pipeline p = Pipeline.create();
    p.apply("Files", Create.of(files).withCoder(SerializableCoder.of(WrittenFile.class)))
        .apply(
            "Publish",
            HubPublish.to(REPO.id())
                .maxFilesPerCommit(3)
                .client(
                    HubClient.Settings.builder()
                        .environment(env)
                        .retry(
                            RetryPolicy.of(15, Duration.ofMillis(5), Duration.ofMillis(50))
                                .withMaxRetryAfter(Duration.ofMillis(20)))
                        .build())
                .build());
    p.run().waitUntilFinish();
    int injected = hub.faults().injected();
    hub.faults().clear();

    assertThat("faults must really have been injected", injected, greaterThan(5));
    assertThat(onHub(), equalTo(publishable(tmp.resolve("ds"))));
    assertThat(client.listCommits(REPO, "main").size() - 1, equalTo((published + 2) / 3));
  }

  @Test
  void aBadTokenFailsInSecondsWithOneLineBeforeAnyProcessing() throws Exception {
    Map<String, String> bad = new java.util.HashMap<>(env);
    bad.put("HF_TOKEN", "bad-secret-value");
    long t0 = System.nanoTime();
    Cli run = Cli.runWith(bad, convert(ConvertWorkflowTest.jsonl(tmp, 100), "ds"));
    double seconds = (System.nanoTime() - t0) / 1e9;

    assertThat(run.toString(), run.exitCode, equalTo(1));
    assertThat(run.err, startsWith("error: 401 Unauthorized from " + hub.url()));
    assertThat(run.err, containsString("set HF_TOKEN"));
    assertThat(run.err.lines().count(), is(1L));
    assertThat(run.err + run.out, not(containsString("bad-secret-value")));
    assertThat(seconds, lessThan(10.0));
    assertThat(Files.exists(tmp.resolve("ds")), is(false));
  }

  @Test
  void anAppendingRunPublishesCumulativeSizesThatDatasetsLoads() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    List<String> lines = Files.readAllLines(ConvertWorkflowTest.jsonl(tmp, 1000));
    Path first = Files.write(tmp.resolve("first.jsonl"), lines.subList(0, 600));
    Path second = Files.write(tmp.resolve("second.jsonl"), lines.subList(600, lines.size()));
    assertThat(HubTarget.nextBatchNumber(client, REPO, "main"), equalTo(1));
    Cli one = Cli.runWith(env, convert(first, "one"));
    assertThat(one.toString(), one.exitCode, equalTo(0));
    int next = HubTarget.nextBatchNumber(client, REPO, "main");
    assertThat(next, greaterThan(6));
    Cli two = Cli.runWith(env, convert(second, "two", "--first-batch", Integer.toString(next)));
    assertThat(two.toString(), two.exitCode, equalTo(0));

    Map<String, Long> expected = new TreeMap<>();
    for (String run : List.of("one", "two")) {
      var card = DatasetCard.frontMatter(Files.readString(tmp.resolve(run).resolve("README.md")));
      card.path("dataset_info")
          .path("splits")
          .forEach(
              s ->
                  expected.merge(
                      s.path("name").asText(), s.path("num_examples").asLong(), Long::sum));
    }
    var published =
        DatasetCard.frontMatter(Files.readString(client.download(REPO, "main", "README.md")));
    Map<String, Long> onCard = new TreeMap<>();
    published
        .path("dataset_info")
        .path("splits")
        .forEach(s -> onCard.put(s.path("name").asText(), s.path("num_examples").asLong()));
    assertThat(onCard, equalTo(expected));

    PythonEnv.Result loaded =
        PythonEnv.runScript(
            """
        from datasets import load_dataset
        ds = load_dataset("%s")
        print("SIZES", ds["train"].num_rows, ds["test"].num_rows)
        assert str(ds["train"].features["score"].dtype) == "int8", ds["train"].features
        print("LOADED")
        """
                .formatted(REPO.id()),
            env,
            tmp,
            180);
    assertThat(loaded.output(), loaded.output(), containsString("LOADED"));
    assertThat(
        loaded.output(),
        containsString("SIZES " + expected.get("train") + " " + expected.get("test")));
  }
}
