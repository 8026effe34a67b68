package io.hfbeam.format.parquet;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.format.parquet.RangedFixtures.BytesSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.beam.sdk.values.Row;
import org.apache.parquet.format.FileMetaData;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RangedParquetFileTest {
  @TempDir Path dir;

  @Test
  void readsEveryRowGroupAndTypeAsTheLocalReaderDoes() throws Exception {
    Path file = RangedFixtures.writeMixed(dir.resolve("mixed.parquet"), 5000);
    List<Row> local = RangedFixtures.readLocal(file);
    BytesSource src = new BytesSource("mixed.parquet", Files.readAllBytes(file));
    try (RangedParquetFile f = RangedParquetFile.open(src)) {
      assertThat(f.rowGroups().size(), greaterThan(3));
      assertThat(f.features(), is(ParquetFixtures.FEATURES));
      assertThat(f.rowCount(), is(5000L));
      long next = 0;
      for (ParquetRowGroup g : f.rowGroups()) {
        assertThat(g.firstRow(), is(next));
        assertThat(g.start(), greaterThan(3L));
        next += g.rows();
      }
      assertThat(next, is(5000L));
      assertThat(RangedFixtures.readRanged(f, ParquetSelection.all()), is(local));
    }
  }

  @Test
  void readsOnlyTheChosenRowGroupsAndColumnsInTheAskedOrder() throws Exception {
    Path file = RangedFixtures.writeMixed(dir.resolve("mixed.parquet"), 5000);
    List<Row> local = RangedFixtures.readLocal(file);
    BytesSource src = new BytesSource("mixed.parquet", Files.readAllBytes(file));
    try (RangedParquetFile f = RangedParquetFile.open(src)) {
      ParquetSelection sel =
          ParquetSelection.all()
              .withColumns(List.of("st", "lab", "i8"))
              .withRowGroups(List.of(2, 0));
      ParquetRowGroup g2 = f.rowGroups().get(2);
      ParquetRowGroup g0 = f.rowGroups().get(0);
      List<Row> expected =
          RangedFixtures.project(
              concat(
                  local.subList((int) g2.firstRow(), (int) (g2.firstRow() + g2.rows())),
                  local.subList(0, (int) g0.rows())),
              f.features(sel).beamSchema());
      assertThat(f.features(sel).names(), is(List.of("st", "lab", "i8")));
      assertThat(RangedFixtures.readRanged(f, sel), is(expected));
    }
  }

  @Test
  void aKnownTailOpensTheFileAgainWithoutFetchingTheFooter() throws Exception {
    Path file = RangedFixtures.writeTen(dir.resolve("ten.parquet"), 20_000, 128 * 1024);
    byte[] bytes = Files.readAllBytes(file);
    BytesSource first = new BytesSource("ten.parquet", bytes);
    byte[] tail;
    try (RangedParquetFile f = RangedParquetFile.open(first)) {
      tail = f.tail();
    }
    assertThat(tail.length, is(65536));
    assertThat(
        Arrays.equals(tail, Arrays.copyOfRange(bytes, bytes.length - 65536, bytes.length)),
        is(true));
    BytesSource again = new BytesSource("ten.parquet", bytes);
    try (RangedParquetFile f =
        RangedParquetFile.open(again, RangedParquetFile.Options.defaults(), tail)) {
      assertThat("nothing fetched to open", again.requests.get(), is(0L));
      ParquetSelection one = ParquetSelection.all().withRowGroups(List.of(1));
      assertThat(
          RangedFixtures.readRanged(f, one),
          is(RangedFixtures.readRanged(RangedParquetFile.open(first), one)));
      assertThat("only the row group", again.requests.get(), is(1L));
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                RangedParquetFile.open(
                    again,
                    RangedParquetFile.Options.defaults(),
                    Arrays.copyOf(tail, tail.length - 1)));
    assertThat(e.getMessage(), containsString("ten.parquet"));
  }

  @Test
  void oneColumnOfTenTransfersAboutItsShareWithFewRequests() throws Exception {
    Path file = RangedFixtures.writeTen(dir.resolve("ten.parquet"), 40_000, 256 * 1024);
    byte[] bytes = Files.readAllBytes(file);
    BytesSource src = new BytesSource("ten.parquet", bytes);
    try (RangedParquetFile f = RangedParquetFile.open(src)) {
      int groups = f.rowGroups().size();
      assertThat(groups, greaterThan(3));
      assertThat("footer in one request", src.requests.get(), is(1L));
      List<Row> c3 =
          RangedFixtures.readRanged(f, ParquetSelection.all().withColumns(List.of("c3")));
      assertThat(c3.size(), is(40_000));
      assertThat(
          c3,
          is(
              RangedFixtures.project(
                  RangedFixtures.readLocal(file),
                  f.features(ParquetSelection.all().withColumns(List.of("c3"))).beamSchema())));
      double ratio = (double) src.bytesRead.get() / bytes.length;
      // a tenth of the data plus the 64 KiB tail read for the footer
      assertThat(ratio, allOf(greaterThan(0.09), lessThan(0.1 + 65536.0 / bytes.length + 0.01)));
      assertThat("one request per row group", src.requests.get(), is(1L + groups));
    }
  }

  @Test
  void nearbyChunksAreCoalescedUpToTheLimits() {
    List<long[]> merged =
        RangedParquetFile.coalesce(
            List.of(new long[] {300, 400}, new long[] {4, 100}, new long[] {110, 200}), 10, 1000);
    assertThat(merged.size(), is(2));
    assertThat(merged.get(0)[0], is(4L));
    assertThat(merged.get(0)[1], is(200L));
    assertThat(
        RangedParquetFile.coalesce(List.of(new long[] {4, 100}, new long[] {110, 200}), 10, 150)
            .size(),
        is(2));
  }

  @Test
  void aTruncatedFileIsOneLineNamingIt() throws Exception {
    byte[] bytes =
        Files.readAllBytes(RangedFixtures.writeTen(dir.resolve("t.parquet"), 5000, 16 * 1024));
    BytesSource cut = new BytesSource("data/cut.parquet", Arrays.copyOf(bytes, bytes.length / 2));
    IOException e = assertThrows(IOException.class, () -> RangedParquetFile.open(cut));
    assertOneLine(e, "data/cut.parquet", "not a Parquet file or cut short");
  }

  @Test
  void aFooterThatPlacesARowGroupOutsideTheDataIsOneLineNamingTheRowGroup() throws Exception {
    byte[] bytes =
        Files.readAllBytes(RangedFixtures.writeTen(dir.resolve("t.parquet"), 5000, 16 * 1024));
    byte[] lying =
        rewriteFooter(
            bytes,
            m ->
                m.getRow_groups()
                    .get(1)
                    .getColumns()
                    .get(4)
                    .getMeta_data()
                    .setData_page_offset(bytes.length));
    IOException e =
        assertThrows(
            IOException.class, () -> RangedParquetFile.open(new BytesSource("lie.parquet", lying)));
    assertOneLine(e, "lie.parquet: row group 1 (of ", "column 'c4'", "outside the data");
  }

  @Test
  void aFooterThatMiscountsRowsIsOneLineNamingTheRowGroup() throws Exception {
    byte[] bytes =
        Files.readAllBytes(RangedFixtures.writeTen(dir.resolve("t.parquet"), 5000, 16 * 1024));
    byte[] lying =
        rewriteFooter(
            bytes,
            m -> m.getRow_groups().get(2).setNum_rows(m.getRow_groups().get(2).getNum_rows() + 7));
    IOException e =
        assertThrows(
            IOException.class, () -> RangedParquetFile.open(new BytesSource("lie.parquet", lying)));
    assertOneLine(
        e, "lie.parquet: row group 2 (of ", "values: the footer does not describe this file");
  }

  @Test
  void aRowGroupWhosePagesAreDamagedFailsNamingTheRowGroup() throws Exception {
    byte[] bytes =
        Files.readAllBytes(RangedFixtures.writeTen(dir.resolve("t.parquet"), 5000, 16 * 1024));
    byte[] damaged = bytes.clone();
    BytesSource probe = new BytesSource("probe", bytes);
    long at;
    try (RangedParquetFile f = RangedParquetFile.open(probe)) {
      at = f.rowGroups().get(1).start();
    }
    Arrays.fill(
        damaged, (int) at, (int) at + 16, (byte) 0x7f); // the first page header of row group 1
    try (RangedParquetFile f = RangedParquetFile.open(new BytesSource("bad.parquet", damaged))) {
      RangedParquetFile.Rows rows = f.read(ParquetSelection.all());
      IOException e =
          assertThrows(
              IOException.class,
              () -> {
                while (rows.hasNext()) rows.next();
              });
      assertOneLine(e, "bad.parquet: row group 1 (of ");
    }
  }

  @Test
  void unknownColumnsAndRowGroupsNameWhatExists() throws Exception {
    Path file = RangedFixtures.writeTen(dir.resolve("ten.parquet"), 100, 16 * 1024);
    try (RangedParquetFile f =
        RangedParquetFile.open(new BytesSource("ten.parquet", Files.readAllBytes(file)))) {
      IllegalArgumentException col =
          assertThrows(
              IllegalArgumentException.class,
              () -> f.read(ParquetSelection.all().withColumns(List.of("nope"))));
      assertOneLine(col, "no column 'nope'; the file has c0, c1, c2");
      IllegalArgumentException group =
          assertThrows(
              IllegalArgumentException.class,
              () -> f.read(ParquetSelection.all().withRowGroups(List.of(f.rowGroups().size()))));
      assertOneLine(
          group, "no row group " + f.rowGroups().size() + "; the file has " + f.rowGroups().size());
    }
  }

  private static void assertOneLine(Exception e, String... parts) {
    for (String p : parts) assertThat(e.getMessage(), containsString(p));
    assertThat(e.getMessage(), e.getMessage().lines().count(), lessThanOrEqualTo(1L));
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    List<T> out = new java.util.ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** The file with its footer decoded, changed and written back (its length may change). */
  static byte[] rewriteFooter(byte[] file, Consumer<FileMetaData> change) throws IOException {
    int footerLength =
        ByteBuffer.wrap(file, file.length - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    int footerStart = file.length - 8 - footerLength;
    FileMetaData meta =
        Util.readFileMetaData(new ByteArrayInputStream(file, footerStart, footerLength));
    change.accept(meta);
    ByteArrayOutputStream footer = new ByteArrayOutputStream();
    Util.writeFileMetaData(meta, footer);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(file, 0, footerStart);
    footer.writeTo(out);
    out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(footer.size()).array());
    out.write("PAR1".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
