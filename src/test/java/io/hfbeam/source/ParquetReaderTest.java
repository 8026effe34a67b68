package io.hfbeam.source;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.instanceOf;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;

import io.hfbeam.format.RangedSource;
import io.hfbeam.format.parquet.RangedFixtures;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RangedFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet builder over Hub files: what each row-group unit fetches. */
class ParquetReaderTest {
  static final String TOKEN = "hf_" + "parquetreadertest0123456789";

  @TempDir Path dir;

  /** The dataset's files, keeping every source a read opens so its transfers can be checked. */
  static final class Recording implements DatasetFiles {
    final DatasetFiles files;
    final List<RangedSource> opened = new ArrayList<>();

    Recording(DatasetFiles files) {
      this.files = files;
    }

    @Override
    public String describe() {
      return files.describe();
    }

    @Override
    public List<DataFile> list() throws IOException {
      return files.list();
    }

    @Override
    public Optional<String> readText(String path) throws IOException {
      return files.readText(path);
    }

    @Override
    public RangedSource open(String path) throws IOException {
      RangedSource s = files.open(path);
      opened.add(s);
      return s;
    }
  }

  @Test
  void rowGroupUnitsOfAHubFileFetchItsFooterOnce() throws Exception {
    Path file = RangedFixtures.writeTen(dir.resolve("ten.parquet"), 20_000, 128 * 1024);
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            Files.createDirectories(dir.resolve("hub")),
            LocalHubServer.Options.defaults().withToken(TOKEN, "alice"))) {
      HubClient.Settings settings =
          HubClient.Settings.builder()
              .environment(
                  Map.of(
                      "HF_ENDPOINT",
                      hub.url(),
                      "HF_TOKEN",
                      TOKEN,
                      "HF_HOME",
                      dir.resolve("hf").toString()))
              .build();
      RepoId repo = RepoId.dataset("alice/ten");
      HubClient c = settings.newClient();
      c.createRepo(repo, false, false);
      c.createCommit(
          repo,
          "main",
          List.of(CommitOperation.add("data/train.parquet", Files.readAllBytes(file))),
          "data",
          null);
      Recording files = new Recording(HubDatasetFiles.open(settings, repo, "main", true));
      DataFile data = new DataFile("data/train.parquet", Files.size(file));
      Features features = ParquetReader.INSTANCE.features(files, List.of(data), Map.of());
      List<ReadUnit> units = ParquetReader.INSTANCE.plan(files, data, 0, 0, java.util.Map.of());
      assertThat(units.size(), greaterThan(3));
      assertThat(
          "features and plan: the footer once", transferred(files.opened), lessThan(70_000L));

      long rows = 0;
      for (ReadUnit unit : units) {
        files.opened.clear();
        List<Row> got = new ArrayList<>();
        ParquetReader.INSTANCE.read(files, unit, features, Map.of(), List.of("c3"), sink(got));
        rows += got.size();
        assertThat(files.opened.size(), is(1));
        assertThat(files.opened.get(0), instanceOf(RangedFile.class));
        // c3's chunk in a row group of about 128 KiB, without the 64 KiB tail again
        assertThat(unit.where(), transferred(files.opened), lessThan(30_000L));
      }
      assertThat(rows, is(20_000L));
    }
  }

  private static long transferred(List<RangedSource> sources) {
    long n = 0;
    for (RangedSource s : sources) n += ((RangedFile) s).bytesTransferred();
    return n;
  }

  private static RowSink sink(List<Row> rows) {
    return new RowSink() {
      @Override
      public void row(Row row) {
        rows.add(row);
      }

      @Override
      public void failure(String where, String reason, String excerpt) {
        throw new AssertionError(where + ": " + reason);
      }
    };
  }
}
