package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class LimitedBodyTest {
  @Test
  void anAnswerOverTheLimitFailsAndOneWithinItIsRead() throws Exception {
    try (ScriptedOpenAiServer server = new ScriptedOpenAiServer()) {
      server.enqueue(ScriptedOpenAiServer.huge(100_000), ScriptedOpenAiServer.huge(10));
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
              .version(HttpClient.Version.HTTP_1_1)
              .POST(HttpRequest.BodyPublishers.ofString("{}"))
              .build();

      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> http.sendAsync(request, LimitedBody.handler(1000)).get());
      assertTrue(e.getCause() instanceof LimitedBody.TooLarge, e.getCause().toString());

      assertEquals(
          " ".repeat(10) + "{}", http.sendAsync(request, LimitedBody.handler(1000)).get().body());
    }
  }
}
