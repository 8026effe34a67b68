package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A split whose data is a zip of JSON Lines reads like any other, locally and from the Hub. */
class HfDatasetArchivesTest {
  static final String TOKEN = "hf_" + "archivestoken0123456789";

  @TempDir Path tmp;
  LocalHubServer hub;
  HubClient.Settings settings;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(TOKEN, "alice"));
    settings =
        HubClient.Settings.builder()
            .environment(
                Map.of(
                    "HF_ENDPOINT",
                    hub.url(),
                    "HF_TOKEN",
                    TOKEN,
                    "HF_HOME",
                    tmp.resolve("hf").toString()))
            .build();
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  static byte[] zip() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream z = new ZipOutputStream(bytes)) {
      z.putNextEntry(new ZipEntry("part-b.jsonl"));
      z.write("{\"id\": 3, \"text\": \"c\"}\n".getBytes(StandardCharsets.UTF_8));
      z.putNextEntry(new ZipEntry("part-a.jsonl"));
      z.write(
          "{\"id\": 1, \"text\": \"a\"}\n{\"id\": 2, \"text\": \"b\"}\n"
              .getBytes(StandardCharsets.UTF_8));
    }
    return bytes.toByteArray();
  }

  static List<String> rows(ReadSpec spec) throws Exception {
    HfDataset ds = HfDataset.open(spec);
    ReadPlan plan = ds.plan(spec);
    List<String> out = new ArrayList<>();
    for (ReadUnit u : plan.units()) {
      plan.read(
          u,
          new RowSink() {
            @Override
            public void row(Row row) {
              out.add(row.getInt64("id") + ":" + row.getString("text"));
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              throw new AssertionError(where + ": " + reason);
            }
          });
    }
    return out;
  }

  @Test
  void aZipOfJsonLinesReadsInDatasetsMemberOrderLocallyAndFromTheHub() throws Exception {
    Path dir = tmp.resolve("ds");
    Files.createDirectories(dir);
    Files.write(dir.resolve("train.zip"), zip());
    ReadSpec local = ReadSpec.of(dir.toString()).withHub(settings);
    HfDataset ds = HfDataset.open(local);
    assertThat(ds.layout().config(null).builder(), is("json"));
    // members sorted by name, as datasets' iter_files walks them
    assertThat(rows(local), is(List.of("1:a", "2:b", "3:c")));
    assertThat(ds.plan(local).units().get(0).path(), startsWith("part-a.jsonl" + WithArchives.SEP));

    HubClient c = settings.newClient();
    RepoId repo = RepoId.dataset("alice/zipped");
    c.createRepo(repo, false, false);
    c.createCommit(repo, "main", List.of(CommitOperation.add("train.zip", zip())), "data", null);
    assertThat(
        rows(ReadSpec.of("hf://datasets/alice/zipped").withHub(settings)),
        is(List.of("1:a", "2:b", "3:c")));
    // extracted where datasets extracts, under HF_HOME/datasets/downloads/extracted
    assertThat(Files.isDirectory(tmp.resolve("hf/datasets/downloads/extracted")), is(true));
  }
}
