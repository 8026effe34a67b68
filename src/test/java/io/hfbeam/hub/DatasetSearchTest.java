package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.hub.server.Users;
import io.hfbeam.testing.PythonEnv;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/datasets}: the client against the local server (pages, author, private repos of
 * others hidden), against huggingface_hub's list_datasets, and against a hostile server.
 */
class DatasetSearchTest {
  static final String ALICE = "hf_" + "alicetokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final String BOB = "hf_" + "bobtokenxxxxxxxxxxxxxxxxxxxxxxxxxxxx";

  @TempDir Path tmp;
  LocalHubServer hub;

  @BeforeEach
  void start() throws Exception {
    // pages of 3, so 7 matching repos take three pages
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults()
                .withUsers(Users.none().with(ALICE, "alice").with(BOB, "bob"))
                .withPageSizes(3, 50));
    HubClient alice = client(ALICE);
    HubClient bob = client(BOB);
    for (int i = 0; i < 5; i++) alice.createRepo(RepoId.dataset("alice/chess-" + i), false, false);
    alice.createRepo(RepoId.dataset("alice/Chess-private"), true, false);
    alice.createRepo(RepoId.dataset("alice/poems"), false, false);
    alice.createRepo(RepoId.model("alice/chess-model"), false, false);
    bob.createRepo(RepoId.dataset("bob/chess-games"), false, false);
    bob.createRepo(RepoId.dataset("bob/chess-secret"), true, false);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HubClient client(String token) throws Exception {
    return HubClient.Settings.builder()
        .endpoint(hub.url())
        .environment(Map.of("HF_TOKEN", token, "HF_HOME", tmp.resolve("hf").toString()))
        .build()
        .newClient();
  }

  static List<String> ids(List<DatasetSummary> list) {
    return list.stream().map(DatasetSummary::id).toList();
  }

  @Test
  void searchesBySubstringAcrossPagesAndHidesOthersPrivateRepos() throws Exception {
    List<DatasetSummary> mine = client(ALICE).searchDatasets("chess", null, 0);
    assertThat(
        ids(mine),
        is(
            List.of(
                "alice/Chess-private",
                "alice/chess-0",
                "alice/chess-1",
                "alice/chess-2",
                "alice/chess-3",
                "alice/chess-4",
                "bob/chess-games")));
    assertThat(mine.get(0).isPrivate(), is(true));
    assertThat(mine.get(1).author(), is("alice"));
    assertThat(mine.get(1).lastModified(), containsString("T"));
    assertThat(mine.get(1).gated(), is("false"));

    assertThat(
        ids(client(BOB).searchDatasets("chess", null, 0)),
        is(
            List.of(
                "alice/chess-0",
                "alice/chess-1",
                "alice/chess-2",
                "alice/chess-3",
                "alice/chess-4",
                "bob/chess-games",
                "bob/chess-secret")));
    assertThat(ids(client(BOB).searchDatasets(null, "alice", 0)).size(), is(6));
    assertThat(
        ids(client(BOB).searchDatasets("CHESS-", "bob", 0)),
        is(List.of("bob/chess-games", "bob/chess-secret")));
    assertThat(client(BOB).searchDatasets("nothing-like-this", null, 0).isEmpty(), is(true));
  }

  @Test
  void aLimitStopsAfterThatMany() throws Exception {
    assertThat(
        ids(client(ALICE).searchDatasets("chess", null, 4)),
        is(List.of("alice/Chess-private", "alice/chess-0", "alice/chess-1", "alice/chess-2")));
    assertThat(ids(client(ALICE).searchDatasets(null, null, 2)).size(), is(2));
  }

