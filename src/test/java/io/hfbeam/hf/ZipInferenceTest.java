package io.hfbeam.hf;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The builder of zip data files, from their members (load.py's archive inference). */
class ZipInferenceTest {
  static DatasetLayout resolve(List<String> files, Map<String, List<String>> members)
      throws IOException {
    List<String> asked = new ArrayList<>();
    return DataFilesResolver.resolve(
        files,
        null,
        null,
        zip -> {
          asked.add(zip);
          if (!members.containsKey(zip)) throw new IOException(zip + ": no such zip");
          return members.get(zip);
        });
  }

  @Test
  void theMostCommonMemberExtensionPicksTheBuilderAndTheZipsAreArchives() throws Exception {
    ConfigLayout c =
        resolve(
                List.of("data/train.zip", "data/test.zip", "README.md"),
                Map.of(
                    "data/train.zip", List.of("a.csv", "b.csv", "x/c.jsonl"),
                    "data/test.zip", List.of("t.csv")))
            .config(null);
    assertThat(c.builder(), is("csv"));
    assertThat(c.splitNames(), is(List.of("train", "test")));
    assertThat(c.archives("train"), is(List.of("data/train.zip")));
    assertThat(c.archives("test"), is(List.of("data/test.zip")));
  }

  @Test
  void aTieGoesToTheExtensionSeenFirstAndOnlyTenZipsAreRead() throws Exception {
    assertThat(
        resolve(List.of("train.zip"), Map.of("train.zip", List.of("a.jsonl", "b.csv")))
            .config(null)
            .builder(),
        is("json"));
    List<String> files = new ArrayList<>();
    Map<String, List<String>> members = new java.util.HashMap<>();
    for (int i = 0; i < 12; i++) {
      String zip = String.format("train-%02d.zip", i);
      files.add(zip);
      // the last two would outvote the first ten if they were read
      members.put(
          zip,
          i < 10
              ? List.of("a.parquet")
              : List.of("a.csv", "b.csv", "c.csv", "d.csv", "e.csv", "f.csv"));
    }
    assertThat(resolve(files, members).config(null).builder(), is("parquet"));
  }

  @Test
  void membersNoBuilderReadsFailNamingTheZips() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> resolve(List.of("train.zip"), Map.of("train.zip", List.of("a.bin", "b.bin"))));
    assertThat(e.getMessage(), containsString("train.zip"));
    IOException io = assertThrows(IOException.class, () -> resolve(List.of("train.zip"), Map.of()));
    assertThat(io.getMessage(), is("train.zip: no such zip"));
    // without a way to read members, the zips are named
    assertThat(
        assertThrows(
                IllegalArgumentException.class,
                () -> DataFilesResolver.resolve(List.of("train.zip"), null))
            .getMessage(),
        containsString("[train.zip]"));
  }

  @Test
  void archiveNames() {
    for (String a :
        List.of("x.zip", "x.tar", "x.TAR.GZ", "x.tgz", "x.tar.bz2", "x.tar.xz", "x.tar.zst"))
      assertThat(a, ConfigLayout.isArchive(a), is(true));
    for (String a : List.of("x.jsonl.gz", "x.csv.bz2", "x.parquet", "x.zst", "zip"))
      assertThat(a, ConfigLayout.isArchive(a), is(false));
  }
}
