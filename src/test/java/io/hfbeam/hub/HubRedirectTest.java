package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the real Hub does and LocalHubServer does not: relative redirects for renamed repos and file
 * bytes.
 */
class HubRedirectTest {
  @TempDir Path tmp;

  @Test
  void followsRelativeRedirectsWithTheTokenAndReadsMetadataFromTheFinalAnswer() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    AtomicReference<String> authOnTarget = new AtomicReference<>();
    byte[] content = "hello".getBytes(StandardCharsets.UTF_8);
    String commit = "a".repeat(40);
    server.createContext(
        "/api/datasets/old/name/revision/main",
        ex -> {
          ex.getResponseHeaders().add("Location", "/api/datasets/new/name/revision/main");
          ex.sendResponseHeaders(307, -1);
          ex.close();
        });
    server.createContext(
        "/api/datasets/new/name/revision/main",
        ex -> {
          authOnTarget.set(ex.getRequestHeaders().getFirst("Authorization"));
          byte[] body =
              ("{\"id\":\"new/name\",\"sha\":\"" + commit + "\",\"siblings\":[]}")
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.createContext(
        "/datasets/new/name/resolve/main/f.txt",
        ex -> {
          ex.getResponseHeaders()
              .add("Location", "/api/resolve-cache/datasets/new/name/" + commit + "/f.txt");
          ex.sendResponseHeaders(307, -1);
          ex.close();
        });
    server.createContext(
        "/api/resolve-cache/",
        ex -> {
          ex.getResponseHeaders().add("X-Repo-Commit", commit);
          ex.getResponseHeaders().add("ETag", "\"" + GitOids.gitBlobSha1(content) + "\"");
          boolean head = ex.getRequestMethod().equals("HEAD");
          ex.getResponseHeaders().add("Content-Length", Integer.toString(content.length));
          ex.sendResponseHeaders(200, head ? -1 : content.length);
          if (!head) ex.getResponseBody().write(content);
          ex.close();
        });
    server.start();
    try {
      HubClient client =
          HubClient.Settings.builder()
              .environment(
                  Map.of(
                      "HF_ENDPOINT",
                      "http://127.0.0.1:" + server.getAddress().getPort(),
                      "HF_TOKEN",
                      HubClientTest.TOKEN,
                      "HF_HOME",
                      tmp.toString()))
              .build()
              .newClient();
      assertThat(client.repoInfo(RepoId.dataset("old/name"), "main").sha(), is(commit));
      assertThat(authOnTarget.get(), is("Bearer " + HubClientTest.TOKEN));
      Path file = client.download(RepoId.dataset("new/name"), "main", "f.txt");
      assertThat(Files.readString(file), is("hello"));
    } finally {
      server.stop(0);
    }
  }
}