  @Test
  void huggingfaceHubListsTheSameIds() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    PythonEnv.Result r =
        PythonEnv.runScript(
            """
            from huggingface_hub import HfApi
            api = HfApi()
            print("all", ",".join(d.id for d in api.list_datasets(search="chess")))
            print("bob", ",".join(d.id for d in api.list_datasets(author="bob")))
            print("limit", ",".join(d.id for d in api.list_datasets(search="chess", limit=4)))
            """,
            Map.of(
                "HF_ENDPOINT",
                hub.url(),
                "HF_TOKEN",
                ALICE,
                "HF_HOME",
                tmp.resolve("py").toString(),
                "HF_HUB_DISABLE_TELEMETRY",
                "1"),
            tmp,
            120);
    assertThat(r.output(), r.exitCode(), is(0));
    HubClient alice = client(ALICE);
    assertThat(
        r.output(),
        containsString("all " + String.join(",", ids(alice.searchDatasets("chess", null, 0)))));
    assertThat(
        r.output(),
        containsString("bob " + String.join(",", ids(alice.searchDatasets(null, "bob", 0)))));
    assertThat(
        r.output(),
        containsString("limit " + String.join(",", ids(alice.searchDatasets("chess", null, 4)))));
    // the figures: 7 matches over 3 pages, bob's 1 public dataset (the private one is hidden)
    assertThat(r.output(), containsString("bob bob/chess-games\n"));
  }

  /** A server whose first page is good and whose Link, or body, is hostile. */
  @Test
  void aNextLinkToAnotherHostOrABadPageIsRefusedInOneLine() throws Exception {
    HttpServer evil = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicInteger followed = new AtomicInteger();
    List<String> link = new ArrayList<>(List.of(""));
    List<String> body = new ArrayList<>(List.of("[{\"id\":\"a/b\"}]"));
    evil.createContext(
        "/api/datasets",
        ex -> {
          if (ex.getRequestURI().getQuery() != null
              && ex.getRequestURI().getQuery().contains("cursor")) followed.incrementAndGet();
          byte[] b = body.get(0).getBytes(StandardCharsets.UTF_8);
          if (!link.get(0).isEmpty()) ex.getResponseHeaders().add("Link", link.get(0));
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, b.length);
          ex.getResponseBody().write(b);
          ex.close();
        });
    evil.start();
    try {
      String base = "http://127.0.0.1:" + evil.getAddress().getPort();
      HubClient c =
          HubClient.Settings.builder()
              .endpoint(base)
              .environment(Map.of("HF_TOKEN", ALICE, "HF_HOME", tmp.resolve("hf").toString()))
              .retry(
                  RetryPolicy.of(1, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1)))
              .build()
              .newClient();
      for (String other :
          List.of(
              "http://attacker.example/api/datasets?cursor=1",
              "https://127.0.0.1:" + evil.getAddress().getPort() + "/api/datasets?cursor=1",
              "http://127.0.0.1:1/api/datasets?cursor=1")) {
        link.set(0, "<" + other + ">; rel=\"next\"");
        HubException e = assertThrows(HubException.class, () -> c.searchDatasets(null, null, 0));
        assertThat(e.getMessage(), containsString("next-page link to '" + other + "'"));
        assertThat(e.getMessage(), containsString("refused"));
        assertThat(e.getMessage().lines().count(), is(1L));
      }
      assertThat(followed.get(), is(0));

      // a relative Link on the same host is followed, and only until the limit is reached (this
      // server's Link never ends)
      link.set(0, "</api/datasets?cursor=1>; rel=\"next\"");
      assertThat(ids(c.searchDatasets(null, null, 2)), is(List.of("a/b", "a/b")));
      assertThat(followed.get(), is(1));

      link.set(0, "");
      for (String bad : List.of("<html>oops</html>", "{\"error\":\"x\"}", "[{\"id\":\"../x\"}]")) {
        body.set(0, bad);
        HubException e = assertThrows(HubException.class, () -> c.searchDatasets(null, null, 0));
        assertThat(e.getMessage().lines().count(), is(1L));
        assertThat(e.getMessage(), containsString("is HF_ENDPOINT a Hub?"));
        assertThat(e.getMessage(), not(containsString("\tat ")));
      }
    } finally {
      evil.stop(0);
    }
  }
}
