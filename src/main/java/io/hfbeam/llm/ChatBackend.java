package io.hfbeam.llm;

import java.io.IOException;

/**
 * Something that answers chat completions: an OpenAI-compatible server over HTTP, or a local model
 * file run in this JVM. Implementations are thread-safe.
 */
public interface ChatBackend extends AutoCloseable {
  ChatResult chat(ChatRequest request) throws IOException, InterruptedException;

  @Override
  default void close() throws IOException {}
}
