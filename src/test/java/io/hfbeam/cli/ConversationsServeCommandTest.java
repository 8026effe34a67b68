package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.hfbeam.explorer.ExplorerFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code conversations serve}: a wrong flag fails at once with one line; a good one serves. */
class ConversationsServeCommandTest {
  @TempDir Path tmp;

  @Test
  void wrongFlagsFailFastWithOneLine() {
    Cli c = Cli.run("conversations", "serve", "--checkpoints", tmp.toString(), "--port", "70000");
    assertThat(c.toString(), c.exitCode, is(2));
    assertThat(
        c.err.strip(), is("error: --port must be 0..65535 (see 'conversations serve --help')"));
    Cli none = Cli.run("conversations", "serve", "--checkpoints", tmp.resolve("nope/x").toString());
    assertThat(none.toString(), none.exitCode, is(2));
    assertThat(none.err, startsWith("error: no directory "));
    Cli url = Cli.run("conversations", "serve", "--checkpoints", "https://example.com/x");
    assertThat(url.exitCode, is(2));
    assertThat(url.err, containsString("only hf://datasets/owner/name[@revision]"));
    Cli missing = Cli.run("conversations", "serve");
    assertThat(missing.exitCode, is(2));
    assertThat(missing.err, containsString("--checkpoints"));
  }

  @Test
  void servesTheCheckpointsAndPrintsTheUrl() throws Exception {
    Path root = tmp.resolve("set");
    ExplorerFixtures.write(root, ExplorerFixtures.Options.small().withoutDimensionality());
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    CommandLine cmd = new CommandLine(new ConversationsCommand());
    cmd.setOut(new PrintWriter(o, true));
    cmd.setErr(new PrintWriter(e, true));
    int[] code = {-1};
    Thread t =
        new Thread(
            () -> code[0] = cmd.execute("serve", "--checkpoints", root.toString(), "--port", "0"));
    t.start();
    long deadline = System.currentTimeMillis() + 60_000;
    while (!o.toString().contains("indexed in")
        && t.isAlive()
        && System.currentTimeMillis() < deadline) Thread.sleep(20);
    try {
      String first = o.toString().lines().findFirst().orElseThrow();
      assertThat(o + "\n" + e, first, startsWith("Conversation explorer at http://127.0.0.1:"));
      assertThat(o.toString(), containsString("580 conversations"));
      assertThat(o.toString(), containsString("missing dimensionality: not in the checkpoints"));
      String url = first.substring("Conversation explorer at ".length());
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(url + "api/overview")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode(), is(200));
      assertThat(r.body(), containsString("\"conversations\":580"));
    } finally {
      t.interrupt();
      t.join(10_000);
    }
    assertThat(code[0], is(0));
  }
}
