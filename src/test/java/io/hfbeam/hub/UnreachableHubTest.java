package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An HF_ENDPOINT that does not answer: a line saying what the client waits for, then a failure in
 * bounded time.
 */
class UnreachableHubTest {
  @TempDir java.nio.file.Path tmp;

  private HubClient client(String endpoint, List<String> notices) throws Exception {
    return HubClient.Settings.builder()
        .environment(
            Map.of(
                "HF_ENDPOINT",
                endpoint,
                "HF_HOME",
                tmp.toString(),
                "HF_TOKEN",
                HubClientTest.TOKEN))
        .retry(
            RetryPolicy.of(
                8, Duration.ofMillis(500), Duration.ofSeconds(60))) // 8 attempts: minutes unbounded
        .requestTimeout(Duration.ofSeconds(1))
        .noAnswerNotice(Duration.ofMillis(500), notices::add)
        .noAnswerDeadline(Duration.ofSeconds(3))
        .build()
        .newClient();
  }

  @Test
  void aServerThatAcceptsButNeverAnswersIsReportedThenGivenUp() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String endpoint = "http://127.0.0.1:" + silent.getLocalPort();
      List<String> notices = new CopyOnWriteArrayList<>();
      long t0 = System.nanoTime();
      HubException e = assertThrows(HubException.class, () -> client(endpoint, notices).whoami());
      assertThat((System.nanoTime() - t0) / 1e9, lessThan(6.0));
      assertThat(e.getMessage(), containsString("No answer from " + endpoint));
      assertThat(e.getMessage().lines().count(), is(1L));
      assertThat(notices, hasSize(1));
      assertThat(notices.get(0), containsString("waiting for " + endpoint));
      assertThat(notices.get(0), containsString("no answer after 0.5 s (giving up after 3 s)"));
    }
  }

  @Test
  void aRefusedConnectionIsRetriedOnlyUntilTheDeadline() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    String endpoint = "http://127.0.0.1:" + port;
    List<String> notices = new CopyOnWriteArrayList<>();
    long t0 = System.nanoTime();
    HubException e = assertThrows(HubException.class, () -> client(endpoint, notices).whoami());
    assertThat(
        (System.nanoTime() - t0) / 1e9,
        lessThan(6.0)); // 8 attempts with backoff would take minutes
    assertThat(e.getMessage(), containsString("No answer from " + endpoint));
    assertThat(e.getMessage(), containsString("ConnectException"));
    assertThat(notices.get(0), containsString("waiting for " + endpoint));
  }

  @Test
  void theDefaultsAreTheDocumentedOnes() {
    HubClient.Settings s = HubClient.Settings.builder().build();
    assertThat(s.connectTimeout(), is(Duration.ofSeconds(10)));
    assertThat(s.noAnswerNotice(), is(Duration.ofSeconds(5)));
    assertThat(s.noAnswerDeadline(), is(Duration.ofSeconds(30)));
  }
}
