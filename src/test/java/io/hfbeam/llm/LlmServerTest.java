package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.testing.PythonEnv;
import io.hfbeam.testing.TinyGguf;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code llm serve}'s server with the tiny model, answered by the JDK client and Python's openai.
 */
class LlmServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir static Path dir;
  static GgufBackend backend;
  static LlmServer server;

  @BeforeAll
  static void start() throws IOException {
    backend =
        GgufBackend.open(
            GgufBackend.Settings.of(TinyGguf.write(dir.resolve("tiny.gguf"))).withThreads(2));
    server =
        LlmServer.start(
            backend, "tiny", LlmServer.Options.defaults().withPort(0).withMaxBodyBytes(64 << 10));
  }

  @AfterAll
  static void stop() {
    if (server != null) server.close();
    if (backend != null) backend.close();
  }

  static HttpResponse<String> post(String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static ObjectNode chatBody(long seed) throws IOException {
    ObjectNode body = JSON.createObjectNode().put("model", "tiny");
    body.putArray("messages")
        .add(JSON.createObjectNode().put("role", "system").put("content", "You check notes."))
        .add(JSON.createObjectNode().put("role", "user").put("content", "Is it right?"));
    body.put("temperature", 0.7).put("max_tokens", 200).put("seed", seed);
    ObjectNode rf = body.putObject("response_format").put("type", "json_schema");
    rf.putObject("json_schema")
        .put("name", "verdict")
        .put("strict", true)
        .set("schema", JSON.readTree(GgufBackendTest.SCHEMA));
    return body;
  }

  @Test
  void bindsLoopbackByDefault() {
    assertTrue(server.url().startsWith("http://127.0.0.1:"), server.url());
  }

  @Test
  void listsTheModel() throws Exception {
    HttpResponse<String> r = get("/models");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode list = JSON.readTree(r.body());
    assertEquals("list", list.get("object").asText());
    assertEquals("tiny", list.get("data").get(0).get("id").asText());
    assertEquals("model", list.get("data").get(0).get("object").asText());
  }

  @Test
  void chatCompletionWithJsonSchemaFromTheJdkClient() throws Exception {
    HttpResponse<String> r = post("/chat/completions", chatBody(7).toString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode c = JSON.readTree(r.body());
    assertTrue(c.get("id").asText().startsWith("chatcmpl-"));
    assertEquals("chat.completion", c.get("object").asText());
    assertTrue(c.get("created").asLong() > 1_600_000_000L);
    assertEquals("tiny", c.get("model").asText());
    JsonNode choice = c.get("choices").get(0);
    assertEquals("assistant", choice.get("message").get("role").asText());
    assertEquals("stop", choice.get("finish_reason").asText());
    JsonNode answer = JSON.readTree(choice.get("message").get("content").asText());
    assertTrue(
        answer.get("answer").isTextual() && answer.get("reason").isTextual(), answer.toString());
    assertEquals(2, answer.size());
    JsonNode usage = c.get("usage");
    assertTrue(usage.get("prompt_tokens").asLong() > 0);
    assertTrue(usage.get("completion_tokens").asLong() > 0);
    assertEquals(
        usage.get("prompt_tokens").asLong() + usage.get("completion_tokens").asLong(),
        usage.get("total_tokens").asLong());
    // the same seed, the same answer
    JsonNode again = JSON.readTree(post("/chat/completions", chatBody(7).toString()).body());
    assertEquals(
        choice.get("message").get("content").asText(),
        again.get("choices").get(0).get("message").get("content").asText());
  }

  @Test
  void errorsInOpenAiShape() throws Exception {
    assertError(post("/chat/completions", "{not json"), 400, null);
    assertError(post("/chat/completions", "[1,2]"), 400, null);
    assertError(post("/chat/completions", "{\"messages\": []}"), 400, "messages");
    ObjectNode badTemp = chatBody(1).put("temperature", "hot");
    assertError(post("/chat/completions", badTemp.toString()), 400, "temperature");
    ObjectNode badTokens = chatBody(1).put("max_tokens", -3);
    assertError(post("/chat/completions", badTokens.toString()), 400, "max_tokens");
    ObjectNode stream = chatBody(1).put("stream", true);
    assertError(post("/chat/completions", stream.toString()), 400, "stream");
    ObjectNode badRole = chatBody(1);
    ((com.fasterxml.jackson.databind.node.ArrayNode) badRole.get("messages"))
        .add(JSON.createObjectNode().put("role", "tool").put("content", "x"));
    assertError(post("/chat/completions", badRole.toString()), 400, null);
    // a schema llama.cpp's converter would abort on is refused, and the server lives on
    ObjectNode badSchema = chatBody(1);
    ((ObjectNode) badSchema.get("response_format").get("json_schema"))
        .set("schema", JSON.readTree("{\"type\":\"integer\",\"minimum\":\"x\"}"));
    assertError(post("/chat/completions", badSchema.toString()), 400, null);
    assertEquals(200, post("/chat/completions", chatBody(1).toString()).statusCode());
    assertError(post("/nothing/here", "{}"), 404, null);
    assertError(get("/chat/completions"), 405, null);
    assertError(post("/chat/completions", "{\"x\":\"" + "a".repeat(70_000) + "\"}"), 413, null);
  }

  static void assertError(HttpResponse<String> r, int status, String param) throws IOException {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode e = JSON.readTree(r.body()).get("error");
    assertTrue(e.get("message").isTextual() && !e.get("message").asText().isBlank(), r.body());
    assertTrue(e.get("type").isTextual(), r.body());
    assertTrue(e.has("param") && e.has("code"), r.body());
    if (param != null) assertEquals(param, e.get("param").asText(), r.body());
  }

  @Test
  void pythonOpenAiClientGetsSchemaAnswers() throws Exception {
    assumeTrue(PythonEnv.available(), () -> "Python interop skipped: " + PythonEnv.skipReason());
    String script =
        """
        import json, os
        from openai import OpenAI
        client = OpenAI(base_url=os.environ["BASE"], api_key="none", max_retries=0)
        models = [m.id for m in client.models.list()]
        schema = json.loads(os.environ["SCHEMA"])
        out = []
        for seed in (3, 3, 4):
            r = client.chat.completions.create(
                model="tiny",
                messages=[{"role": "system", "content": "You check notes."},
                          {"role": "user", "content": "Is it right?"}],
                temperature=0.7, max_tokens=200, seed=seed,
                response_format={"type": "json_schema",
                                 "json_schema": {"name": "verdict", "schema": schema, "strict": True}})
            out.append({"content": r.choices[0].message.content,
                        "finish": r.choices[0].finish_reason,
                        "prompt": r.usage.prompt_tokens, "completion": r.usage.completion_tokens,
                        "total": r.usage.total_tokens})
        try:
            client.chat.completions.create(model="tiny", messages=[])
            err = None
        except Exception as e:
            err = type(e).__name__ + ":" + str(getattr(e, "status_code", ""))
        print("RESULT " + json.dumps({"models": models, "answers": out, "error": err}))
        """;
    PythonEnv.Result r =
        PythonEnv.runScript(
            script, Map.of("BASE", server.url(), "SCHEMA", GgufBackendTest.SCHEMA), null, 120);
    assertEquals(0, r.exitCode(), r.output());
    String line = r.output().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElseThrow();
    JsonNode res = JSON.readTree(line.substring(7));
    assertEquals("tiny", res.get("models").get(0).asText());
    assertEquals("BadRequestError:400", res.get("error").asText());
    JsonNode answers = res.get("answers");
    for (JsonNode a : answers) {
      JsonNode parsed = JSON.readTree(a.get("content").asText());
      assertTrue(
          parsed.get("answer").isTextual() && parsed.get("reason").isTextual(), a.toString());
      assertEquals("stop", a.get("finish").asText());
      assertTrue(a.get("prompt").asLong() > 0 && a.get("completion").asLong() > 0);
      assertEquals(
          a.get("prompt").asLong() + a.get("completion").asLong(), a.get("total").asLong());
    }
    assertEquals(answers.get(0).get("content"), answers.get(1).get("content"));
  }
}
