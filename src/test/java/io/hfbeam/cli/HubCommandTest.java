package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.hfbeam.hub.CommitEntry;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class HubCommandTest {
  static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";

  @TempDir Path tmp;
  LocalHubServer hub;
  Map<String, String> env;
  String out;
  String err;

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("hub"),
            LocalHubServer.Options.defaults().withToken(TOKEN, "hfbeam-local", "alice"));
    env =
        new HashMap<>(
            Map.of(
                "HF_ENDPOINT",
                hub.url(),
                "HF_HOME",
                tmp.resolve("hf").toString(),
                "HF_TOKEN",
                TOKEN));
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  int run(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cmd = new CommandLine(new HubCommand(env));
    cmd.setOut(new PrintWriter(o, true));
    cmd.setErr(new PrintWriter(e, true));
    int code = cmd.execute(args);
    out = o.toString();
    err = e.toString();
    return code;
  }

  @Test
  void loginValidatesAndStoresTheTokenWhereHuggingfaceHubReadsIt() throws Exception {
    env.remove("HF_TOKEN");
    assertThat(run("login", "--token", TOKEN), is(0));
    assertThat(out, containsString("Logged in as hfbeam-local"));
    assertThat(out + err, not(containsString(TOKEN)));
    assertThat(Files.readString(tmp.resolve("hf/token")), is(TOKEN));
    assertThat(run("whoami"), is(0)); // now from the token file
    assertThat(out.trim(), is("hfbeam-local (orgs: alice)"));

    assertThat(run("login", "--token", "bad-secret-value"), is(1));
    assertThat(err, startsWith("error: 401 Unauthorized from " + hub.url()));
    assertThat(err.lines().count(), is(1L));
    assertThat(err, not(containsString("bad-secret-value")));
  }

  @Test
  void uploadsAFolderInCommitsOfAtMostFiftyFilesThenListsAndDownloads() throws Exception {
    Path folder = tmp.resolve("folder");
    for (int i = 0; i < 120; i++) {
      Path f = folder.resolve(String.format("train/part_%03d.txt", i));
      Files.createDirectories(f.getParent());
      Files.writeString(f, "row " + i);
    }
    assertThat(run("create", "alice/many"), is(0));
    assertThat(out.trim(), is(hub.url() + "/datasets/alice/many"));
    assertThat(run("upload", "alice/many", folder.toString()), is(0));
    assertThat(out.lines().count(), is(3L));
    HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
    List<String> titles =
        client.listCommits(RepoId.dataset("alice/many"), "main").stream()
            .map(CommitEntry::title)
            .toList();
    assertThat(
        titles,
        is(
            List.of(
                "Add train/part_100.txt and 19 more (part 3 of 3)",
                "Add train/part_050.txt and 49 more (part 2 of 3)",
                "Add train/part_000.txt and 49 more (part 1 of 3)",
                "initial commit")));

    assertThat(run("upload", "alice/many", folder.toString()), is(0)); // unchanged: no new commits
    assertThat(out, containsString("unchanged"));
    assertThat(client.listCommits(RepoId.dataset("alice/many"), "main").size(), is(4));

    assertThat(run("ls", "alice/many", "-r"), is(0));
    assertThat(
        out.lines().toList(), hasItems("train/", "train/part_007.txt\t5", "train/part_119.txt\t7"));
    assertThat(out.lines().count(), is(122L)); // .gitattributes, train/ and 120 files
    assertThat(run("download", "alice/many", "train/part_007.txt"), is(0));
    assertThat(Files.readString(Path.of(out.trim())), is("row 7"));
    assertThat(run("download", "alice/many"), is(0));
    assertThat(Files.readString(Path.of(out.trim()).resolve("train/part_119.txt")), is("row 119"));
  }

  @Test
  void serveRunsALocalHubUntilStopped() throws Exception {
    StringWriter o = new StringWriter();
    CommandLine cmd = new CommandLine(new HubCommand(env));
    cmd.setOut(new PrintWriter(o, true));
    int[] code = {-1};
    Thread serving =
        new Thread(
            () ->
                code[0] =
                    cmd.execute(
                        "serve",
                        "--port",
                        "0",
                        "--data",
                        tmp.resolve("served").toString(),
                        "--user",
                        "carol"));
    serving.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!o.toString().contains("HF_TOKEN=") && System.currentTimeMillis() < deadline)
      Thread.sleep(20);
    String url =
        o.toString().lines().findFirst().orElseThrow().replaceAll("^Local Hub at (\\S+).*$", "$1");
    env.put("HF_ENDPOINT", url);
    env.put(
        "HF_TOKEN",
        o.toString().replaceAll("(?s).*HF_TOKEN=(\\S+).*", "$1")); // the token made at start
    assertThat(run("whoami"), is(0));
    assertThat(out.trim(), is("carol"));
    serving.interrupt();
    serving.join(10_000);
    assertThat(code[0], is(0));
    assertThat(o.toString(), containsString("Local Hub stopped"));
  }

  @Test
  void usageErrorsExitTwoAndFailuresExitOneWithOneLine() {
    assertThat(run("create", "not-a-repo-id"), is(2));
    assertThat(err.lines().count(), is(1L));
    assertThat(err, containsString("owner/name"));
    assertThat(run("upload", "alice/x", tmp.toString(), "--batch-size", "100"), is(2));
    assertThat(err.lines().count(), is(1L));
    assertThat(run("ls"), is(2));
    assertThat(err, containsString("Missing required parameter"));
    assertThat(err.lines().count(), is(1L));
    assertThat(run("upload", "alice/x", "--no-such-flag"), is(2));
    assertThat(err.lines().count(), is(1L));
    assertThat(run("login", "--tokn", TOKEN), is(2)); // a typo must not echo the token
    assertThat(err, not(containsString(TOKEN)));

    assertThat(run("ls", "alice/missing"), is(1));
    assertThat(err.lines().count(), is(1L));
    assertThat(err, containsString("404 Not Found"));
    assertThat(run("ls", "alice/missing", "--verbose"), is(1));
    assertThat(err, containsString("at io.hfbeam.hub"));
  }

  @Test
  void searchPrintsATableOrJsonLines() throws Exception {
    assertThat(run("create", "alice/chess-a"), is(0));
    assertThat(run("create", "alice/chess-b", "--private"), is(0));
    assertThat(run("create", "alice/poems"), is(0));
    assertThat(run("search", "chess"), is(0));
    List<String> lines = out.lines().toList();
    assertThat(lines.size(), is(3));
    assertThat(lines.get(0), is("ID              DOWNLOADS   LIKES  UPDATED"));
    assertThat(lines.get(1), startsWith("alice/chess-a"));
    assertThat(
        lines.get(1),
        containsString(java.time.LocalDate.now(java.time.ZoneOffset.UTC).getYear() + "-"));
    assertThat(lines.get(2), startsWith("alice/chess-b"));

    assertThat(run("search", "--author", "alice", "--limit", "2", "--json"), is(0));
    lines = out.lines().toList();
    assertThat(lines.size(), is(2));
    var first = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(0));
    assertThat(first.path("id").asText(), is("alice/chess-a"));
    assertThat(first.path("private").asBoolean(), is(false));
    assertThat(
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(lines.get(1))
            .path("private")
            .asBoolean(),
        is(true));

    env.remove("HF_TOKEN"); // without a token the private one is hidden
    assertThat(run("search", "chess", "--json"), is(0));
    assertThat(out.lines().count(), is(1L));
    assertThat(run("search", "nothing"), is(0));
    assertThat(err.trim(), is("no datasets matching 'nothing'"));
    assertThat(run("search", "--limit", "-1"), is(2));
    assertThat(err.lines().count(), is(1L));
  }
}
