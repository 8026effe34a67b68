package io.hfbeam.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Reads the OpenAI protocol's answers, checking their shape (a server's answer is untrusted). */
final class OpenAiAnswers {
  private static final ObjectMapper JSON = new ObjectMapper();

  private OpenAiAnswers() {}

  static ChatResult chatResult(JsonNode answer) {
    JsonNode choice = answer.path("choices").path(0);
    if (!choice.isObject()) {
      throw new InvalidAnswer("the answer has no choices");
    }
    JsonNode content = choice.path("message").path("content");
    if (!content.isTextual()) {
      String refusal = choice.path("message").path("refusal").asText("");
      throw new InvalidAnswer(
          refusal.isEmpty()
              ? "the answer has no message content"
              : "the model refused: " + refusal);
    }
    JsonNode usage = answer.path("usage");
    return new ChatResult(
        content.asText(),
        choice.path("finish_reason").asText(""),
        tokens(usage, "prompt_tokens"),
        tokens(usage, "completion_tokens"),
        answer.path("model").asText(""));
  }

  static Embeddings embeddingsResult(JsonNode answer, int expected) {
    JsonNode data = answer.path("data");
    if (!data.isArray() || data.size() != expected) {
      throw new InvalidAnswer(
          "expected " + expected + " embeddings, got " + (data.isArray() ? data.size() : "none"));
    }
    float[][] vectors = new float[expected][];
    for (int i = 0; i < expected; i++) {
      JsonNode item = data.get(i);
      int index = item.path("index").asInt(i);
      JsonNode embedding = item.path("embedding");
      if (index < 0 || index >= expected || vectors[index] != null || !embedding.isArray()) {
        throw new InvalidAnswer("embedding " + i + " has a bad index or no vector");
      }
      float[] vector = new float[embedding.size()];
      for (int j = 0; j < vector.length; j++) {
        if (!embedding.get(j).isNumber()) {
          throw new InvalidAnswer("embedding " + i + " has a value that is not a number");
        }
        vector[j] = (float) embedding.get(j).asDouble();
      }
      vectors[index] = vector;
    }
    for (float[] vector : vectors) {
      if (vector.length != vectors[0].length) {
        throw new InvalidAnswer("embeddings of different dimensions");
      }
    }
    return new Embeddings(
        vectors, tokens(answer.path("usage"), "prompt_tokens"), answer.path("model").asText(""));
  }

  static List<String> modelIds(JsonNode answer) {
    JsonNode data = answer.path("data");
    if (!data.isArray()) {
      throw new InvalidAnswer("the model list has no data");
    }
    List<String> ids = new ArrayList<>();
    data.forEach(model -> ids.add(model.path("id").asText("")));
    return List.copyOf(ids);
  }

  static long tokens(JsonNode usage, String field) {
    JsonNode value = usage.path(field);
    if (value.isMissingNode() || value.isNull()) {
      return 0; // servers without usage: counted as 0 (the budget then relies on its estimate)
    }
    if (!value.canConvertToLong() || value.asLong() < 0) {
      throw new InvalidAnswer("usage." + field + " is not a token count");
    }
    return value.asLong();
  }

  static long usedTokens(JsonNode answer) {
    JsonNode total = answer.path("usage").path("total_tokens");
    return total.canConvertToLong() ? Math.max(0, total.asLong()) : 0;
  }

  /** The server's {@code error.message} (and code), else an excerpt of the body. */
  static String errorMessage(String body) {
    try {
      JsonNode error = JSON.readTree(body).path("error");
      if (error.isObject()) {
        String message = error.path("message").asText("");
        String code = error.path("code").asText("");
        return code.isEmpty() || code.equals("null") ? message : message + " (" + code + ")";
      }
      if (error.isTextual()) {
        return error.asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: the excerpt below
    }
    return excerpt(body);
  }

  static String excerpt(String body) {
    String line = body == null ? "" : body.replaceAll("\\s+", " ").trim();
    return line.length() <= 200 ? line : line.substring(0, 200) + "...";
  }

  static String reason(IOException e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  /** A parsed answer that does not have the protocol's shape. */
  static final class InvalidAnswer extends RuntimeException {
    InvalidAnswer(String message) {
      super(message, null, false, false);
    }
  }
}
