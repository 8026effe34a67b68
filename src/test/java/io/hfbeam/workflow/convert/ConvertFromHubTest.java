package io.hfbeam.workflow.convert;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import io.hfbeam.cli.Cli;
import io.hfbeam.format.parquet.RangedFixtures;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.source.HfDataset;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadSpec;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** convert --input hf://datasets/...: a Hub dataset re-split and re-batched into a new one. */
class ConvertFromHubTest {
  static final String TOKEN = "hf_" + "convertfromhubtoken0123456789";

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  HubClient.Settings settings;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    env =
        Map.of(
            "HF_ENDPOINT", hub.url(), "HF_TOKEN", TOKEN, "HF_HOME", tmp.resolve("hf").toString());
    settings = HubClient.Settings.builder().environment(env).build();
    Path dir = tmp.resolve("src");
    Files.createDirectories(dir.resolve("data"));
    RangedFixtures.writeTen(dir.resolve("data/train-00000-of-00002.parquet"), 1500, 16 << 10);
    RangedFixtures.writeTen(dir.resolve("data/train-00001-of-00002.parquet"), 1500, 16 << 10);
    RangedFixtures.writeTen(dir.resolve("data/test-00000-of-00001.parquet"), 700, 16 << 10);
    HubClient c = settings.newClient();
    RepoId repo = RepoId.dataset("alice/ten");
    c.createRepo(repo, true, false);
    List<CommitOperation> ops = new ArrayList<>();
    for (String f :
        List.of(
            "train-00000-of-00002.parquet",
            "train-00001-of-00002.parquet",
            "test-00000-of-00001.parquet")) {
      ops.add(CommitOperation.add("data/" + f, Files.readAllBytes(dir.resolve("data/" + f))));
    }
    c.createCommit(repo, "main", ops, "data", null);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  static List<Row> readAll(ReadSpec spec) throws Exception {
    HfDataset ds = HfDataset.open(spec);
    ReadPlan plan = ds.plan(spec);
    List<Row> rows = new ArrayList<>();
    for (ReadUnit u : plan.units()) {
      plan.read(
          u,
          new RowSink() {
            @Override
            public void row(Row row) {
              rows.add(row);
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              throw new AssertionError(where + ": " + reason);
            }
          });
    }
    return rows;
  }

  @Test
  void aHubSplitBecomesANewResplitRebatchedDatasetOnTheHub() throws Exception {
    Path out = tmp.resolve("out");
    Cli r =
        Cli.runWith(
            env,
            "convert",
            "--input",
            "hf://datasets/alice/ten",
            "--input-split",
            "train",
            "--output",
            out.toString(),
            "--train-ratio",
            "0.9",
            "--batch-size",
            "1000",
            "--repo",
            "alice/ten-resplit");
    assertThat(r.toString(), r.exitCode, is(0));
    assertThat(r.out, containsString("split train"));
    List<Row> source =
        readAll(ReadSpec.of("hf://datasets/alice/ten").withSplit("train").withHub(settings));
    List<Row> train =
        readAll(
            ReadSpec.of("hf://datasets/alice/ten-resplit").withSplit("train").withHub(settings));
    List<Row> test =
        readAll(ReadSpec.of("hf://datasets/alice/ten-resplit").withSplit("test").withHub(settings));
    assertThat(train.size() + test.size(), is(3000));
    assertThat(train.size(), greaterThan(2600));
    assertThat(test.size(), lessThan(400));
    List<String> before = new ArrayList<>();
    source.forEach(x -> before.add(x.getValues().toString()));
    List<String> after = new ArrayList<>();
    train.forEach(x -> after.add(x.getValues().toString()));
    test.forEach(x -> after.add(x.getValues().toString()));
    before.sort(null);
    after.sort(null);
    assertThat(after, is(before));
  }

  @Test
  void wrongDatasetFlagsAreOneLine() throws Exception {
    Path out = tmp.resolve("out2");
    Cli r =
        Cli.runWith(
            env,
            "convert",
            "--input",
            "hf://datasets/alice/ten",
            "--input-split",
            "dev",
            "--output",
            out.toString());
    assertThat(r.exitCode, is(2));
    assertThat(r.err, containsString("its splits: [train, test]"));
    Path jsonl = tmp.resolve("a.jsonl");
    Files.writeString(jsonl, "{\"a\": 1}\n");
    r =
        Cli.runWith(
            env,
            "convert",
            "--input",
            jsonl.toString(),
            "--input-split",
            "train",
            "--output",
            out.toString());
    assertThat(r.exitCode, is(2));
    assertThat(r.err, containsString("for an hf://datasets/owner/name input"));
  }
}
