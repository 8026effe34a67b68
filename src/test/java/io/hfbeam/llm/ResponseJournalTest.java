package io.hfbeam.llm;

import static io.hfbeam.llm.JournalChild.entry;
import static io.hfbeam.llm.JournalChild.request;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResponseJournalTest {
  @TempDir Path tmp;

  private static RequestKey key(int i) {
    return RequestKey.of(request(i), "task");
  }

  private Path journalDir() {
    return tmp.resolve("out/.hfbeam/llm-journal");
  }

  private static List<Path> segments(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void roundTripAndReopenAfterClose() throws Exception {
    Path dir = journalDir();
    ChatResult result = new ChatResult("{\"q\":\"é\\n\"}\nline2", "stop", 12, 34, "gpt-x");
    ResponseJournal.Entry written =
        ResponseJournal.Entry.of(result, "qa", 3, Instant.parse("2026-12-05T02:00:00.123Z"));
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.size(), is(0));
      assertThat(j.lookup(key(1)), is(Optional.empty()));
      j.append(key(1), written);
      j.append(key(2), entry(2));
      assertThat(j.size(), is(2));
      assertThat(j.lookup(key(1)), is(Optional.of(written)));
      assertThat(j.lookup(key(1)).get().result(), is(result));
      assertThat(j.lookup(key(3)), is(Optional.empty()));
    }
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.recovery().records(), is(2L));
      assertThat(j.recovery().dropped().isEmpty(), is(true));
      assertThat(j.size(), is(2));
      assertThat(j.lookup(key(1)), is(Optional.of(written)));
      assertThat(j.lookup(key(2)), is(Optional.of(entry(2))));
      // a re-run adds a segment; it never appends into the old one
      j.append(key(3), entry(3));
      // a later answer for the same key wins
      j.append(key(2), entry(5));
      assertThat(j.lookup(key(2)), is(Optional.of(entry(5))));
    }
    assertThat(segments(dir).size(), is(2));
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.size(), is(3));
      assertThat(j.recovery().segments(), is(2));
      assertThat(j.recovery().summary(), is("journal: 4 answers in 2 segments"));
      assertThat(j.lookup(key(3)), is(Optional.of(entry(3))));
      assertThat(j.lookup(key(2)), is(Optional.of(entry(5))));
    }
    // opening and closing without appending adds no file
    assertThat(segments(dir).size(), is(2));
    String line = Files.readAllLines(segments(dir).get(0)).get(0);
    assertThat(line, containsString("\"key\":\"" + key(1).hex() + "\""));
    assertThat(line.matches(".*,\"crc\":\"[0-9a-f]{8}\"}$"), is(true));
  }

  @Test
  void aTornLastRecordIsDroppedAndReported() throws Exception {
    Path dir = journalDir();
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      for (int i = 0; i < 10; i++) j.append(key(i), entry(i));
    }
    Path seg = segments(dir).get(0);
    long size = Files.size(seg);
    long lastStart =
        size - Files.readAllLines(seg).get(9).getBytes(StandardCharsets.UTF_8).length - 1;
    // a crash mid-write: the last line cut short
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.setLength(size - 7);
    }
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.size(), is(9));
      assertThat(j.lookup(key(9)), is(Optional.empty()));
      assertThat(j.lookup(key(8)), is(Optional.of(entry(8))));
      ResponseJournal.Recovery r = j.recovery();
      assertThat(r.records(), is(9L));
      assertThat(
          r.dropped(),
          is(
              List.of(
                  new ResponseJournal.Dropped(
                      seg.getFileName().toString(), lastStart, size - 7 - lastStart))));
      assertThat(r.summary(), containsString("at byte " + lastStart));
    }
    // a whole last line with a flipped byte (zeros from a lost page) is dropped too
    Path dir2 = tmp.resolve("j2");
    try (ResponseJournal j = ResponseJournal.open(dir2)) {
      for (int i = 0; i < 3; i++) j.append(key(i), entry(i));
    }
    Path seg2 = segments(dir2).get(0);
    try (RandomAccessFile f = new RandomAccessFile(seg2.toFile(), "rw")) {
      f.seek(Files.size(seg2) - 30);
      f.write(0);
    }
    try (ResponseJournal j = ResponseJournal.open(dir2)) {
      assertThat(j.size(), is(2));
      assertThat(j.recovery().dropped().size(), is(1));
    }
  }

  @Test
  void aCorruptMiddleRecordIsRefusedInOneLine() throws Exception {
    Path dir = journalDir();
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      for (int i = 0; i < 5; i++) j.append(key(i), entry(i));
    }
    Path seg = segments(dir).get(0);
    List<String> lines = Files.readAllLines(seg);
    long third = 0;
    for (int i = 0; i < 2; i++) third += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
    try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
      f.seek(third + 100); // inside the content of record 3: still JSON, the crc catches it
      int b = f.read();
      f.seek(third + 100);
      f.write(b == 'x' ? 'y' : 'x');
    }
    ResponseJournal.CorruptJournalException e =
        assertThrows(
            ResponseJournal.CorruptJournalException.class, () -> ResponseJournal.open(dir));
    assertThat(e.getMessage(), containsString("line 3"));
    assertThat(e.getMessage(), containsString("byte " + third));
    assertThat(e.getMessage(), containsString("crc mismatch"));
    assertThat(e.getMessage(), containsString(seg.getFileName().toString()));
    assertThat(e.getMessage(), not(containsString("\n")));
  }

  @Test
  void aRecordWithAGoodCrcButNoJournalFieldsIsRefusedToo() throws Exception {
    Path dir = journalDir();
    Files.createDirectories(dir);
    Path seg = dir.resolve("seg-000000000000001-1-1.jsonl");
    Files.writeString(seg, "hello\n{\"key\":\"x\"}\n");
    ResponseJournal.CorruptJournalException e =
        assertThrows(
            ResponseJournal.CorruptJournalException.class, () -> ResponseJournal.open(dir));
    assertThat(e.getMessage(), containsString("line 1"));
    assertThat(e.getMessage(), containsString("no crc"));
  }

  @Test
  void twoWriterThreads() throws Exception {
    Path dir = journalDir();
    int perThread = 2000;
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          int from = t * perThread;
          fs.add(
              pool.submit(
                  () -> {
                    for (int i = from; i < from + perThread; i++) {
                      j.append(key(i), entry(i));
                      // read back while the other thread writes
                      if (!j.lookup(key(i)).orElseThrow().equals(entry(i))) {
                        throw new AssertionError("read back " + i);
                      }
                      if (i % 100 == 0) j.sync();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : fs) f.get(60, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      assertThat(j.size(), is(2 * perThread));
    }
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.recovery().records(), is(2L * perThread));
      assertThat(j.recovery().dropped().isEmpty(), is(true));
      for (int i = 0; i < 2 * perThread; i++)
        assertThat(j.lookup(key(i)), is(Optional.of(entry(i))));
    }
  }

  private static ProcessBuilder child(Path dir, int from, int n, int k) {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(
            java,
            "-cp",
            System.getProperty("java.class.path"),
            JournalChild.class.getName(),
            dir.toString(),
            Integer.toString(from),
            Integer.toString(n),
            Integer.toString(k))
        .redirectErrorStream(true);
  }

  @Test
  void twoProcessesWriteTwoSegments() throws Exception {
    Path dir = journalDir();
    Process a = child(dir, 0, 500, 50).start();
    Process b = child(dir, 500, 500, 50).start();
    for (Process p : List.of(a, b)) {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(out, p.waitFor(), is(0));
      assertThat(out, out.trim().endsWith("done 500"), is(true));
    }
    assertThat(segments(dir).size(), is(2));
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      assertThat(j.size(), is(1000));
      for (int i = 0; i < 1000; i++) assertThat(j.lookup(key(i)), is(Optional.of(entry(i))));
    }
  }

  @Test
  void killMinus9KeepsEverySyncedRecordAndAcceptsNoCorruptOne() throws Exception {
    Path dir = journalDir();
    int n = 5_000_000;
    int k = 37;
    // an earlier run's segment is there too
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      j.append(RequestKey.of(request(-1), "task"), entry(1));
    }
    Process p = child(dir, 0, n, k).start();
    int synced = 0;
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        if (line.startsWith("synced ")) {
          synced = Integer.parseInt(line.substring(7));
          if (synced >= 20_000) break;
        } else {
          throw new AssertionError("child said: " + line);
        }
      }
      p.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no close()
      assertThat(p.waitFor(30, TimeUnit.SECONDS), is(true));
    }
    assertThat(synced, greaterThanOrEqualTo(20_000));
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      ResponseJournal.Recovery r = j.recovery();
      assertThat(r.segments(), is(2));
      long found = r.records() - 1;
      assertThat("every synced record survives", found, greaterThanOrEqualTo((long) synced));
      assertThat("killed mid-run", found, lessThan((long) n));
      // single writer: what survived is exactly the first `found`, every one intact
      for (int i = 0; i < found; i++) assertThat(j.lookup(key(i)), is(Optional.of(entry(i))));
      assertThat(j.lookup(key((int) found)), is(Optional.empty()));
      assertThat(j.size(), is((int) found + 1));
      assertThat(r.dropped().size(), lessThanOrEqualTo(1));
      System.out.println(
          "kill -9: " + synced + " synced, " + found + " found after reopen; " + r.summary());
    }
  }

  @Test
  void indexOf100kEntriesStaysSmall() throws Exception {
    Path dir = journalDir();
    int n = 100_000;
    try (ResponseJournal j = ResponseJournal.open(dir)) {
      for (int i = 0; i < n; i++) j.append(key(i), entry(i));
    }
    long before = usedAfterGc();
    long t0 = System.nanoTime();
    ResponseJournal j = ResponseJournal.open(dir);
    long openMs = (System.nanoTime() - t0) / 1_000_000;
    long after = usedAfterGc();
    try {
      assertThat(j.size(), is(n));
      long perEntry = (after - before) / n;
      System.out.println(
          "index of "
              + n
              + " entries: "
              + (after - before) / 1024
              + " KiB ("
              + perEntry
              + " bytes/entry); segment "
              + Files.size(segments(dir).get(0)) / 1024
              + " KiB on disk; open took "
              + openMs
              + " ms");
      assertThat(perEntry, greaterThan(0L));
      // key (4 longs) + Long + map node: ~100 bytes; content stays on disk (~200 bytes/record here)
      assertThat(perEntry, lessThan(160L));
      assertThat(j.lookup(key(n - 1)), is(Optional.of(entry(n - 1))));
    } finally {
      j.close();
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    Runtime rt = Runtime.getRuntime();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, rt.totalMemory() - rt.freeMemory());
    }
    return used;
  }

  @Test
  void closedJournalSaysSo() throws Exception {
    ResponseJournal j = ResponseJournal.open(journalDir());
    j.close();
    j.close();
    Exception e = assertThrows(java.io.IOException.class, () -> j.append(key(1), entry(1)));
    assertThat(e.getMessage(), containsString("is closed"));
  }
}
