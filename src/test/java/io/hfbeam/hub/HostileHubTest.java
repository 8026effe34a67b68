package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Hub that answers with paths, commit ids and ETags meant to escape the cache: the client refuses
 * each with a clear error and writes nothing outside HF_HOME. HF_HOME is nested deep in the temp
 * dir so that every escape attempted here (at most six "..") would land inside the temp dir, where
 * the test sees it.
 */
class HostileHubTest {
  static final String GOOD_COMMIT = "c".repeat(40);
  static final byte[] CONTENT = "hello".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;
  Path hfHome;
  HttpServer server;

  /** What the server answers; each test sets the hostile parts. */
  volatile String commit = GOOD_COMMIT;

  volatile String etag;
  volatile String linkedEtag;
  volatile String sha = GOOD_COMMIT;
  volatile List<String> treePaths = List.of("f.txt");

  @BeforeEach
  void start() throws Exception {
    hfHome = tmp.resolve("l1/l2/l3/l4/l5/hf");
    Files.createDirectories(hfHome);
    etag = "\"" + GitOids.gitBlobSha1(CONTENT) + "\"";
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/api/datasets/evil/repo/revision/",
        ex -> json(ex, "{\"id\":\"evil/repo\",\"sha\":\"" + sha + "\",\"siblings\":[]}"));
    server.createContext(
        "/api/datasets/evil/repo/tree/",
        ex -> {
          StringBuilder sb = new StringBuilder("[");
          for (String p : treePaths) {
            if (sb.length() > 1) sb.append(',');
            sb.append("{\"type\":\"file\",\"oid\":\"x\",\"size\":5,\"path\":")
                .append(HubHttp.JSON.writeValueAsString(p))
                .append('}');
          }
          json(ex, sb.append(']').toString());
        });
    server.createContext(
        "/datasets/evil/repo/resolve/",
        ex -> {
          ex.getResponseHeaders().add("X-Repo-Commit", commit);
          ex.getResponseHeaders().add("ETag", etag);
          if (linkedEtag != null) ex.getResponseHeaders().add("X-Linked-Etag", linkedEtag);
          boolean head = ex.getRequestMethod().equals("HEAD");
          ex.getResponseHeaders().add("Content-Length", Integer.toString(CONTENT.length));
          ex.sendResponseHeaders(200, head ? -1 : CONTENT.length);
          if (!head) ex.getResponseBody().write(CONTENT);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private static void json(HttpExchange ex, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json");
    ex.sendResponseHeaders(200, b.length);
    ex.getResponseBody().write(b);
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
                hfHome.toString()))
        .retry(RetryPolicy.of(1, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1)))
        .build()
        .newClient();
  }

  private static final RepoId REPO = RepoId.dataset("evil/repo");

  /** Everything under the temp dir that is not inside HF_HOME or on the way to it. */
  private List<Path> outsideHfHome() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return all.filter(p -> !p.startsWith(hfHome) && !hfHome.startsWith(p)).toList();
    }
  }

  private void assertRefused(
      Class<? extends Exception> type, String expected, ThrowingRunnable call) throws IOException {
    Exception e = assertThrows(type, call::run);
    assertThat(e.getMessage(), containsString(expected));
    assertThat(e.getMessage().lines().count(), is(1L));
    assertThat(outsideHfHome(), is(empty()));
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void anHonestAnswerDownloads() throws Exception {
    assertThat(Files.readString(client().download(REPO, "main", "f.txt")), is("hello"));
    assertThat(
        Files.readString(client().snapshotDownload(REPO, "main").resolve("f.txt")), is("hello"));
    assertThat(outsideHfHome(), is(empty()));
  }

  @Test
  void treePathsThatClimbOutOfTheSnapshotAreRefused() throws Exception {
    for (String hostile :
        List.of(
            "../../../../../../escaped.txt",
            "a/../../../../../../escaped.txt",
            "/tmp/escaped-abs.txt",
            "a\\..\\..\\escaped.txt",
            "a//b.txt",
            "",
            "./f.txt",
            "a\u0000b",
            "a\nb.txt")) {
      treePaths = List.of("f.txt", hostile);
      assertRefused(
          HubException.class,
          "refused the file list of",
          () -> client().snapshotDownload(REPO, "main"));
    }
    assertThat(Files.exists(Path.of("/tmp/escaped-abs.txt")), is(false));
  }

  @Test
  void aPathGivenByTheUserIsCheckedToo() throws Exception {
    assertRefused(
        IllegalArgumentException.class,
        "path in the repo",
        () -> client().download(REPO, "main", "../../../../../../escaped.txt"));
    assertRefused(
        IllegalArgumentException.class,
        "revision",
        () -> client().download(REPO, "../../../../../escaped", "f.txt"));
  }

  @Test
  void aCommitIdThatIsNotFortyHexIsRefused() throws Exception {
    for (String hostile :
        List.of(
            "../../../../../../escaped", "../../../../../" + "a".repeat(31), "C".repeat(40), "")) {
      commit = hostile;
      assertRefused(
          HubException.class, "X-Repo-Commit", () -> client().download(REPO, "main", "f.txt"));
    }
    commit = GOOD_COMMIT;
    sha = "../../../../../../escaped";
    assertRefused(HubException.class, "commit id", () -> client().snapshotDownload(REPO, "main"));
  }

  @Test
  void anEtagThatIsNotAHashIsRefused() throws Exception {
    for (String hostile :
        List.of(
            "\"../../../../../../escaped\"",
            "W/\"../../../../escaped\"",
            "../../../../../escaped",
            "\"\"",
            "\"" + "a".repeat(39) + "/\"")) {
      etag = hostile;
      assertRefused(HubException.class, "ETag", () -> client().download(REPO, "main", "f.txt"));
    }
    etag =
        "W/\""
            + GitOids.gitBlobSha1(CONTENT)
            + "\""; // a weak marker and quotes are stripped, as Python does
    assertThat(Files.readString(client().download(REPO, "main", "f.txt")), is("hello"));
    linkedEtag = "../../../../../escaped";
    assertRefused(HubException.class, "ETag", () -> client().download(REPO, "main", "f.txt"));
  }

  @Test
  void aRefFileInTheCacheThatPointsOutsideIsNotFollowed() throws Exception {
    Path ref = hfHome.resolve("hub/datasets--evil--repo/refs/main");
    Files.createDirectories(ref.getParent());
    Files.writeString(ref, "../../../../../../escaped");
    HubClient offline =
        HubClient.Settings.builder()
            .environment(Map.of("HF_HUB_OFFLINE", "1", "HF_HOME", hfHome.toString()))
            .build()
            .newClient();
    assertRefused(HubException.class, "commit id", () -> offline.download(REPO, "main", "f.txt"));
  }

  @Test
  void theCliSaysSoInOneLine() throws Exception {
    Map<String, String> env =
        Map.of(
            "HF_ENDPOINT",
            "http://127.0.0.1:" + server.getAddress().getPort(),
            "HF_TOKEN",
            HubClientTest.TOKEN,
            "HF_HOME",
            hfHome.toString());
    java.io.StringWriter err = new java.io.StringWriter();
    picocli.CommandLine cmd =
        new picocli.CommandLine(new io.hfbeam.cli.HubCommand(env))
            .setErr(new java.io.PrintWriter(err, true))
            .setOut(new java.io.PrintWriter(new java.io.StringWriter(), true));
    commit = "../../../../../../escaped";
    assertThat(cmd.execute("download", "evil/repo", "f.txt"), is(1));
    assertThat(err.toString(), containsString("error: refused the answer of http://127.0.0.1:"));
    assertThat(err.toString().lines().count(), is(1L));
    err.getBuffer().setLength(0);
    assertThat(
        cmd.execute("download", "evil/repo", "../../../../../escaped.txt"),
        is(2)); // the user's own path
    assertThat(
        err.toString(),
        containsString(
            "path in the repo '../../../../../escaped.txt' has an empty, '.' or '..' segment"));
    assertThat(outsideHfHome(), is(empty()));
  }
}
