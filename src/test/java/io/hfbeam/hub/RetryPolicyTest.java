package io.hfbeam.hub;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.allOf;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static HttpHeaders headers(Map<String, String> h) {
    return HttpHeaders.of(
        h.entrySet().stream()
            .collect(
                java.util.stream.Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue()))),
        (a, b) -> true);
  }

  @Test
  void backoffDoublesWithJitterUpToTheCap() {
    RetryPolicy p = RetryPolicy.of(8, Duration.ofMillis(100), Duration.ofMillis(1000));
    for (int i = 0; i < 50; i++) {
      assertThat(
          p.delay(1, null).toMillis(), allOf(greaterThanOrEqualTo(50L), lessThanOrEqualTo(100L)));
      assertThat(
          p.delay(3, null).toMillis(), allOf(greaterThanOrEqualTo(200L), lessThanOrEqualTo(400L)));
      assertThat(
          p.delay(10, null).toMillis(),
          allOf(greaterThanOrEqualTo(500L), lessThanOrEqualTo(1000L)));
    }
  }

  @Test
  void honoursRetryAfterThenRateLimitCappedByMaxRetryAfter() {
    RetryPolicy p = RetryPolicy.of(8, Duration.ofMillis(1), Duration.ofMillis(2));
    assertThat(p.delay(1, headers(Map.of("Retry-After", "7"))), is(Duration.ofSeconds(7)));
    assertThat(
        p.delay(1, headers(Map.of("RateLimit", "\"api\";r=0;t=42"))), is(Duration.ofSeconds(42)));
    assertThat(
        p.withMaxRetryAfter(Duration.ofSeconds(5)).delay(1, headers(Map.of("Retry-After", "3600"))),
        is(Duration.ofSeconds(5)));
  }

  @Test
  void retriesOnlyTransientStatuses() {
    RetryPolicy p = RetryPolicy.defaults();
    for (int s : new int[] {429, 500, 502, 503, 504}) assertThat(p.isRetryableStatus(s), is(true));
    for (int s : new int[] {400, 401, 403, 404, 409, 412})
      assertThat(p.isRetryableStatus(s), is(false));
  }
}
