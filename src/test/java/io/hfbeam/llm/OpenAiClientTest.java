package io.hfbeam.llm;

import static io.hfbeam.llm.ScriptedOpenAiServer.embeddings;
import static io.hfbeam.llm.ScriptedOpenAiServer.error;
import static io.hfbeam.llm.ScriptedOpenAiServer.invalidJson;
import static io.hfbeam.llm.ScriptedOpenAiServer.ok;
import static io.hfbeam.llm.ScriptedOpenAiServer.rateLimited;
import static io.hfbeam.llm.ScriptedOpenAiServer.reset;
import static io.hfbeam.llm.ScriptedOpenAiServer.schemaViolating;
import static io.hfbeam.llm.ScriptedOpenAiServer.serverError;
import static io.hfbeam.llm.ScriptedOpenAiServer.slow;
import static io.hfbeam.llm.ScriptedOpenAiServer.status;
import static io.hfbeam.llm.ScriptedOpenAiServer.unauthorized;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiClientTest {
  private static final String KEY = "sk-" + "test-SECRETkey0123456789";
  private static final String SCHEMA =
      "{\"title\":\"paraphrase\",\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},"
          + "\"required\":[\"text\"],\"additionalProperties\":false}";

  private ScriptedOpenAiServer server;
  private FakeTime time;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedOpenAiServer();
    time = new FakeTime(Instant.parse("2026-01-01T00:00:00Z"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private OpenAiClient.Settings settings() {
    return OpenAiClient.Settings.fromEnvironment(Map.of())
        .withBaseUrl(server.baseUrl())
        .withApiKey(KEY)
        .withMaxAttempts(4)
        .withBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
        .withTime(time, time)
        .withJitter(() -> 1.0);
  }

  private OpenAiClient client() {
    return new OpenAiClient(settings());
  }

  private static ChatRequest request(String schema) {
    return new ChatRequest(
        "gpt-4o-mini",
        List.of(ChatMessage.system("be brief"), ChatMessage.user("hello")),
        0.2,
        64,
        7L,
        schema);
  }

  @Test
  void sendsTheRequestFieldsAndTheKeyOnlyInTheAuthorizationHeader() throws Exception {
    server.enqueue(ok("{\"text\":\"hi\"}", 12, 3));
    OpenAiClient client = client();

    ChatResult result = client.chat(request(SCHEMA));

    assertEquals(new ChatResult("{\"text\":\"hi\"}", "stop", 12, 3, "gpt-4o-mini"), result);
    ScriptedOpenAiServer.Received got = server.requests().get(0);
    assertEquals("POST", got.method());
    assertEquals("/chat/completions", got.path());
    assertEquals("Bearer " + KEY, got.header("Authorization"));
    got.headers()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Authorization")) {
                assertFalse(values.toString().contains(KEY), name);
              }
            });
    assertFalse(got.body().contains(KEY));
    JsonNode body = got.json();
    assertEquals("gpt-4o-mini", body.path("model").asText());
    assertEquals("system", body.path("messages").path(0).path("role").asText());
    assertEquals("hello", body.path("messages").path(1).path("content").asText());
    assertEquals(0.2, body.path("temperature").asDouble());
    assertEquals(64, body.path("max_tokens").asInt());
    assertEquals(7, body.path("seed").asLong());
    JsonNode format = body.path("response_format");
    assertEquals("json_schema", format.path("type").asText());
    assertEquals("paraphrase", format.path("json_schema").path("name").asText());
    assertTrue(format.path("json_schema").path("strict").asBoolean());
    assertEquals("string", format.at("/json_schema/schema/properties/text/type").asText());

    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(1, stats.requests());
    assertEquals(1, stats.succeeded());
    assertEquals(12, stats.promptTokens());
    assertEquals(3, stats.completionTokens());
    assertEquals(0, stats.totalRetries());
  }

  @Test
  void freeTextRequestsHaveNoResponseFormatAndNoKeyMeansNoAuthorization() throws Exception {
    OpenAiClient client = new OpenAiClient(settings().withApiKey(null));
    client.chat(new ChatRequest("m", List.of(ChatMessage.user("x")), null, null, null, null));

    ScriptedOpenAiServer.Received got = server.requests().get(0);
    assertNull(got.header("Authorization"));
    JsonNode body = got.json();
    assertTrue(body.path("response_format").isMissingNode());
    assertTrue(body.path("temperature").isMissingNode());
    assertTrue(body.path("max_tokens").isMissingNode());
    assertTrue(body.path("seed").isMissingNode());
  }

  @Test
  void rateLimitWithRetryAfterSecondsWaitsExactlyThatLongWithoutBackoff() throws Exception {
    server.enqueue(rateLimited("3"), ok("fine"));
    OpenAiClient client = client();

    assertEquals("fine", client.chat(request(null)).content());

    assertEquals(List.of(Duration.ofSeconds(3)), time.sleeps());
    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(1, stats.retries(RetryCause.RATE_LIMITED));
    assertEquals(2, stats.requests());
  }

  @Test
  void retryAfterBlocksEveryCallerNotOnlyTheOneThatGotThe429() throws Exception {
    server.enqueue(rateLimited("5"));
    OpenAiClient client = new OpenAiClient(settings().withMaxAttempts(1));
    assertThrows(OpenAiException.class, () -> client.chat(request(null)));
    assertEquals(List.of(), time.sleeps());

    client.chat(request(null)); // another call: it waits out the shared Retry-After first

    assertEquals(List.of(Duration.ofSeconds(5)), time.sleeps());
  }

  @Test
  void retryAfterAsAnHttpDateIsHonoured() throws Exception {
    String at =
        DateTimeFormatter.RFC_1123_DATE_TIME.format(
            time.instant().plusSeconds(7).atOffset(ZoneOffset.UTC));
    server.enqueue(rateLimited(at), ok("fine"));

    client().chat(request(null));

    assertEquals(Duration.ofSeconds(7), time.slept());
  }

  @Test
  void aHostileRetryAfterIsCapped() throws Exception {
    server.enqueue(rateLimited("999999999"), ok("fine"));
    OpenAiClient client = new OpenAiClient(settings().withMaxRetryAfter(Duration.ofSeconds(30)));

    client.chat(request(null));

    assertEquals(Duration.ofSeconds(30), time.slept());
  }

  @Test
  void rateLimitWithoutRetryAfterBacksOffExponentiallyWithJitter() throws Exception {
    server.enqueue(rateLimited(null), rateLimited(null), rateLimited(null), ok("fine"));
    OpenAiClient client = new OpenAiClient(settings().withJitter(() -> 0.5));

    client.chat(request(null));

    // Full jitter at 0.5: half of 100, 200, 400 ms.
    assertEquals(
        List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200)),
        time.sleeps());
    assertEquals(3, client.stats().snapshot().retries(RetryCause.RATE_LIMITED));
  }

  @Test
  void backoffIsCapped() {
    OpenAiClient client = client();
    assertEquals(Duration.ofMillis(100), client.backoff(1));
    assertEquals(Duration.ofMillis(800), client.backoff(4));
    assertEquals(Duration.ofSeconds(1), client.backoff(5));
    assertEquals(Duration.ofSeconds(1), client.backoff(60));
  }

  @Test
  void serverErrorsAreRetriedThenGiveUpWithOneLine() throws Exception {
    server.enqueue(serverError(), serverError(), serverError(), serverError(), ok("too late"));
    OpenAiClient client = client();

    OpenAiException e = assertThrows(OpenAiException.class, () -> client.chat(request(null)));

    assertEquals(500, e.status());
    assertTrue(e.getMessage().contains("gave up after 4 attempts"), e.getMessage());
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(4, stats.requests());
    assertEquals(3, stats.retries(RetryCause.SERVER_ERROR));
    assertEquals(1, stats.failures());
    assertEquals(0, stats.succeeded());
  }

  @Test
  void aResetConnectionIsRetried() throws Exception {
    server.enqueue(reset(), ok("after reset"));
    OpenAiClient client = client();

    assertEquals("after reset", client.chat(request(null)).content());

    assertEquals(1, client.stats().snapshot().retries(RetryCause.CONNECTION));
    assertEquals(List.of(Duration.ofMillis(100)), time.sleeps());
  }

  @Test
  void anAnswerPastTheTimeoutIsRetried() throws Exception {
    server.enqueue(slow(Duration.ofSeconds(3), ok("too slow")), ok("in time"));
    OpenAiClient client = new OpenAiClient(settings().withRequestTimeout(Duration.ofMillis(300)));

    long start = System.nanoTime();
    assertEquals("in time", client.chat(request(null)).content());

    assertTrue(System.nanoTime() - start < 2_500_000_000L, "did not wait for the slow answer");
    assertEquals(1, client.stats().snapshot().retries(RetryCause.TIMEOUT));
  }

  @Test
  void aBodyThatStallsAfterTheHeadersTimesOutToo() throws Exception {
    server.enqueue(ScriptedOpenAiServer.stalledBody(Duration.ofSeconds(3)), ok("in time"));
    OpenAiClient client = new OpenAiClient(settings().withRequestTimeout(Duration.ofMillis(300)));

    long start = System.nanoTime();
    assertEquals("in time", client.chat(request(null)).content());

    assertTrue(System.nanoTime() - start < 2_500_000_000L, "did not wait for the stalled body");
    assertEquals(1, client.stats().snapshot().retries(RetryCause.TIMEOUT));
  }

  @Test
  void invalidJsonIsRetriedAndReportedWhenItPersists() throws Exception {
    server.enqueue(invalidJson(), ok("valid"));
    OpenAiClient client = client();
    assertEquals("valid", client.chat(request(null)).content());
    assertEquals(1, client.stats().snapshot().retries(RetryCause.INVALID_RESPONSE));

    server.enqueue(invalidJson(), invalidJson(), invalidJson(), invalidJson());
    OpenAiException e = assertThrows(OpenAiException.class, () -> client.chat(request(null)));
    assertTrue(e.getMessage().contains("the answer is not JSON"), e.getMessage());
    assertEquals(4, client.stats().snapshot().retries(RetryCause.INVALID_RESPONSE));
  }

  @Test
  void anAnswerWithoutChoicesIsInvalid() throws Exception {
    server.enqueue(status(200, "{\"choices\": []}", Map.of()), ok("valid"));
    OpenAiClient client = client();
    assertEquals("valid", client.chat(request(null)).content());
    assertEquals(1, client.stats().snapshot().retries(RetryCause.INVALID_RESPONSE));
  }

  @Test
  void aSchemaViolatingAnswerReachesTheCallerUnchangedForItsValidation() throws Exception {
    // Decision: the client checks the protocol, the workflow checks the answer against the schema
    // (so the raw answer can go to _errors/ with the reason); no retry here.
    server.enqueue(schemaViolating());
    OpenAiClient client = client();

    ChatResult result = client.chat(request(SCHEMA));

    assertEquals("{\"unexpected\": [1, 2, 3]}", result.content());
    assertEquals(0, client.stats().snapshot().totalRetries());
  }

  @Test
  void unauthorizedFailsFastWithTheServersMessageAndTheKeyMasked() throws Exception {
    server.enqueue(unauthorized("Incorrect API key provided: " + KEY + "."));
    OpenAiClient client = client();

    OpenAiException e = assertThrows(OpenAiException.class, () -> client.chat(request(null)));

    assertEquals(401, e.status());
    assertTrue(e.getMessage().contains("Incorrect API key provided"), e.getMessage());
    assertFalse(e.getMessage().contains(KEY), e.getMessage());
    assertFalse(e.getMessage().contains("SECRETkey"), e.getMessage());
    assertEquals(1, server.requests().size());
    assertEquals(0, client.stats().snapshot().totalRetries());
    assertEquals(List.of(), time.sleeps());
  }

  @Test
  void badRequestForbiddenAndNotFoundFailFast() throws Exception {
    for (int code : new int[] {400, 403, 404}) {
      server.enqueue(error(code, "nope " + code));
      OpenAiException e = assertThrows(OpenAiException.class, () -> client().chat(request(null)));
      assertEquals(code, e.status());
      assertTrue(e.getMessage().endsWith("HTTP " + code + ": nope " + code), e.getMessage());
    }
    assertEquals(3, server.requests().size());
  }

  @Test
  void insufficientQuotaIsNotRetried() throws Exception {
    server.enqueue(
        status(
            429,
            "{\"error\":{\"message\":\"You exceeded your current quota\",\"code\":\"insufficient_quota\"}}",
            Map.of()));
    OpenAiException e = assertThrows(OpenAiException.class, () -> client().chat(request(null)));
    assertEquals(429, e.status());
    assertEquals(1, server.requests().size());
  }

  @Test
  void aServerThatRefusesResponseFormatIsAskedOnceMoreWithoutItAndRemembered() throws Exception {
    server.enqueue(error(400, "Unrecognized request argument supplied: response_format"));
    OpenAiClient client = client();

    assertEquals("ok", client.chat(request(SCHEMA)).content());
    assertEquals("ok", client.chat(request(SCHEMA)).content());

    List<ScriptedOpenAiServer.Received> got = server.requests();
    assertEquals(3, got.size());
    assertTrue(got.get(0).json().has("response_format"));
    assertFalse(got.get(1).json().has("response_format"));
    assertFalse(got.get(2).json().has("response_format"), "remembered for later calls");
    assertTrue(client.structuredOutputRefused());
    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(1, stats.retries(RetryCause.RESPONSE_FORMAT_REFUSED));
    assertEquals(0, stats.failures());
  }

  @Test
  void aBadRequestNotAboutResponseFormatIsNotRetried() throws Exception {
    server.enqueue(error(400, "messages: too long"));
    OpenAiClient client = client();
    assertThrows(OpenAiException.class, () -> client.chat(request(SCHEMA)));
    assertEquals(1, server.requests().size());
    assertFalse(client.structuredOutputRefused());
  }

  @Test
  void rateLimitHeadersSpreadTheRemainingRequestsOverTheResetWindow() throws Exception {
    server.enqueue(
        ok(
            "a",
            1,
            1,
            Map.of("x-ratelimit-remaining-requests", "2", "x-ratelimit-reset-requests", "1s")));
    OpenAiClient client = client();

    client.chat(request(null)); // learns: 2 requests left in 1 s -> one every 500 ms
    client.chat(request(null)); // starts at once (no answer since spaced it)
    client.chat(request(null)); // waits for its slot

    assertEquals(List.of(Duration.ofMillis(500)), time.sleeps());
  }

  @Test
  void noRequestsLeftWaitsForTheReset() throws Exception {
    server.enqueue(
        ok(
            "a",
            1,
            1,
            Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2m0s")));
    OpenAiClient client = client();
    client.chat(request(null));
    client.chat(request(null));
    assertEquals(List.of(Duration.ofMinutes(2)), time.sleeps());
  }

  @Test
  void fewTokensLeftSlowDownToo() throws Exception {
    server.enqueue(
        ok(
            "a",
            80,
            20,
            Map.of("x-ratelimit-remaining-tokens", "400", "x-ratelimit-reset-tokens", "2s")));
    OpenAiClient client = client();
    client.chat(request(null)); // 100 tokens a request, 400 left in 2 s -> one every 500 ms
    client.chat(request(null));
    client.chat(request(null));
    assertEquals(List.of(Duration.ofMillis(500)), time.sleeps());
  }

  @Test
  void concurrencyNeverExceedsTheLimit() throws Exception {
    server.latency(Duration.ofMillis(80));
    OpenAiClient client =
        new OpenAiClient(
            settings().withConcurrency(3).withTime(java.time.Clock.systemUTC(), Sleeper.REAL));
    ExecutorService callers = Executors.newFixedThreadPool(12);
    try {
      List<Future<ChatResult>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(callers.submit(() -> client.chat(request(null))));
      }
      for (Future<ChatResult> result : results) {
        assertEquals("ok", result.get().content());
      }
    } finally {
      callers.shutdownNow();
    }
    assertEquals(3, server.maxInFlight());
    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(12, stats.succeeded());
    assertTrue(stats.p50Millis() >= 80, "latency recorded: " + stats.p50Millis());
  }

  @Test
  void rateLimitsUnderLoadAreRetriedWithinTheConcurrencyLimit() throws Exception {
    Map<String, String> wait = Map.of("retry-after-ms", "100");
    server.enqueue(
        status(429, "{}", wait), status(429, "{}", wait), status(429, "{}", wait), serverError());
    server.latency(Duration.ofMillis(30));
    OpenAiClient client =
        new OpenAiClient(
            settings().withConcurrency(4).withTime(java.time.Clock.systemUTC(), Sleeper.REAL));
    ExecutorService callers = Executors.newFixedThreadPool(16);
    try {
      List<Future<ChatResult>> results = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        results.add(callers.submit(() -> client.chat(request(null))));
      }
      for (Future<ChatResult> result : results) {
        assertEquals("ok", result.get().content());
      }
    } finally {
      callers.shutdownNow();
    }
    assertTrue(server.maxInFlight() <= 4, "in flight: " + server.maxInFlight());
    Stats.Snapshot stats = client.stats().snapshot();
    assertEquals(20, stats.requests());
    assertEquals(3, stats.retries(RetryCause.RATE_LIMITED));
    assertEquals(1, stats.retries(RetryCause.SERVER_ERROR));
    assertEquals(16, stats.succeeded());
    assertEquals(0, stats.failures());
  }

  @Test
  void noTextsNeedNoRequest() throws Exception {
    assertEquals(0, client().embeddings("emb", List.of()).vectors().length);
    assertEquals(0, server.requests().size());
  }

  @Test
  void theKeyNeverAppearsInToStringOrInAnyMessage() throws Exception {
    OpenAiClient client = client();
    assertFalse(client.toString().contains(KEY), client.toString());
    assertTrue(client.settings().toString().contains("apiKey=***"), client.settings().toString());

    server.enqueue(
        status(500, "internal: key was " + KEY, Map.of()),
        status(500, "internal: key was " + KEY, Map.of()),
        status(500, "internal: key was " + KEY, Map.of()),
        status(500, "internal: key was " + KEY, Map.of()));
    OpenAiException e = assertThrows(OpenAiException.class, () -> client.chat(request(null)));
    assertTrue(e.getMessage().contains("internal: key was"), e.getMessage());
    assertFalse(e.getMessage().contains("SECRETkey"), e.getMessage());

    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> settings().withApiKey(KEY + "\nX-Evil: 1"));
    assertFalse(bad.getMessage().contains("SECRETkey"), bad.getMessage());
  }

  @Test
  void checkKeyNamesTheUrlAndTheKeysSourceWhenRefused() throws Exception {
    server.enqueue(unauthorized("Incorrect API key provided"));
    OpenAiClient client =
        new OpenAiClient(
            OpenAiClient.Settings.fromEnvironment(
                    Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", server.baseUrl()))
                .withTime(time, time));

    OpenAiException e = assertThrows(OpenAiException.class, () -> client.checkKey("model-a"));

    assertTrue(
        e.getMessage()
            .startsWith("the API key was refused by " + server.baseUrl() + " (OPENAI_API_KEY)"),
        e.getMessage());
    assertEquals("GET", server.requests().get(0).method());
    assertEquals("/models", server.requests().get(0).path());
  }

  @Test
  void checkKeyWithoutAKeySaysTheServerWantsOne() throws Exception {
    server.enqueue(unauthorized("You didn't provide an API key."));
    OpenAiClient client = new OpenAiClient(settings().withApiKey(null));

    OpenAiException e = assertThrows(OpenAiException.class, () -> client.checkKey("model-a"));

    assertTrue(
        e.getMessage().startsWith("the server at " + server.baseUrl() + " wants an API key"),
        e.getMessage());
  }

  @Test
  void aSchemaThatIsNotJsonIsTheCallersErrorInOneLine() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> client().chat(request("{\n\"type\": [")));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertEquals(0, server.requests().size());
  }

  @Test
  void checkKeyFallsBackToAOneTokenChatWhereThereIsNoModelList() throws Exception {
    server.enqueue(error(404, "not found"));
    OpenAiClient client = client();

    client.checkKey("model-a");

    ScriptedOpenAiServer.Received probe = server.requests().get(1);
    assertEquals("/chat/completions", probe.path());
    assertEquals(1, probe.json().path("max_tokens").asInt());
  }

  @Test
  void checkKeyOnAnUnreachableServerSaysSoInOneLineAtOnce() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    OpenAiClient client =
        new OpenAiClient(settings().withBaseUrl("http://127.0.0.1:" + port + "/v1"));

    OpenAiException e = assertThrows(OpenAiException.class, () -> client.checkKey("model-a"));

    assertTrue(
        e.getMessage().startsWith("cannot reach http://127.0.0.1:" + port + "/v1"), e.getMessage());
    assertEquals(List.of(), time.sleeps(), "no backoff for an unreachable URL");
  }

  @Test
  void embeddingsComeBackInInputOrderWithUsage() throws Exception {
    server.enqueue(embeddings(true));
    OpenAiClient client = client();

    Embeddings result = client.embeddings("emb", List.of("a", "bb", "ccc"));

    assertEquals(3, result.vectors().length);
    assertArrayEquals(new float[] {0, 1}, result.vectors()[0]);
    assertArrayEquals(new float[] {2, 3}, result.vectors()[2]);
    assertEquals(2, result.dimension());
    assertEquals(7, result.promptTokens());
    assertEquals(7, client.stats().snapshot().promptTokens());
    assertEquals(
        List.of("a", "bb", "ccc"), jsonStrings(server.requests().get(0).json().path("input")));
  }

  @Test
  void theEmbedderSendsBatchesAndKeepsTheOrder() throws Exception {
    Embedder embedder = new OpenAiEmbedder(client(), "emb", 2);

    Embeddings result = embedder.embed(List.of("a", "bb", "ccc", "dddd", "eeeee"));

    // the scripted server answers [index in the request, length of the text]
    assertEquals(3, server.requests().size(), "5 texts in batches of 2");
    assertArrayEquals(new float[] {0, 1}, result.vectors()[0]);
    assertArrayEquals(new float[] {1, 4}, result.vectors()[3]);
    assertArrayEquals(new float[] {0, 5}, result.vectors()[4]);
    assertEquals(21, result.promptTokens());
    assertEquals("emb", embedder.model());
    IllegalArgumentException blank =
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(List.of("a", " ")));
    assertEquals("text 1 is blank", blank.getMessage());
    assertEquals(3, server.requests().size(), "a blank text is refused before any request");
  }

  @Test
  void tooFewEmbeddingsAreAnInvalidAnswer() throws Exception {
    String one = "{\"data\":[{\"index\":0,\"embedding\":[1,2]}]}";
    server.enqueue(
        status(200, one, Map.of()),
        status(200, one, Map.of()),
        status(200, one, Map.of()),
        status(200, one, Map.of()));
    OpenAiException e =
        assertThrows(OpenAiException.class, () -> client().embeddings("emb", List.of("a", "b")));
    assertTrue(e.getMessage().contains("expected 2 embeddings, got 1"), e.getMessage());
  }

  @Test
  void modelsListsTheServersIds() throws Exception {
    assertEquals(List.of("model-a", "model-b"), client().models());
  }

  @Test
  void settingsComeFromTheEnvironmentAndExplicitValuesWin() {
    OpenAiClient.Settings none = OpenAiClient.Settings.fromEnvironment(Map.of());
    assertEquals("https://api.openai.com/v1", none.baseUrl());
    assertFalse(none.hasApiKey());

    OpenAiClient.Settings env =
        OpenAiClient.Settings.fromEnvironment(
            Map.of("OPENAI_BASE_URL", "http://localhost:8080/v1/", "OPENAI_API_KEY", KEY));
    assertEquals("http://localhost:8080/v1", env.baseUrl());
    assertTrue(env.hasApiKey());
    assertTrue(env.toString().contains("OPENAI_API_KEY"));

    OpenAiClient.Settings explicit =
        env.withBaseUrl("https://example.test/v1").withApiKey("sk-" + "other-123456");
    assertEquals("https://example.test/v1", explicit.baseUrl());
    assertTrue(explicit.toString().contains("given explicitly"), explicit.toString());
    assertEquals("http://localhost:8080/v1", env.baseUrl(), "settings are immutable");

    assertThrows(IllegalArgumentException.class, () -> none.withBaseUrl("ftp://x/v1"));
    assertThrows(IllegalArgumentException.class, () -> none.withBaseUrl("http://u:p@x/v1"));
    assertThrows(IllegalArgumentException.class, () -> none.withConcurrency(0));
    assertThrows(IllegalArgumentException.class, () -> none.withRequestTimeout(Duration.ZERO));
  }

  private static List<String> jsonStrings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }
}
