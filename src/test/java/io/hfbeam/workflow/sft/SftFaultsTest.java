package io.hfbeam.workflow.sft;

import static io.hfbeam.llm.ScriptedOpenAiServer.invalidJson;
import static io.hfbeam.llm.ScriptedOpenAiServer.medec;
import static io.hfbeam.llm.ScriptedOpenAiServer.models;
import static io.hfbeam.llm.ScriptedOpenAiServer.rateLimited;
import static io.hfbeam.llm.ScriptedOpenAiServer.reset;
import static io.hfbeam.llm.ScriptedOpenAiServer.schemaViolating;
import static io.hfbeam.llm.ScriptedOpenAiServer.serverError;
import static io.hfbeam.llm.ScriptedOpenAiServer.slow;
import static io.hfbeam.llm.ScriptedOpenAiServer.stalledBody;
import static io.hfbeam.llm.ScriptedOpenAiServer.unauthorized;
import static io.hfbeam.workflow.sft.SftRuns.KEY;
import static io.hfbeam.workflow.sft.SftRuns.assertContains;
import static io.hfbeam.workflow.sft.SftRuns.errorLines;
import static io.hfbeam.workflow.sft.SftRuns.files;
import static io.hfbeam.workflow.sft.SftRuns.lines;
import static io.hfbeam.workflow.sft.SftRuns.readable;
import static io.hfbeam.workflow.sft.SftRuns.rows;
import static io.hfbeam.workflow.sft.SftRuns.stats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.llm.ScriptedOpenAiServer;
import io.hfbeam.llm.ScriptedOpenAiServer.Answer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sft-generate against each fault of the scripted server: what the user sees (exit code, one
 * readable line, no stack trace, never the key) and what is written (rows, {@code _errors/}, {@code
 * generation_stats.json}'s retries by cause). The first scripted answer is always the key check's
 * model list; with {@code --concurrency 1} the next is the first pair's first request.
 */
class SftFaultsTest {
  @TempDir Path tmp;
  ScriptedOpenAiServer server;

  /** When each chat request arrived (ms since the test began), in order. */
  final List<Long> chatTimes = Collections.synchronizedList(new ArrayList<>());

  final long t0 = System.nanoTime();

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedOpenAiServer().chatDefault(stamped(medec()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** {@code a}, noting when its chat request arrived. */
  Answer stamped(Answer a) {
    return (exchange, request) -> {
      if (request.path().equals("/chat/completions"))
        chatTimes.add((System.nanoTime() - t0) / 1_000_000);
      a.answer(exchange, request);
    };
  }

  /** The key check's answer, then {@code faults} for the first chat requests. */
  void script(Answer... faults) {
    server.enqueue(models("gpt-4o-mini"));
    for (Answer f : faults) server.enqueue(stamped(f));
  }

  Cli run(Path out, String... extra) {
    return SftRuns.run(server, out, extra);
  }

  /** A run of {@code n} pairs that all end well: every split complete, nothing in _errors/. */
  static JsonNode assertComplete(Cli c, Path out, int n) throws Exception {
    assertEquals(0, c.exitCode, c.toString());
    readable(c);
    assertTrue(errorLines(c).isEmpty(), c.toString());
    assertEquals(n, rows(out, "sft_correct.jsonl"), c.toString());
    assertEquals(n, rows(out, "sft_incorrect.jsonl"), c.toString());
    assertEquals(2 * n, rows(out, "sft_combined_safe.jsonl"), c.toString());
    assertEquals(0, lines(out.resolve("_errors/errors.jsonl")).size());
    assertEquals(0, lines(out.resolve("_errors/rejected_answers.jsonl")).size());
    JsonNode stats = stats(out);
    assertEquals(n, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(0, stats.path("pairs_failed").asLong(), stats.toString());
    return stats;
  }

  /** The request bodies sent to /chat/completions, in order. */
  List<String> chatBodies() {
    return server.requests().stream()
        .filter(r -> r.path().equals("/chat/completions"))
        .map(ScriptedOpenAiServer.Received::body)
        .toList();
  }

  /** Retried: the same request twice, then one per pair. */
  void assertRetriedOnce(int pairs) {
    List<String> bodies = chatBodies();
    assertEquals(pairs + 1, bodies.size(), "chat requests");
    assertEquals(bodies.get(0), bodies.get(1), "the retry sends the same request");
    assertEquals(pairs, Set.copyOf(bodies).size());
  }

  @Test
  void rateLimitWithRetryAfterWaitsThatLongAndIsCounted() throws Exception {
    Path out = tmp.resolve("out");
    script(rateLimited("1"));
    Cli c = run(out, "--num-pairs", "3", "--concurrency", "1");
    JsonNode stats = assertComplete(c, out, 3);
    assertEquals(1, stats.path("retries_by_cause").path("rate_limited").asLong(), stats.toString());
    assertEquals(1, stats.path("retries").asLong(), stats.toString());
    assertEquals(4, stats.path("requests").asLong(), stats.toString());
    assertRetriedOnce(3);
    long waited = chatTimes.get(1) - chatTimes.get(0);
    assertTrue(waited >= 950, "Retry-After: 1 was waited " + waited + " ms");
  }

  @Test
  void rateLimitWithoutRetryAfterBacksOffAndIsCounted() throws Exception {
    Path out = tmp.resolve("out");
    script(rateLimited(null), rateLimited(null));
    Cli c = run(out, "--num-pairs", "3", "--concurrency", "1");
    JsonNode stats = assertComplete(c, out, 3);
    assertEquals(2, stats.path("retries_by_cause").path("rate_limited").asLong(), stats.toString());
    assertEquals(5, stats.path("requests").asLong(), stats.toString());
    List<String> bodies = chatBodies();
    assertEquals(5, bodies.size());
    assertEquals(bodies.get(0), bodies.get(2));
  }

  @Test
  void serverErrorIsRetried() throws Exception {
    Path out = tmp.resolve("out");
    script(serverError());
    JsonNode stats = assertComplete(run(out, "--num-pairs", "3", "--concurrency", "1"), out, 3);
    assertEquals(1, stats.path("retries_by_cause").path("server_error").asLong(), stats.toString());
    assertEquals(Set.of("server_error"), names(stats.path("retries_by_cause")));
    assertRetriedOnce(3);
  }

  @Test
  void connectionResetIsRetried() throws Exception {
    Path out = tmp.resolve("out");
    script(reset());
    JsonNode stats = assertComplete(run(out, "--num-pairs", "3", "--concurrency", "1"), out, 3);
    assertEquals(1, stats.path("retries_by_cause").path("connection").asLong(), stats.toString());
    assertEquals(Set.of("connection"), names(stats.path("retries_by_cause")));
    assertRetriedOnce(3);
  }

  @Test
  void answerSlowerThanTheRequestTimeoutIsGivenUpAndRetried() throws Exception {
    Path out = tmp.resolve("out");
    // no headers for 4 s, then headers and a body that stalls for 4 s: both past a 1 s timeout
    script(slow(Duration.ofSeconds(4), medec()), stalledBody(Duration.ofSeconds(4)));
    long start = System.nanoTime();
    Cli c = run(out, "--num-pairs", "3", "--concurrency", "1", "--request-timeout", "1");
    long ms = (System.nanoTime() - start) / 1_000_000;
    JsonNode stats = assertComplete(c, out, 3);
    assertEquals(2, stats.path("retries_by_cause").path("timeout").asLong(), stats.toString());
    assertEquals(Set.of("timeout"), names(stats.path("retries_by_cause")));
    List<String> bodies = chatBodies();
    assertEquals(5, bodies.size());
    assertEquals(1, Set.copyOf(bodies.subList(0, 3)).size(), "the same request, three times");
    // each timeout cut its wait at about 1 s, not at the server's 4 s
    assertTrue(chatTimes.get(1) - chatTimes.get(0) < 3000, chatTimes.toString());
    assertTrue(chatTimes.get(2) - chatTimes.get(1) < 3000, chatTimes.toString());
    assertTrue(ms < 60_000, ms + " ms");
  }

  @Test
  void invalidJsonBodyIsRetried() throws Exception {
    Path out = tmp.resolve("out");
    script(invalidJson());
    JsonNode stats = assertComplete(run(out, "--num-pairs", "3", "--concurrency", "1"), out, 3);
    assertEquals(
        1, stats.path("retries_by_cause").path("invalid_response").asLong(), stats.toString());
    assertRetriedOnce(3);
  }

  @Test
  void schemaViolatingAnswersSendThePairToErrorsWithTheRawAnswer() throws Exception {
    Path out = tmp.resolve("out");
    script(schemaViolating(), schemaViolating());
    Cli c = run(out, "--num-pairs", "3", "--concurrency", "1");
    assertEquals(0, c.exitCode, c.toString());
    readable(c);
    assertContains(
        c.err, "warning: 1 pair failed (their reasons and raw answers are in _errors/)", c);
    // the other pairs are kept
    List<JsonNode> correct = lines(out.resolve("sft_correct.jsonl"));
    assertEquals(2, correct.size());
    assertEquals(2, rows(out, "sft_incorrect.jsonl"));
    assertEquals(4, rows(out, "sft_combined_safe.jsonl"));
    // asked again once (--validation-attempts 2) with the seed moved on, then given up
    List<String> bodies = chatBodies();
    assertEquals(4, bodies.size());
    JsonNode first = SftRuns.JSON.readTree(bodies.get(0));
    JsonNode second = SftRuns.JSON.readTree(bodies.get(1));
    assertEquals(42, first.path("seed").asLong());
    assertEquals(43, second.path("seed").asLong());
    assertEquals(first.path("messages"), second.path("messages"));

    List<JsonNode> rejected = lines(out.resolve("_errors/rejected_answers.jsonl"));
    assertEquals(1, rejected.size());
    JsonNode r = rejected.get(0);
    assertEquals("{\"unexpected\": [1, 2, 3]}", r.path("answer").asText(), r.toString());
    assertEquals("paraphrase_correct", r.path("task").asText());
    assertEquals(2, r.path("attempts").asInt());
    assertContains(r.path("reason").asText(), "after 2 attempts", r);
    assertContains(r.path("reason").asText(), "paraphrase", r);
    String failedId = r.path("source_id").asText();
    assertFalse(failedId.isEmpty());
    Set<String> made =
        correct.stream().map(n -> n.path("source_id").asText()).collect(Collectors.toSet());
    assertFalse(made.contains(failedId), made + " holds the failed pair " + failedId);
    assertTrue(r.path("source").asText().endsWith(".csv"), r.toString());
    // located: the line of the input where the pair's record starts
    long line = r.path("line").asLong();
    assertTrue(line > 1, r.toString());
    String there = Files.readAllLines(Path.of(SftRuns.MEDEC)).get((int) line - 1);
    assertTrue(there.startsWith(failedId + ","), "line " + line + " is " + there);

    List<JsonNode> errors = lines(out.resolve("_errors/errors.jsonl"));
    assertEquals(1, errors.size());
    String error = errors.get(0).toString();
    assertContains(error, "pair " + failedId + ", task paraphrase_correct", error);
    assertContains(error, "answer failed validation after 2 attempts", error);
    assertContains(error, "MEDEC-MS-ValidationSet", error);
    assertEquals(line, errors.get(0).path("line").asLong(), error);

    JsonNode stats = stats(out);
    assertEquals(2, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(1, stats.path("pairs_failed").asLong(), stats.toString());
    assertEquals(2, stats.path("invalid_answers").asLong(), stats.toString());
  }

  @Test
  void schemaViolatingAnswersAreAskedAgainUpToTheAttempts() throws Exception {
    Path out = tmp.resolve("out");
    script(schemaViolating(), schemaViolating());
    Cli c = run(out, "--num-pairs", "3", "--concurrency", "1", "--validation-attempts", "3");
    JsonNode stats = assertComplete(c, out, 3);
    assertEquals(2, stats.path("invalid_answers").asLong(), stats.toString());
    List<String> bodies = chatBodies();
    assertEquals(5, bodies.size());
    assertEquals(44, SftRuns.JSON.readTree(bodies.get(2)).path("seed").asLong());
  }

  @Test
  void refusedKeyFailsInSecondsBeforeAnyInputIsRead() throws Exception {
    Path out = tmp.resolve("out");
    // the server echoes the key back, as some do: it must not reach the screen
    server.enqueue(unauthorized("Incorrect API key provided: " + KEY + "."));
    long start = System.nanoTime();
    Cli c = run(out, "--num-pairs", "3");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertEquals(1, c.exitCode, c.toString());
    readable(c);
    List<String> errors = errorLines(c);
    assertEquals(1, errors.size(), c.toString());
    assertContains(errors.get(0), "API key was refused", c);
    assertContains(errors.get(0), "(OPENAI_API_KEY)", c); // where the refused key came from
    assertContains(errors.get(0), "401", c);
    assertTrue(ms < 10_000, "took " + ms + " ms");
    // the input was never surveyed (that line comes after the pass over the input)
    assertFalse(c.out.contains("pairs to make") || c.out.contains("resuming"), c.toString());
    // one model-list request, no chat request
    assertEquals(List.of("/models"), server.requests().stream().map(r -> r.path()).toList());
    assertEquals(0, server.chatRequests());
    // nothing written
    assertTrue(!Files.exists(out) || isEmpty(out), "the output has " + listing(out));
  }

  @Test
  void refusedKeyMidRunFailsPublishesNothingAndLeavesThePreviousDatasetUntouched()
      throws Exception {
    Path out = tmp.resolve("out");
    Cli first = run(out, "--num-pairs", "2", "--concurrency", "1");
    assertComplete(first, out, 2);
    Map<String, byte[]> before = files(out);
    long sentBefore = server.chatRequests();

    // pairs 1-2 come from the journal; pair 3's request is refused (a revoked key)
    script(unauthorized("Incorrect API key provided: " + KEY + ". Your key was revoked."));
    Cli c = run(out, "--num-pairs", "5", "--concurrency", "1");
    assertEquals(1, c.exitCode, c.toString());
    readable(c);
    List<String> errors = errorLines(c);
    assertEquals(1, errors.size(), c.toString());
    assertContains(errors.get(0), "401", c);
    assertContains(c.err, "the previous dataset in " + out.toAbsolutePath() + " is untouched", c);
    assertTrue(server.chatRequests() - sentBefore <= 2, "went on after the 401: " + c);
    Map<String, byte[]> after = files(out);
    assertEquals(before.keySet(), after.keySet());
    for (String f : before.keySet()) assertArrayEquals(before.get(f), after.get(f), f);
  }

  @Test
  void exhaustedQuotaFailsTheRunAtOnceInsteadOfFailingEveryPair() throws Exception {
    Path out = tmp.resolve("out");
    // OpenAI's answer when the account has no credit left: a 429 that waiting does not cure
    Answer quota =
        ScriptedOpenAiServer.status(
            429,
            "{\"error\": {\"message\": \"You exceeded your current quota, please check your plan"
                + " and billing details.\", \"type\": \"insufficient_quota\", \"code\":"
                + " \"insufficient_quota\"}}",
            Map.of());
    server.chatDefault(stamped(quota));
    Cli c = run(out, "--num-pairs", "10", "--concurrency", "1");
    assertEquals(1, c.exitCode, c.toString());
    readable(c);
    List<String> errors = errorLines(c);
    assertEquals(1, errors.size(), c.toString());
    assertContains(errors.get(0), "insufficient_quota", c);
    assertTrue(server.chatRequests() <= 2, server.chatRequests() + " requests: " + c);
    assertFalse(Files.exists(out.resolve("README.md")), "a dataset of nothing was published");
  }

  @Test
  void refusedKeyMidRunPublishesNothingToTheHub() throws Exception {
    String token = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
    RepoId repo = RepoId.dataset("alice/sft");
    try (LocalHubServer hub =
        LocalHubServer.start(
            0, tmp.resolve("hub"), LocalHubServer.Options.defaults().withToken(token, "alice"))) {
      Map<String, String> env = new HashMap<>(SftRuns.env(server));
      env.putAll(
          Map.of(
              "HF_ENDPOINT",
              hub.url(),
              "HF_TOKEN",
              token,
              "HF_HOME",
              tmp.resolve("hf").toString(),
              "HF_HUB_DISABLE_XET",
              "1",
              "HF_HUB_DISABLE_TELEMETRY",
              "1"));
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      Path out = tmp.resolve("out");
      String[] first = {
        "sft-generate",
        "--input",
        SftRuns.MEDEC,
        "--output",
        out.toString(),
        "--num-pairs",
        "2",
        "--concurrency",
        "1",
        "--repo",
        repo.id()
      };
      Cli c1 = Cli.runWith(env, first);
      assertComplete(c1, out, 2);
      int commits = client.listCommits(repo, "main").size();
      assertTrue(commits > 1, "published: " + c1);

      script(unauthorized("Your key was revoked."));
      String[] second = first.clone();
      second[6] = "5";
      Cli c2 = Cli.runWith(env, second);
      assertEquals(1, c2.exitCode, c2.toString());
      readable(c2);
      assertContains(c2.err, "nothing was published", c2);
      assertEquals(commits, client.listCommits(repo, "main").size(), "a commit after the 401");
    }
  }

  private static Set<String> names(JsonNode object) {
    Set<String> out = new java.util.TreeSet<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  private static boolean isEmpty(Path dir) throws Exception {
    try (var s = Files.walk(dir)) {
      return s.noneMatch(Files::isRegularFile);
    }
  }

  private static List<String> listing(Path dir) throws Exception {
    if (!Files.exists(dir)) return List.of();
    try (var s = Files.walk(dir)) {
      return s.map(p -> dir.relativize(p).toString()).toList();
    }
  }
}
