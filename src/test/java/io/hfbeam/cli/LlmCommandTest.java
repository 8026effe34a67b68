package io.hfbeam.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.testing.TinyGguf;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hfbeam llm serve}: help, one-line failures, and a served tiny model. */
class LlmCommandTest {
  @TempDir Path tmp;

  @Test
  void helpWorks() {
    Cli top = Cli.run("llm", "--help");
    assertEquals(0, top.exitCode, top.toString());
    assertTrue(top.out.contains("serve"), top.out);
    Cli serve = Cli.run("llm", "serve", "--help");
    assertEquals(0, serve.exitCode, serve.toString());
    for (String flag : new String[] {"--model", "--port", "--host", "--ctx-size"}) {
      assertTrue(serve.out.contains(flag), serve.out);
    }
    assertTrue(Cli.run("--help").out.contains("llm"));
  }

  @Test
  void missingModelIsOneLine() {
    Cli r = Cli.run("llm", "serve", "--model", tmp.resolve("nope.gguf").toString(), "--port", "0");
    assertEquals(1, r.exitCode, r.toString());
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.startsWith("error: model file not found: "), r.err);
  }

  @Test
  void nonGgufFileIsOneLine() throws Exception {
    Path f = Files.writeString(tmp.resolve("model.gguf"), "just some text, not a model");
    Cli r = Cli.run("llm", "serve", "--model", f.toString(), "--port", "0");
    assertEquals(1, r.exitCode, r.toString());
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.startsWith("error: not a GGUF model file"), r.err);
    Cli dir = Cli.run("llm", "serve", "--model", tmp.toString(), "--port", "0");
    assertTrue(dir.err.startsWith("error: model path is not a regular file"), dir.err);
  }

  @Test
  void usageErrorsAreOneLine() {
    Cli r = Cli.run("llm", "serve", "--port", "0");
    assertEquals(2, r.exitCode, r.toString());
    assertEquals(1, r.err.strip().lines().count(), r.err);
    assertTrue(r.err.contains("--model"), r.err);
  }

  @Test
  void servesTheModelUntilInterrupted() throws Exception {
    Path model = TinyGguf.write(tmp.resolve("tiny.gguf"));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = new CommandLine(new LlmCommand());
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int[] code = {-1};
    Thread t =
        new Thread(
            () ->
                code[0] =
                    cmd.execute(
                        "serve", "--model", model.toString(), "--port", "0", "--threads", "2"));
    t.start();
    long deadline = System.currentTimeMillis() + 30_000;
    while (!out.toString().contains("export ")
        && t.isAlive()
        && System.currentTimeMillis() < deadline) Thread.sleep(20);
    String url =
        out.toString()
            .lines()
            .findFirst()
            .orElseThrow()
            .replaceAll("^Serving tiny at (\\S+) .*$", "$1");
    assertTrue(url.startsWith("http://127.0.0.1:") && url.endsWith("/v1"), out + " " + err);
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(url + "/chat/completions"))
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                                + "\"max_tokens\":4,\"seed\":1,"
                                + "\"response_format\":{\"type\":\"json_object\"}}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = new ObjectMapper().readTree(r.body());
    assertTrue(body.get("usage").get("completion_tokens").asLong() > 0, r.body());
    assertEquals("tiny", body.get("model").asText());
    t.interrupt();
    t.join(10_000);
    assertFalse(t.isAlive());
    assertEquals(0, code[0], err.toString());
    assertTrue(out.toString().contains("LLM server stopped"), out.toString());
  }
}
