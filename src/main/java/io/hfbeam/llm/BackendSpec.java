package io.hfbeam.llm;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which backend a pipeline's workers talk to, as a serializable description that carries no secret:
 * an OpenAI-compatible server (base URL, concurrency, timeouts; the key is read where the backend
 * is opened: from this process's {@link #withKey registered key}, else {@code OPENAI_API_KEY}), or
 * a local GGUF model file run by llama.cpp in the worker's JVM ({@code gguf:PATH}).
 */
public final class BackendSpec implements Serializable {
  /** Keys given on a command line, by id: they stay in this JVM and never enter a pipeline. */
  private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

  /** Where each registered key came from, by id, for messages. */
  private static final Map<String, String> KEY_SOURCES = new ConcurrentHashMap<>();

  private final String baseUrl; // null for a GGUF model
  private final String ggufPath; // null for a server
  private final int concurrency;
  private final long requestTimeoutMillis;
  private final int maxAttempts;
  private final String keyId;

  private BackendSpec(
      String baseUrl,
      String ggufPath,
      int concurrency,
      long requestTimeoutMillis,
      int maxAttempts,
      String keyId) {
    if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be at least 1");
    this.baseUrl = baseUrl;
    this.ggufPath = ggufPath;
    this.concurrency = concurrency;
    this.requestTimeoutMillis = requestTimeoutMillis;
    this.maxAttempts = maxAttempts;
    this.keyId = keyId;
  }

  /** An OpenAI-compatible server; a null base URL means OPENAI_BASE_URL, else OpenAI's. */
  public static BackendSpec openAi(String baseUrl) {
    return new BackendSpec(
        baseUrl == null ? "" : baseUrl, null, 8, Duration.ofSeconds(120).toMillis(), 6, null);
  }

  /** A local GGUF chat model file. */
  public static BackendSpec gguf(Path model) {
    return new BackendSpec(null, model.toAbsolutePath().normalize().toString(), 1, 0, 1, null);
  }

  /**
   * The {@code --llm} value: {@code gguf:PATH} for a local model, else an OpenAI-compatible base
   * URL ({@code http(s)://...}), or null/{@code openai} for OPENAI_BASE_URL.
   */
  public static BackendSpec parse(String llm, String apiBase) {
    if (llm != null && llm.startsWith("gguf:")) {
      if (apiBase != null)
        throw new IllegalArgumentException("--llm gguf:PATH and --api-base cannot go together");
      String path = llm.substring(5);
      if (path.isBlank()) throw new IllegalArgumentException("--llm gguf:PATH needs a path");
      return gguf(Path.of(path));
    }
    if (llm == null || llm.equals("openai")) return openAi(apiBase);
    if (llm.startsWith("http://") || llm.startsWith("https://")) {
      if (apiBase != null)
        throw new IllegalArgumentException(
            "give the server's URL once: --llm URL or --api-base URL");
      return openAi(llm);
    }
    throw new IllegalArgumentException(
        "--llm must be gguf:PATH (a local model file), openai, or a server URL http(s)://...");
  }

  public BackendSpec withConcurrency(int n) {
    return new BackendSpec(baseUrl, ggufPath, n, requestTimeoutMillis, maxAttempts, keyId);
  }

  public BackendSpec withRequestTimeout(Duration d) {
    return new BackendSpec(baseUrl, ggufPath, concurrency, d.toMillis(), maxAttempts, keyId);
  }

  /** HTTP attempts per request (429/5xx/timeouts are retried inside the client). */
  public BackendSpec withMaxAttempts(int n) {
    return new BackendSpec(baseUrl, ggufPath, concurrency, requestTimeoutMillis, n, keyId);
  }

  /**
   * A key given on the command line: kept in this JVM under a random id, so workers in this process
   * use it and it is never serialized; workers elsewhere read OPENAI_API_KEY.
   */
  public BackendSpec withKey(String key) {
    return withKey(key, "the key given explicitly");
  }

  /** {@link #withKey(String)}, saying where the key came from ("OPENAI_API_KEY") in messages. */
  public BackendSpec withKey(String key, String source) {
    if (key == null || key.isBlank()) return this;
    String id = UUID.randomUUID().toString();
    KEYS.put(id, key.trim());
    KEY_SOURCES.put(id, source);
    return new BackendSpec(baseUrl, ggufPath, concurrency, requestTimeoutMillis, maxAttempts, id);
  }

  public boolean isGguf() {
    return ggufPath != null;
  }

  public int concurrency() {
    return concurrency;
  }

  /** The OpenAI client settings with the key resolved here: registered, else {@code env}. */
  public OpenAiClient.Settings clientSettings(Map<String, String> env) {
    if (isGguf()) throw new IllegalStateException("a GGUF backend has no client settings");
    OpenAiClient.Settings s = OpenAiClient.Settings.fromEnvironment(env);
    if (!baseUrl.isEmpty()) s = s.withBaseUrl(baseUrl);
    String key = keyId == null ? null : KEYS.get(keyId);
    if (key != null) s = s.withApiKey(key, KEY_SOURCES.getOrDefault(keyId, "the key given"));
    return s.withConcurrency(concurrency)
        .withRequestTimeout(Duration.ofMillis(requestTimeoutMillis))
        .withMaxAttempts(maxAttempts);
  }

  /** Opens the backend in this JVM (for a GGUF model: loads it). */
  public ChatBackend open(Map<String, String> env) throws IOException {
    if (isGguf()) return GgufBackend.open(Path.of(ggufPath));
    return new OpenAiClient(clientSettings(env));
  }

  /** Where it talks to, for messages (no key). */
  public String describe() {
    return isGguf() ? "gguf:" + ggufPath : baseUrl.isEmpty() ? "OPENAI_BASE_URL" : baseUrl;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BackendSpec b
        && Objects.equals(baseUrl, b.baseUrl)
        && Objects.equals(ggufPath, b.ggufPath)
        && concurrency == b.concurrency
        && requestTimeoutMillis == b.requestTimeoutMillis
        && maxAttempts == b.maxAttempts
        && Objects.equals(keyId, b.keyId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(baseUrl, ggufPath, concurrency, requestTimeoutMillis, maxAttempts, keyId);
  }

  @Override
  public String toString() {
    return "BackendSpec(" + describe() + ", concurrency " + concurrency + ")";
  }
}
