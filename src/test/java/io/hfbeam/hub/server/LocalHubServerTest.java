package io.hfbeam.hub.server;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTP details the official clients depend on, checked request by request. */
class LocalHubServerTest {
  static final String AUTH = "Bearer hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  LocalHubServer hub;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    hub =
        LocalHubServer.start(
            0,
            tmp,
            LocalHubServer.Options.defaults().withToken(AUTH.substring(7), "hfbeam-local", "o"));
    send(
        "POST",
        "/api/repos/create",
        "{\"name\":\"d\",\"organization\":\"o\",\"type\":\"dataset\",\"private\":true}",
        "application/json",
        true);
  }

  @AfterEach
  void stop() {
    hub.close();
  }

  HttpResponse<String> send(
      String method, String path, String body, String contentType, boolean auth) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(hub.url() + path))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (auth) b.header("Authorization", AUTH);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  String commit(String parent, String path, String content) throws Exception {
    String header =
        "{\"key\":\"header\",\"value\":{\"summary\":\"s\""
            + (parent == null ? "" : ",\"parentCommit\":\"" + parent + "\"")
            + "}}";
    String file =
        "{\"key\":\"file\",\"value\":{\"path\":\""
            + path
            + "\",\"encoding\":\"base64\",\"content\":\""
            + Base64.getEncoder().encodeToString(content.getBytes())
            + "\"}}";
    HttpResponse<String> r =
        send(
            "POST",
            "/api/datasets/o/d/commit/main",
            header + "\n" + file,
            "application/x-ndjson",
            true);
    return r.statusCode() == 200
        ? JSON.readTree(r.body()).path("commitOid").asText()
        : "status " + r.statusCode();
  }

  @Test
  void rangesEtagsAndEntryNotFound() throws Exception {
    String oid = commit(null, "dir/f.txt", "0123456789");
    HttpRequest ranged =
        HttpRequest.newBuilder(URI.create(hub.url() + "/datasets/o/d/resolve/main/dir/f.txt"))
            .header("Range", "bytes=2-4")
            .header("Authorization", AUTH)
            .build();
    HttpResponse<String> r = http.send(ranged, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode(), is(206));
    assertThat(r.body(), is("234"));
    assertThat(r.headers().firstValue("Content-Range").orElseThrow(), is("bytes 2-4/10"));
    assertThat(r.headers().firstValue("X-Repo-Commit").orElseThrow(), is(oid));
    assertThat(r.headers().firstValue("ETag").orElseThrow(), startsWith("\""));

    HttpResponse<String> missing =
        send("HEAD", "/datasets/o/d/resolve/" + oid + "/nope.txt", null, null, true);
    assertThat(missing.statusCode(), is(404));
    assertThat(missing.headers().firstValue("X-Error-Code").orElseThrow(), is("EntryNotFound"));
    assertThat(missing.headers().firstValue("X-Repo-Commit").orElseThrow(), is(oid));
  }

  @Test
  void privateRepoNeedsTokenAndStaleParentGets412() throws Exception {
    String first = commit(null, "a.txt", "a");
    assertThat(send("GET", "/api/datasets/o/d", null, null, false).statusCode(), is(401));
    assertThat(send("GET", "/api/datasets/o/d", null, null, true).statusCode(), is(200));
    commit(first, "b.txt", "b");
    assertThat(commit(first, "c.txt", "c"), is("status 412"));
    assertThat(send("GET", "/api/whoami-v2", null, null, false).statusCode(), is(401));
  }

  @Test
  void treeAcceptsEncodedPathsAndPathsInfoTakesFormOrJson() throws Exception {
    commit(null, "a/b/c.txt", "c");
    JsonNode tree =
        JSON.readTree(
            send("GET", "/api/datasets/o/d/tree/main/a%2Fb?recursive=false", null, null, true)
                .body());
    assertThat(tree.get(0).path("path").asText(), is("a/b/c.txt"));
    JsonNode form =
        JSON.readTree(
            send(
                    "POST",
                    "/api/datasets/o/d/paths-info/main",
                    "paths=a%2Fb%2Fc.txt&paths=zz&expand=true",
                    "application/x-www-form-urlencoded",
                    true)
                .body());
    assertThat(form.size(), is(1));
    assertThat(form.get(0).path("lastCommit").path("title").asText(), is("s"));
    JsonNode json =
        JSON.readTree(
            send(
                    "POST",
                    "/api/datasets/o/d/paths-info/main",
                    "{\"paths\":[\"a\",\"zz\"]}",
                    "application/json",
                    true)
                .body());
    assertThat(json.get(0).path("type").asText(), is("directory"));
    HttpResponse<String> bad =
        send(
            "POST",
            "/api/validate-yaml",
            "{\"content\":\"---\\nkey: [unclosed\\n---\\n\"}",
            "application/json",
            true);
    assertThat(bad.statusCode(), is(400));
    assertThat(bad.body(), containsString("\"errors\""));
  }
}
