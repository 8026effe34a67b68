package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A scripted server for what the local Hub never does: connections dropped mid-range, Range
 * ignored, a Content-Range or ETag that does not match the request, metadata that is not metadata.
 */
public class RangedFileHostileTest {
  static final String COMMIT = "a".repeat(40);
  static final String ETAG = "b".repeat(40);
  static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");
  static final RepoId REPO = RepoId.dataset("evil/ranges");
  static final byte[] CONTENT = new byte[100_000];

  static {
    new Random(7).nextBytes(CONTENT);
  }

  HttpServer server;
  final java.util.concurrent.ExecutorService pool =
      java.util.concurrent.Executors.newCachedThreadPool();
  final List<String> ranges = new CopyOnWriteArrayList<>();

  /** How the next GETs misbehave; each test sets its own. */
  volatile String mode = "honest";

  volatile int drops;
  volatile String headSize = Integer.toString(CONTENT.length);
  volatile String headCommit = COMMIT;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/datasets/evil/ranges/resolve/", this::serve);
    // a thread per exchange, so a stalled answer does not hold up the next request
    server.setExecutor(pool);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    pool.shutdownNow();
  }

  private void serve(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().add("X-Repo-Commit", headCommit);
    ex.getResponseHeaders().add("ETag", "\"" + ETAG + "\"");
    if (ex.getRequestMethod().equals("HEAD")) {
      ex.getResponseHeaders().add("Content-Length", headSize);
      ex.sendResponseHeaders(200, -1);
      ex.close();
      return;
    }
    String range = ex.getRequestHeaders().getFirst("Range");
    ranges.add(ex.getRequestURI().getPath() + " " + range);
    Matcher m = RANGE.matcher(range);
    if (!m.matches()) throw new IllegalStateException(range);
    int from = Integer.parseInt(m.group(1));
    int last = Integer.parseInt(m.group(2));
    int len = last - from + 1;
    switch (mode) {
      case "ignore" -> {
        ex.sendResponseHeaders(200, CONTENT.length);
        ex.getResponseBody().write(CONTENT);
        ex.close();
        return;
      }
      case "shifted" -> {
        ex.getResponseHeaders()
            .add("Content-Range", "bytes " + (from + 1) + "-" + (last + 1) + "/" + CONTENT.length);
      }
      case "changed" -> {
        ex.getResponseHeaders().set("ETag", "\"" + "c".repeat(40) + "\"");
        ex.getResponseHeaders()
            .add("Content-Range", "bytes " + from + "-" + last + "/" + CONTENT.length);
      }
      default ->
          ex.getResponseHeaders()
              .add("Content-Range", "bytes " + from + "-" + last + "/" + CONTENT.length);
    }
    ex.sendResponseHeaders(206, len);
    OutputStream out = ex.getResponseBody();
    if (mode.equals("drop") && drops > 0) {
      drops--;
      out.write(CONTENT, from, len / 2);
      out.flush();
      // half the range, then the connection goes away: the JDK server closes it when the handler
      // throws
      throw new IllegalStateException("scripted drop");
    }
    if (mode.equals("stall") && drops > 0) {
      drops--;
      out.write(CONTENT, from, len / 2);
      out.flush();
      try {
        Thread.sleep(3000); // longer than the client's timeout: the client gives up on this body
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("scripted stall");
    }
    out.write(CONTENT, from, len);
    ex.close();
  }

  private HubClient client() throws IOException {
    return HubClient.Settings.builder()
        .environment(
            Map.of(
                "HF_ENDPOINT",
                "http://127.0.0.1:" + server.getAddress().getPort(),
                "HF_TOKEN",
                HubClientTest.TOKEN,
                "HF_HOME",
                "/nonexistent-hf-home"))
        .retry(RetryPolicy.of(3, Duration.ofMillis(1), Duration.ofMillis(2)))
        .requestTimeout(Duration.ofMillis(800))
        .build()
        .newClient();
  }

  @Test
  void aConnectionDroppedMidRangeResumesFromTheByteItStoppedAt() throws Exception {
    mode = "drop";
    drops = 2;
    RangedFile f = client().openRange(REPO, "main", "data/x.parquet");
    byte[] got = new byte[40_000];
    f.readFully(10_000, got, 0, got.length);
    assertArrayEquals(java.util.Arrays.copyOfRange(CONTENT, 10_000, 50_000), got);
    String path = "/datasets/evil/ranges/resolve/" + COMMIT + "/data/x.parquet ";
    // the server sends half of what is asked, then drops the connection: a retry asks only for
    // what has not arrived. How much of a dropped body reaches the client is up to the network
    // stack (an abrupt close can discard bytes in flight), so each retry starts at or after the
    // last and never past what the server sent.
    assertThat(ranges.size(), is(3));
    assertThat(ranges.get(0), is(path + "bytes=10000-49999"));
    long previous = 10_000;
    long sentUpTo = 30_000;
    for (String r : ranges.subList(1, 3)) {
      assertTrue(r.startsWith(path + "bytes=") && r.endsWith("-49999"), r);
      long start =
          Long.parseLong(r.substring((path + "bytes=").length(), r.indexOf('-', path.length())));
      assertTrue(start >= previous && start <= sentUpTo, ranges.toString());
      previous = start;
      sentUpTo = start + (50_000 - start) / 2;
    }
    assertTrue(f.bytesTransferred() >= 40_000L, "bytes: " + f.bytesTransferred());
    assertTrue(f.requests() >= 1 && f.requests() <= 3, "requests: " + f.requests());
  }

  @Test
  void aStalledBodyIsResumedAfterTheTimeout() throws Exception {
    mode = "stall";
    drops = 1;
    RangedFile f = client().openRange(REPO, "main", "x.parquet");
    byte[] got = new byte[1000];
    f.readFully(0, got, 0, got.length);
    assertArrayEquals(java.util.Arrays.copyOfRange(CONTENT, 0, 1000), got);
    String path = "/datasets/evil/ranges/resolve/" + COMMIT + "/x.parquet ";
    assertThat(ranges, is(List.of(path + "bytes=0-999", path + "bytes=500-999")));
    assertThat(f.bytesTransferred(), is(1000L));
  }

  @Test
  void aServerThatIgnoresRangeIsAnError() throws Exception {
    mode = "ignore";
    RangedFile f = client().openRange(REPO, "main", "x.parquet");
    HubException e = assertThrows(HubException.class, () -> f.readFully(5, new byte[10], 0, 10));
    assertOneLine(e, "ignores Range", "evil/ranges@aaaaaaaaaaaa:x.parquet");
  }

  @Test
  void aContentRangeOtherThanAskedIsAnError() throws Exception {
    mode = "shifted";
    RangedFile f = client().openRange(REPO, "main", "x.parquet");
    HubException e = assertThrows(HubException.class, () -> f.readFully(5, new byte[10], 0, 10));
    assertOneLine(e, "Content-Range 'bytes 6-15/100000' to a request for bytes 5-14");
  }

  @Test
  void aFileThatChangesUnderneathIsAnError() throws Exception {
    mode = "changed";
    RangedFile f = client().openRange(REPO, "main", "x.parquet");
    HubException e = assertThrows(HubException.class, () -> f.readFully(0, new byte[10], 0, 10));
    assertOneLine(e, "the file changed");
  }

  @Test
  void metadataThatIsNotMetadataIsRefused() throws Exception {
    headSize = "-5";
    assertOneLine(
        assertThrows(HubException.class, () -> client().openRange(REPO, "main", "x.parquet")),
        "sent the size '-5'");
    headSize = "100000";
    headCommit = "../../etc";
    assertOneLine(
        assertThrows(HubException.class, () -> client().openRange(REPO, "main", "x.parquet")),
        "X-Repo-Commit");
  }

  @Test
  void endlessDropsGiveUpWithOneLine() throws Exception {
    mode = "drop";
    drops = 1000;
    RangedFile f = client().openRange(REPO, "main", "x.parquet");
    // each attempt makes progress (half of what is left), so only the end can fail: a 1-byte
    // range halves to nothing
    HubException e = assertThrows(HubException.class, () -> f.readFully(0, new byte[1], 0, 1));
    // a drop lands after the headers (the range's own retries) or before them (the client's
    // connection retries), as the two threads race: both give up after 3 tries, in one line
    assertOneLine(e);
    assertThat(
        e.getMessage(),
        org.hamcrest.Matchers.anyOf(
            containsString("bytes 0-0 failed 3 time(s) in a row"),
            containsString("x.parquet) after ")));
    assertThat(
        e.getMessage(),
        org.hamcrest.Matchers.anyOf(
            containsString("3 time(s) in a row"), containsString("and 3 attempt(s)")));
  }

  private static void assertOneLine(Exception e, String... parts) {
    for (String p : parts) assertThat(e.getMessage(), containsString(p));
    assertThat(e.getMessage(), e.getMessage().lines().count(), is(1L));
  }
}
