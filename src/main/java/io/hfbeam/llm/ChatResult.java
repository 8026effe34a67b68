package io.hfbeam.llm;

import java.io.Serializable;

/**
 * A chat completion's answer with what it cost.
 *
 * @param content the assistant's text
 * @param finishReason {@code stop}, {@code length}, ...
 * @param promptTokens prompt tokens from the backend's {@code usage}
 * @param completionTokens completion tokens from the backend's {@code usage}
 * @param model the model that answered, as the backend names it
 */
public record ChatResult(
    String content, String finishReason, long promptTokens, long completionTokens, String model)
    implements Serializable {}
