package io.hfbeam.llm;

import java.io.Serializable;
import java.util.List;

/**
 * A chat completion request, backend-neutral.
 *
 * @param model the model name (ignored by a local model file)
 * @param messages the conversation
 * @param temperature sampling temperature, or null for the backend's default
 * @param maxTokens the answer's token limit, or null
 * @param seed sampling seed, or null
 * @param jsonSchema a JSON schema the answer must match (sent as structured output where the
 *     backend supports it), or null for free text
 */
public record ChatRequest(
    String model,
    List<ChatMessage> messages,
    Double temperature,
    Integer maxTokens,
    Long seed,
    String jsonSchema)
    implements Serializable {
  public ChatRequest {
    messages = List.copyOf(messages);
  }
}
