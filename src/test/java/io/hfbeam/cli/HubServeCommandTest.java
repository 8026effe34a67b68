package io.hfbeam.cli;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code hub serve}: users from a tokens file or one made at start, and the token saved only when
 * asked.
 */
class HubServeCommandTest {
  static final String ALICE = "hf_" + "alicetokenxxxxxxxxxxxxxxxxxxxxxxxxx";

  @TempDir Path tmp;
  final Map<String, String> env = new HashMap<>();
  String out;
  String err;

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

  /**
   * Runs serve on another thread until its "export" line is printed; returns that output and the
   * thread.
   */
  record Serving(Thread thread, StringWriter out, StringWriter err, int[] code) {
    String url() {
      return out.toString()
          .lines()
          .findFirst()
          .orElseThrow()
          .replaceAll("^Local Hub at (\\S+).*$", "$1");
    }

    void stop() throws InterruptedException {
      thread.interrupt();
      thread.join(10_000);
    }
  }

  Serving serve(String... args) throws Exception {
    StringWriter o = new StringWriter();
    CommandLine cmd = new CommandLine(new HubCommand(env));
    cmd.setOut(new PrintWriter(o, true));
    StringWriter e = new StringWriter();
    cmd.setErr(new PrintWriter(e, true));
    int[] code = {-1};
    String[] all = new String[args.length + 4];
    System.arraycopy(new String[] {"serve", "--port", "0", "--data"}, 0, all, 0, 4);
    System.arraycopy(args, 0, all, 4, args.length);
    all[4] = tmp.resolve("served").toString();
    Thread t = new Thread(() -> code[0] = cmd.execute(all));
    t.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!o.toString().contains("export ")
        && t.isAlive()
        && System.currentTimeMillis() < deadline) Thread.sleep(20);
    return new Serving(t, o, e, code);
  }

  @Test
  void tokensFileGivesUsersAndOrgs() throws Exception {
    Path tokens = tmp.resolve("tokens");
    Files.writeString(
        tokens,
        "# local users\n\n" + ALICE + " alice team,lab\nhf_" + "bobxxxxxxxxxxxxxxxxxxxx bob\n");
    Files.setPosixFilePermissions(tokens, PosixFilePermissions.fromString("rw-r--r--"));
    Serving hub = serve("DATA", "--tokens", tokens.toString());
    try {
      assertThat(hub.out().toString() + hub.err(), not(containsString(ALICE)));
      assertThat(hub.err().toString(), containsString("can be read by other users"));
      env.put("HF_ENDPOINT", hub.url());
      env.put("HF_HOME", tmp.resolve("hf").toString());
      env.put("HF_TOKEN", ALICE);
      assertThat(run("whoami"), is(0));
      assertThat(out.trim(), is("alice (orgs: team, lab)"));
      assertThat(run("create", "lab/shared"), is(0));
      env.put("HF_TOKEN", "hf_" + "bobxxxxxxxxxxxxxxxxxxxx");
      assertThat(run("create", "lab/other"), is(1));
      env.put("HF_TOKEN", "hf_" + "nobodyxxxxxxxxxxxxxxxxxxx");
      assertThat(run("whoami"), is(1));
    } finally {
      hub.stop();
    }
  }

  @Test
  void aMalformedTokensLineIsAUsageErrorNamingTheLineNotTheToken() {
    Path tokens = tmp.resolve("tokens");
    String secret = "hf_" + "secretxxxxxxxxxxxxxxxxxxxxxxxxxx";
    try {
      Files.writeString(tokens, ALICE + " alice\n\n" + secret + " bad/name\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    assertThat(
        run(
            "serve",
            "--port",
            "0",
            "--data",
            tmp.resolve("d").toString(),
            "--tokens",
            tokens.toString()),
        is(2));
    assertThat(err, containsString("line 3"));
    assertThat(err, not(containsString("secretx")));
    assertThat(err.lines().count(), is(1L));
  }

  @Test
  void withoutTokensOneUserAndTokenAreMadeAndSavedOnlyWhenAsked() throws Exception {
    env.put("HF_HOME", tmp.resolve("hf").toString());
    Serving hub = serve("DATA", "--user", "carol");
    String token;
    try {
      String printed = hub.out().toString();
      assertThat(printed, containsString("export HF_ENDPOINT=" + hub.url() + " HF_TOKEN=hf_"));
      token = printed.replaceAll("(?s).*HF_TOKEN=(\\S+).*", "$1");
      assertThat(Files.exists(tmp.resolve("hf/token")), is(false));
      env.put("HF_ENDPOINT", hub.url());
      env.put("HF_TOKEN", token);
      assertThat(run("whoami"), is(0));
      assertThat(out.trim(), is("carol"));
    } finally {
      hub.stop();
    }

    env.remove("HF_TOKEN");
    Serving saved = serve("DATA", "--user", "carol", "--save-token");
    try {
      String second = saved.out().toString().replaceAll("(?s).*HF_TOKEN=(\\S+).*", "$1");
      assertThat(second, not(is(token)));
      assertThat(Files.readString(tmp.resolve("hf/token")).trim(), is(second));
      env.put("HF_ENDPOINT", saved.url());
      assertThat(run("whoami"), is(0)); // from the token file
      assertThat(out.trim(), is("carol"));
    } finally {
      saved.stop();
    }
  }
}
