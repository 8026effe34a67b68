package io.hfbeam.hub.server;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.hub.GitOids;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users, limits, names and hosts of the local Hub, checked with hostile requests on a raw socket.
 */
class LocalHubTrustTest {
  static final String ALICE = "hf_" + "alicetokenxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final String BOB = "hf_" + "bobtokenxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  LocalHubServer hub;

  @AfterEach
  void stop() {
    if (hub != null) hub.close();
  }

  LocalHubServer start(LocalHubServer.Options options) throws IOException {
    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("data"),
            options.withToken(ALICE, "alice", "team").withToken(BOB, "bob"));
    return hub;
  }

  record Reply(int status, Map<String, String> headers, String body) {
    JsonNode json() throws IOException {
      return JSON.readTree(body);
    }
  }

  /**
   * One request on its own connection, sent as written (any Host, any path bytes), read to the end.
   */
  Reply raw(String host, String method, String path, String token, String contentType, byte[] body)
      throws IOException {
    try (Socket s = new Socket("127.0.0.1", hub.port())) {
      s.setSoTimeout(10_000);
      StringBuilder head =
          new StringBuilder(
              method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n");
      if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
      if (contentType != null) head.append("Content-Type: ").append(contentType).append("\r\n");
      if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
      head.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      if (body != null) out.write(body);
      out.flush();
      return read(s.getInputStream());
    }
  }

  Reply send(String method, String path, String token, String json) throws IOException {
    return raw(
        "127.0.0.1:" + hub.port(),
        method,
        path,
        token,
        json == null ? null : "application/json",
        json == null ? null : json.getBytes(StandardCharsets.UTF_8));
  }

  static Reply read(InputStream in) throws IOException {
    byte[] all = in.readAllBytes();
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
    }
    String body = new String(all, end + 4, all.length - end - 4, StandardCharsets.UTF_8);
    return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
  }

  Reply create(String token, String org, String name, boolean isPrivate) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", name);
    if (org != null) body.put("organization", org);
    body.put("type", "dataset");
    body.put("private", isPrivate);
    return send("POST", "/api/repos/create", token, JSON.writeValueAsString(body));
  }

  static String fileLine(String path, String content) throws IOException {
    return JSON.writeValueAsString(
        Map.of(
            "key",
            "file",
            "value",
            Map.of(
                "path",
                path,
                "encoding",
                "base64",
                "content",
                Base64.getEncoder().encodeToString(content.getBytes(StandardCharsets.UTF_8)))));
  }

  Reply commit(String token, String repo, String... lines) throws IOException {
    String payload =
        "{\"key\":\"header\",\"value\":{\"summary\":\"s\"}}\n" + String.join("\n", lines);
    return raw(
        "127.0.0.1:" + hub.port(),
        "POST",
        "/api/datasets/" + repo + "/commit/main",
        token,
        "application/x-ndjson",
        payload.getBytes(StandardCharsets.UTF_8));
  }

  // ---- item 13: users

  @Test
  void onlyANamespacesUserOrOrgMembersWriteAndPrivateReposAreInvisible() throws Exception {
    start(LocalHubServer.Options.defaults());
    JsonNode me = send("GET", "/api/whoami-v2", ALICE, null).json();
    assertThat(me.path("name").asText(), is("alice"));
    assertThat(me.path("orgs").get(0).path("name").asText(), is("team"));
    assertThat(send("GET", "/api/whoami-v2", BOB, null).json().path("name").asText(), is("bob"));
    assertThat(
        send("GET", "/api/whoami-v2", "hf_" + "unknownxxxxxxxxxxxxxxxxxxxxxxxxxxxx", null).status(),
        is(401));
    assertThat(send("GET", "/api/whoami-v2", null, null).status(), is(401));

    assertThat(create(null, "alice", "pub", false).status(), is(401));
    assertThat(create(ALICE, "alice", "pub", false).status(), is(200));
    assertThat(create(ALICE, null, "own", false).json().path("name").asText(), is("alice/own"));
    assertThat(create(ALICE, "team", "shared", false).status(), is(200));
    assertThat(create(ALICE, "alice", "priv", true).status(), is(200));
    assertThat(create(BOB, "alice", "evil", false).status(), is(403));
    assertThat(create(BOB, "team", "evil", false).status(), is(403));

    assertThat(commit(ALICE, "alice/priv", fileLine("secret.txt", "s3cret")).status(), is(200));
    assertThat(commit(ALICE, "alice/pub", fileLine("a.txt", "a")).status(), is(200));
    assertThat(commit(ALICE, "team/shared", fileLine("a.txt", "a")).status(), is(200));
    assertThat(commit(null, "alice/pub", fileLine("b.txt", "b")).status(), is(401));
    assertThat(commit(BOB, "alice/pub", fileLine("b.txt", "b")).status(), is(403));
    assertThat(commit(BOB, "team/shared", fileLine("b.txt", "b")).status(), is(403));
    assertThat(commit(BOB, "alice/priv", fileLine("b.txt", "b")).status(), is(404));
    assertThat(
        send("POST", "/api/datasets/alice/pub/preupload/main", BOB, "{\"files\":[]}").status(),
        is(403));
    assertThat(
        send(
                "POST",
                "/datasets/alice/pub.git/info/lfs/objects/batch",
                BOB,
                "{\"operation\":\"upload\",\"objects\":[]}")
            .status(),
        is(403));
    assertThat(
        send(
                "POST",
                "/datasets/alice/priv.git/info/lfs/objects/batch",
                BOB,
                "{\"operation\":\"upload\",\"objects\":[]}")
            .status(),
        is(404));

    // Private: the same answers as for a repo that does not exist, for every read.
    for (String path :
        List.of(
            "/api/datasets/alice/priv",
            "/api/datasets/alice/priv/revision/main",
            "/api/datasets/alice/priv/tree/main",
            "/api/datasets/alice/priv/commits/main",
            "/datasets/alice/priv/resolve/main/secret.txt")) {
      assertThat(path, send("GET", path, BOB, null).status(), is(404));
      assertThat(path, send("GET", path, null, null).status(), is(401));
      assertThat(path, send("GET", path, ALICE, null).status(), is(200));
    }
    assertThat(
        send(
                "POST",
                "/api/datasets/alice/priv/paths-info/main",
                BOB,
                "{\"paths\":[\"secret.txt\"]}")
            .status(),
        is(404));
    // Public: readable without a token; commits are authored by the user who made them.
    assertThat(send("GET", "/datasets/alice/pub/resolve/main/a.txt", null, null).body(), is("a"));
    assertThat(
        send("GET", "/api/datasets/alice/pub/commits/main", null, null)
            .json()
            .get(0)
            .path("authors")
            .get(0)
            .path("user")
            .asText(),
        is("alice"));
  }

  @Test
  void lfsUploadsNeedASignedUrlAndExpireUnlessCommitted() throws Exception {
    start(
        LocalHubServer.Options.defaults()
            .withMultipart(1000, 400)
            .withUploadTtl(Duration.ofSeconds(4)));
    assertThat(create(ALICE, "alice", "lfs", false).status(), is(200));
    byte[] kept = "kept content".getBytes(StandardCharsets.UTF_8);
    byte[] dropped = "never committed".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[1200];
    java.util.Arrays.fill(big, (byte) 'x');
    String keptOid = GitOids.sha256(kept);
    String droppedOid = GitOids.sha256(dropped);
    String bigOid = GitOids.sha256(big);

    // Without the signature of a batch answer, an upload is refused before its body is read.
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                "/_lfs/" + droppedOid + "?size=" + dropped.length,
                null,
                null,
                dropped)
            .status(),
        is(401));
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                "/_lfs/" + bigOid + "/part/1?size=1200",
                null,
                null,
                new byte[400])
            .status(),
        is(401));

    JsonNode batch =
        send(
                "POST",
                "/datasets/alice/lfs.git/info/lfs/objects/batch",
                ALICE,
                "{\"operation\":\"upload\",\"objects\":[{\"oid\":\""
                    + keptOid
                    + "\",\"size\":"
                    + kept.length
                    + "},"
                    + "{\"oid\":\""
                    + droppedOid
                    + "\",\"size\":"
                    + dropped.length
                    + "},"
                    + "{\"oid\":\""
                    + bigOid
                    + "\",\"size\":1200}]}")
            .json();
    String keptHref =
        batch.path("objects").get(0).path("actions").path("upload").path("href").asText();
    String droppedHref =
        batch.path("objects").get(1).path("actions").path("upload").path("href").asText();
    String part1 =
        batch
            .path("objects")
            .get(2)
            .path("actions")
            .path("upload")
            .path("header")
            .path("00001")
            .asText();
    assertThat(keptHref, containsString("sig="));
    String base = hub.url();
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                droppedHref.substring(base.length()).replace("sig=", "sig=0"),
                null,
                null,
                dropped)
            .status(),
        is(403));
    assertThat(
        raw("127.0.0.1:" + hub.port(), "PUT", keptHref.substring(base.length()), null, null, kept)
            .status(),
        is(200));
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                droppedHref.substring(base.length()),
                null,
                null,
                dropped)
            .status(),
        is(200));
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                part1.substring(base.length()),
                null,
                null,
                java.util.Arrays.copyOf(big, 400))
            .status(),
        is(200));
    String lfsLine =
        JSON.writeValueAsString(
            Map.of(
                "key",
                "lfsFile",
                "value",
                Map.of("path", "kept.bin", "algo", "sha256", "oid", keptOid, "size", kept.length)));
    assertThat(commit(ALICE, "alice/lfs", lfsLine).status(), is(200));

    Path objects = tmp.resolve("data").resolve("objects");
    assertTrue(Files.exists(objects.resolve(droppedOid.substring(0, 2)).resolve(droppedOid)));
    assertTrue(Files.exists(objects.resolve("parts").resolve(bigOid)));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while ((Files.exists(objects.resolve(droppedOid.substring(0, 2)).resolve(droppedOid))
            || Files.exists(objects.resolve("parts").resolve(bigOid)))
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(
        Files.notExists(objects.resolve(droppedOid.substring(0, 2)).resolve(droppedOid)),
        "uncommitted upload kept");
    assertTrue(Files.notExists(objects.resolve("parts").resolve(bigOid)), "uncommitted parts kept");
    assertThat(
        send("GET", "/datasets/alice/lfs/resolve/main/kept.bin", null, null).body(),
        is("kept content"));
  }

  /**
   * Uploads {@code content} for {@code repo} through the batch call and its signed URL; returns the
   * oid.
   */
  String uploadLfs(String token, String repo, byte[] content) throws IOException {
    String oid = GitOids.sha256(content);
    JsonNode batch =
        send(
                "POST",
                "/datasets/" + repo + ".git/info/lfs/objects/batch",
                token,
                "{\"operation\":\"upload\",\"objects\":[{\"oid\":\""
                    + oid
                    + "\",\"size\":"
                    + content.length
                    + "}]}")
            .json();
    String href = batch.path("objects").get(0).path("actions").path("upload").path("href").asText();
    assertThat(
        raw(
                "127.0.0.1:" + hub.port(),
                "PUT",
                href.substring(hub.url().length()),
                null,
                null,
                content)
            .status(),
        is(200));
    return oid;
  }

  static String lfsLine(String path, String oid, int size) throws IOException {
    return JSON.writeValueAsString(
        Map.of(
            "key",
            "lfsFile",
            "value",
            Map.of("path", path, "algo", "sha256", "oid", oid, "size", size)));
  }

  @Test
  void anLfsObjectOfAnotherRepoCannotBeClaimedByItsHashAlone() throws Exception {
    start(LocalHubServer.Options.defaults());
    assertThat(create(ALICE, "alice", "priv", true).status(), is(200));
    assertThat(create(BOB, "bob", "r", false).status(), is(200));
    byte[] secret = "a private file whose sha256 leaked".getBytes(StandardCharsets.UTF_8);
    String oid = uploadLfs(ALICE, "alice/priv", secret);
    assertThat(
        commit(ALICE, "alice/priv", lfsLine("secret.bin", oid, secret.length)).status(), is(200));

    JsonNode batch =
        send(
                "POST",
                "/datasets/bob/r.git/info/lfs/objects/batch",
                BOB,
                "{\"operation\":\"upload\",\"objects\":[{\"oid\":\""
                    + oid
                    + "\",\"size\":"
                    + secret.length
                    + "}]}")
            .json();
    assertTrue(
        batch.path("objects").get(0).has("actions"),
        "the batch answer must not say the object exists");
    assertThat(commit(BOB, "bob/r", lfsLine("stolen.bin", oid, secret.length)).status(), is(400));
    assertThat(send("GET", "/datasets/bob/r/resolve/main/stolen.bin", BOB, null).status(), is(404));
    assertThat(
        send(
                "POST",
                "/_lfs/verify?repo=dataset%2Fbob%2Fr",
                BOB,
                "{\"oid\":\"" + oid + "\",\"size\":" + secret.length + "}")
            .status(),
        is(404));
    // The owner names it again (a copy) without uploading; whoever has the content may upload it
    // for their repo.
    assertThat(
        commit(ALICE, "alice/priv", lfsLine("copy.bin", oid, secret.length)).status(), is(200));
    assertThat(uploadLfs(BOB, "bob/r", secret), is(oid));
    assertThat(commit(BOB, "bob/r", lfsLine("own.bin", oid, secret.length)).status(), is(200));
  }

  // ---- item 14: limits

  /**
   * Sends only the head of a request announcing {@code length} bytes, and reads the answer without
   * sending more.
   */
  Reply announce(String method, String path, String token, long length) throws IOException {
    try (Socket s = new Socket("127.0.0.1", hub.port())) {
      s.setSoTimeout(5_000);
      String head =
          method
              + " "
              + path
              + " HTTP/1.1\r\nHost: 127.0.0.1:"
              + hub.port()
              + "\r\n"
              + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
              + "Content-Type: application/json\r\nContent-Length: "
              + length
              + "\r\n\r\n";
      OutputStream out = s.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(new byte[64 << 10]);
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before the part of the body sent here has gone out
      }
      return read(s.getInputStream());
    }
  }

  @Test
  void largeUnauthenticatedBodiesAreRefusedUnreadAndOversizeJsonGets413() throws Exception {
    start(LocalHubServer.Options.defaults().withMaxBodyBytes(1 << 20));
    assertThat(create(ALICE, "alice", "d", false).status(), is(200));
    long gigabyte = 1L << 30;
    String oid = "a".repeat(64);
    for (String[] request :
        List.of(
            new String[] {"POST", "/api/repos/create"},
            new String[] {"POST", "/api/datasets/alice/d/commit/main"},
            new String[] {"POST", "/api/datasets/alice/d/preupload/main"},
            new String[] {"POST", "/api/validate-yaml"},
            new String[] {"POST", "/datasets/alice/d.git/info/lfs/objects/batch"},
            new String[] {"PUT", "/_lfs/" + oid + "?size=" + gigabyte},
            new String[] {"PUT", "/_lfs/" + oid + "/part/1?size=" + gigabyte},
            new String[] {"POST", "/_lfs/" + oid + "/complete?size=" + gigabyte},
            new String[] {"POST", "/_lfs/verify"})) {
      assertThat(
          request[0] + " " + request[1],
          announce(request[0], request[1], null, gigabyte).status(),
          is(401));
    }
    assertThat("nothing near a gigabyte was read", hub.receivedBytes(), lessThan(20L << 20));

    assertThat(
        announce("POST", "/api/datasets/alice/d/commit/main", ALICE, 2 << 20).status(), is(413));
    assertThat(
        announce("POST", "/api/datasets/alice/d/preupload/main", ALICE, 2 << 20).status(), is(413));
    // Without a Content-Length (chunked), the cap applies while reading.
    try (Socket s = new Socket("127.0.0.1", hub.port())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST /api/datasets/alice/d/commit/main HTTP/1.1\r\nHost: 127.0.0.1:"
                  + hub.port()
                  + "\r\nAuthorization: Bearer "
                  + ALICE
                  + "\r\nContent-Type: application/x-ndjson\r\n"
                  + "Transfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      String line = "{\"key\":\"header\",\"value\":{\"summary\":\"" + "x".repeat(60_000) + "\"}}\n";
      byte[] chunk =
          (Integer.toHexString(line.length()) + "\r\n" + line + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1);
      try {
        for (int i = 0; i < 40; i++) out.write(chunk);
        out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException closedEarly) {
        // the server may answer and close before all was sent
      }
      assertThat(read(s.getInputStream()).status(), is(413));
    }
  }

  // ---- item 15: names and paths

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  static final List<String> HOSTILE_NAMES =
      List.of(
          "..",
          ".",
          "...",
          "a/b",
          "../..",
          "a--b",
          "a..b",
          "-a",
          "a-",
          ".a",
          "a.git",
          "x".repeat(97),
          "a b",
          "a\u0000b",
          "a\nb",
          "a\\b",
          "",
          "\u00e9t\u00e9",
          "%2e%2e");
  static final List<String> HOSTILE_PATHS =
      List.of(
          "..",
          "../x",
          "a/../../x",
          "../../../../etc/passwd",
          "/abs",
          "a//b",
          "a/",
          "./a",
          "a/./b",
          "a\u0000b",
          "a\nb",
          "a\rb",
          "a\\b",
          "..\\..\\x",
          ".git/config",
          "x".repeat(5000),
          "");

  @Test
  void hostileRepoNamesAndPathsAreRefusedOnEveryEndpointAndNothingIsWrittenOutsideTheData()
      throws Exception {
    Files.writeString(tmp.resolve("outside.txt"), "do not touch");
    start(LocalHubServer.Options.defaults());
    Set<String> outsideBefore = outside();
    assertThat(create(ALICE, "alice", "d", false).status(), is(200));
    assertThat(create(ALICE, "alice", "a.b_c-1", false).status(), is(200));
    List<String> failures = new ArrayList<>();
    for (String bad : HOSTILE_NAMES) {
      check(failures, "create org " + Names.show(bad), create(ALICE, bad, "ok", false), 400, 403);
      check(failures, "create name " + Names.show(bad), create(ALICE, "alice", bad, false), 400);
      String e = enc(bad);
      List<String[]> requests =
          List.of(
              new String[] {"GET", "/api/datasets/alice/" + e},
              new String[] {"GET", "/api/datasets/" + e + "/d"},
              new String[] {"GET", "/api/datasets/" + e + "/" + e},
              new String[] {"GET", "/api/datasets/alice/" + e + "/revision/main"},
              new String[] {"GET", "/api/datasets/alice/" + e + "/tree/main"},
              new String[] {"GET", "/api/datasets/alice/" + e + "/commits/main"},
              new String[] {"POST", "/api/datasets/alice/" + e + "/paths-info/main"},
              new String[] {"POST", "/api/datasets/alice/" + e + "/preupload/main"},
              new String[] {"POST", "/api/datasets/alice/" + e + "/commit/main"},
              new String[] {"POST", "/datasets/alice/" + e + ".git/info/lfs/objects/batch"},
              new String[] {"GET", "/datasets/alice/" + e + "/resolve/main/a.txt"},
              new String[] {"GET", "/datasets/" + e + "/" + e + "/resolve/main/a.txt"});
      for (String[] r : requests) {
        check(
            failures,
            r[0] + " " + r[1],
            send(r[0], r[1], ALICE, r[0].equals("POST") ? "{}" : null),
            400,
            404);
      }
    }
    // Encoded traversal in one segment, the report's case.
    check(
        failures,
        "dotdot repo",
        send("GET", "/api/datasets/..%2F..%2F..%2F..%2Fetc", ALICE, null),
        400,
        404);
    check(
        failures,
        "dotdot repo 2",
        send("GET", "/api/datasets/..%2F../..%2F..", ALICE, null),
        400,
        404);

    for (String bad : HOSTILE_PATHS) {
      String shown = Names.show(bad);
      check(failures, "commit file " + shown, commit(ALICE, "alice/d", fileLine(bad, "x")), 400);
      check(
          failures,
          "commit lfsFile " + shown,
          commit(
              ALICE,
              "alice/d",
              JSON.writeValueAsString(
                  Map.of(
                      "key",
                      "lfsFile",
                      "value",
                      Map.of("path", bad, "algo", "sha256", "oid", "a".repeat(64), "size", 1)))),
          400);
      check(
          failures,
          "commit deletedFile " + shown,
          commit(
              ALICE,
              "alice/d",
              JSON.writeValueAsString(Map.of("key", "deletedFile", "value", Map.of("path", bad)))),
          400);
      if (!bad.equals("a/")) { // a folder may be named with a trailing "/"
        check(
            failures,
            "commit deletedFolder " + shown,
            commit(
                ALICE,
                "alice/d",
                JSON.writeValueAsString(
                    Map.of("key", "deletedFolder", "value", Map.of("path", bad)))),
            400);
      }
      if (!bad.isEmpty() && !bad.equals("a/")) {
        check(
            failures,
            "resolve " + shown,
            send("GET", "/datasets/alice/d/resolve/main/" + enc(bad), null, null),
            400);
        check(
            failures,
            "tree " + shown,
            send("GET", "/api/datasets/alice/d/tree/main/" + enc(bad), null, null),
            400);
      }
      if (!bad.equals("a/")) {
        check(
            failures,
            "paths-info " + shown,
            send(
                "POST",
                "/api/datasets/alice/d/paths-info/main",
                null,
                JSON.writeValueAsString(Map.of("paths", List.of(bad)))),
            400);
      }
      check(
          failures,
          "preupload " + shown,
          send(
              "POST",
              "/api/datasets/alice/d/preupload/main",
              ALICE,
              JSON.writeValueAsString(
                  Map.of("files", List.of(Map.of("path", bad, "size", 1, "sample", ""))))),
          400);
    }
    check(failures, "raw //", send("GET", "/datasets/alice/d/resolve/main/a//b", null, null), 400);
    check(
        failures,
        "raw ..",
        send("GET", "/datasets/alice/d/resolve/main/a/%2E%2E/%2E%2E/%2E%2E/x", null, null),
        400);
    check(failures, "bad escape", send("GET", "/api/datasets/alice/%zz", null, null), 400);
    check(
        failures,
        "bad escape in query",
        send("GET", "/api/datasets/alice/d/tree/main?cursor=%zz", null, null),
        400);
    check(
        failures,
        "revision ..",
        send("GET", "/api/datasets/alice/d/revision/..%2F..%2Fx", null, null),
        400);

    // A file where a directory is, or the other way round, in one commit or across two.
    assertThat(commit(ALICE, "alice/d", fileLine("dir/f.txt", "f")).status(), is(200));
    check(failures, "file over dir", commit(ALICE, "alice/d", fileLine("dir", "x")), 400);
    check(failures, "dir over file", commit(ALICE, "alice/d", fileLine("dir/f.txt/g", "x")), 400);
    check(
        failures,
        "both in one commit",
        commit(ALICE, "alice/d", fileLine("e", "x"), fileLine("e/f", "y")),
        400);
    Reply clash = commit(ALICE, "alice/d", fileLine("dir", "x"));
    assertThat(clash.body(), containsString("dir"));
    String deleteFolder =
        JSON.writeValueAsString(Map.of("key", "deletedFolder", "value", Map.of("path", "dir/")));
    check(
        failures,
        "replace dir by file",
        commit(ALICE, "alice/d", deleteFolder, fileLine("dir", "now a file")),
        200);
    assertThat(
        send("GET", "/datasets/alice/d/resolve/main/dir", null, null).body(), is("now a file"));
    assertEquals(List.of(), failures);

    assertThat(outside(), is(outsideBefore));
    assertThat(Files.readString(tmp.resolve("outside.txt")), is("do not touch"));
    // Every repo is where its valid id says.
    try (Stream<Path> repos = Files.walk(tmp.resolve("data").resolve("repos"), 3)) {
      Set<String> ids =
          new TreeSet<>(
              repos
                  .filter(p -> tmp.resolve("data/repos").relativize(p).getNameCount() == 3)
                  .map(p -> tmp.resolve("data/repos").relativize(p).toString())
                  .toList());
      assertThat(ids, is(Set.of("datasets/alice/d", "datasets/alice/a.b_c-1")));
    }
  }

  private static void check(List<String> failures, String what, Reply reply, int... expected) {
    for (int e : expected) if (reply.status() == e) return;
    failures.add(
        what
            + ": "
            + reply.status()
            + " "
            + reply.body().substring(0, Math.min(120, reply.body().length())));
  }

  /** Every file and folder under the test's temp dir that is not inside the Hub's data. */
  private Set<String> outside() throws IOException {
    try (Stream<Path> all = Files.walk(tmp)) {
      return new TreeSet<>(
          all.filter(p -> !p.startsWith(tmp.resolve("data"))).map(Path::toString).toList());
    }
  }

  // ---- item 16: hosts

  @Test
  void otherHostsAreRefusedAndUrlsUseAnAllowedHostOrThePublicUrl() throws Exception {
    start(LocalHubServer.Options.defaults().withAllowedHosts(List.of("hub.internal")));
    int port = hub.port();
    assertThat(
        raw("evil.example:" + port, "GET", "/api/whoami-v2", ALICE, null, null).status(), is(421));
    assertThat(
        raw(
                "evil.example",
                "POST",
                "/api/repos/create",
                ALICE,
                "application/json",
                "{\"name\":\"x\",\"type\":\"dataset\"}".getBytes(StandardCharsets.UTF_8))
            .status(),
        is(421));
    assertThat(
        raw("127.0.0.1:" + (port + 1), "GET", "/api/whoami-v2", ALICE, null, null).status(),
        is(421));
    assertThat(
        raw("localhost:" + port, "GET", "/api/whoami-v2", ALICE, null, null).status(), is(200));
    assertThat(
        raw("LOCALHOST:" + port, "GET", "/api/whoami-v2", ALICE, null, null).status(), is(200));
    assertThat(
        raw("127.0.0.1:" + port, "GET", "/api/whoami-v2", ALICE, null, null).status(), is(200));
    Reply viaName =
        raw(
            "hub.internal:8443",
            "POST",
            "/api/repos/create",
            ALICE,
            "application/json",
            "{\"name\":\"x\",\"type\":\"dataset\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(viaName.status(), is(200));
    assertThat(
        viaName.json().path("url").asText(), is("http://hub.internal:8443/datasets/alice/x"));
    assertThat(Files.exists(tmp.resolve("data/repos/datasets/x")), is(false));
    hub.close();

    hub =
        LocalHubServer.start(
            0,
            tmp.resolve("data"),
            LocalHubServer.Options.defaults()
                .withToken(ALICE, "alice")
                .withPublicUrl("https://hub.example.org/"));
    Reply created =
        raw(
            "hub.example.org",
            "POST",
            "/api/repos/create",
            ALICE,
            "application/json",
            "{\"name\":\"y\",\"type\":\"dataset\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(created.json().path("url").asText(), is("https://hub.example.org/datasets/alice/y"));
    Reply local =
        raw(
            "127.0.0.1:" + hub.port(),
            "POST",
            "/api/repos/create",
            ALICE,
            "application/json",
            "{\"name\":\"z\",\"type\":\"dataset\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(local.json().path("url").asText(), startsWith("https://hub.example.org/"));
    assertThat(raw("evil.example", "GET", "/api/whoami-v2", ALICE, null, null).status(), is(421));
    assertThat(
        raw("evil.example", "GET", "/api/whoami-v2", ALICE, null, null).body(),
        not(containsString(ALICE)));
  }

  /** Anything the test leaves in a failure message must never be a token. */
  @Test
  void usersToStringHidesTokens() {
    Users users = Users.none().with(ALICE, "alice");
    assertThat(users.toString(), not(containsString(ALICE)));
    assertThat(users.authenticate(ALICE).orElseThrow().name(), is("alice"));
    assertThat(users.authenticate(BOB).isPresent(), is(false));
  }
}
