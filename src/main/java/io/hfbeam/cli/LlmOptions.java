package io.hfbeam.cli;

import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.Budget;
import io.hfbeam.llm.Prices;
import io.hfbeam.workflow.sft.SftGenerateRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The LLM flags every workflow that calls a model takes ({@code @Mixin LlmOptions llm;}): which
 * backend and model, the key (from the environment; the flag is accepted and never echoed), request
 * slots, the budget, sampling and validation.
 */
public final class LlmOptions {
  @YamlKey("llm")
  @Option(
      names = "--llm",
      paramLabel = "openai|URL|gguf:PATH",
      description =
          "The model: an OpenAI-compatible server (openai: OPENAI_BASE_URL, else OpenAI), or a"
              + " local GGUF chat model file run in the JVM by llama.cpp (gguf:PATH).")
  String llm;

  @YamlKey("api_base")
  @Option(
      names = "--api-base",
      paramLabel = "URL",
      description =
          "Base URL of an OpenAI-compatible server (default: OPENAI_BASE_URL, else OpenAI's).")
  String apiBase;

  @Option(
      names = "--openai-api-key",
      paramLabel = "KEY",
      description =
          "API key (prefer the OPENAI_API_KEY environment variable: a flag shows in the process list)."
              + " Never printed or written.")
  String apiKey;

  @YamlKey("model")
  @Option(
      names = "--model",
      paramLabel = "NAME",
      defaultValue = "gpt-4o-mini",
      description = "Model name sent to the server (default: ${DEFAULT-VALUE}).")
  String model;

  @YamlKey("concurrency")
  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "8",
      description = "Requests in flight at once per worker JVM (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @YamlKey("max_tokens_total")
  @Option(
      names = "--max-tokens-total",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Stop before more than N prompt + completion tokens are used (default: no limit).")
  long maxTokensTotal;

  @YamlKey("max_cost")
  @Option(
      names = "--max-cost",
      paramLabel = "USD",
      defaultValue = "0",
      description =
          "Stop before more than this many USD are spent, by the prices file (default: no limit).")
  double maxCost;

  @YamlKey("prices")
  @Option(
      names = "--prices",
      paramLabel = "FILE",
      defaultValue = "config/llm-prices.yaml",
      description = "USD per 1M tokens per model (default: ${DEFAULT-VALUE}).")
  String prices;

  @YamlKey("temperature")
  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "Sampling temperature for every task (default: each task's own).")
  Double temperature;

  @YamlKey("validation_attempts")
  @Option(
      names = "--validation-attempts",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Answers asked for per task when one fails validation (default: ${DEFAULT-VALUE}).")
  int validationAttempts;

  @YamlKey("request_timeout_seconds")
  @Option(
      names = "--request-timeout",
      paramLabel = "SECONDS",
      defaultValue = "120",
      description = "Time allowed for one answer (default: ${DEFAULT-VALUE}).")
  int requestTimeout;

  /** Checks the numbers; throws IllegalArgumentException with one line. */
  void check() {
    if (concurrency < 1 || concurrency > 1024)
      throw new IllegalArgumentException("--concurrency must be between 1 and 1024");
    if (maxTokensTotal < 0)
      throw new IllegalArgumentException("--max-tokens-total must be 0 or more");
    if (maxCost < 0 || !Double.isFinite(maxCost))
      throw new IllegalArgumentException("--max-cost must be 0 (no limit) or more");
    if (temperature != null && (temperature < 0 || temperature > 2))
      throw new IllegalArgumentException("--temperature must be between 0 and 2");
    if (validationAttempts < 1)
      throw new IllegalArgumentException("--validation-attempts must be at least 1");
    if (requestTimeout < 1)
      throw new IllegalArgumentException("--request-timeout must be at least 1");
  }

  /**
   * The backend the flags name, its key registered for this JVM (never in the settings); a missing
   * key or model file fails here.
   */
  BackendSpec backend(Map<String, String> env) {
    Map<String, String> e = env == null ? System.getenv() : env;
    String base = apiBase;
    if (base == null && (llm == null || llm.equals("openai"))) {
      String fromEnv = e.get("OPENAI_BASE_URL");
      if (fromEnv != null && !fromEnv.isBlank()) base = fromEnv.trim();
    }
    BackendSpec backend = BackendSpec.parse(llm, base);
    if (backend.isGguf()) {
      try {
        SftGenerateRun.checkModelFile(Path.of(llm.substring(5)));
      } catch (IOException ex) {
        throw new IllegalArgumentException(ex.getMessage());
      }
      return backend;
    }
    backend =
        backend
            .withConcurrency(concurrency)
            .withRequestTimeout(Duration.ofSeconds(requestTimeout))
            .withKey(
                apiKey != null ? apiKey : e.get("OPENAI_API_KEY"),
                apiKey != null ? "--openai-api-key" : "OPENAI_API_KEY");
    // a missing key is found now (a local server may take none: OPENAI_API_KEY=none)
    if (!backend.clientSettings(e).hasApiKey()) {
      throw new IllegalArgumentException(
          "no API key: set OPENAI_API_KEY (any value for a local server that takes none), or"
              + " use --llm gguf:PATH for a local model file");
    }
    return backend;
  }

  /** An OpenAI-compatible server's backend (for embeddings): --llm gguf is refused here. */
  BackendSpec serverBackend(Map<String, String> env) {
    if (llm != null && llm.startsWith("gguf:")) {
      throw new IllegalArgumentException(
          "--embeddings openai needs an OpenAI-compatible server (--api-base or OPENAI_BASE_URL),"
              + " not a gguf model");
    }
    return backend(env);
  }

  /** The prices file's text, checked: a server's model must be priced when a cost cap is set. */
  String pricesYaml(BackendSpec backend) {
    String text;
    try {
      text = Files.readString(ConfigFiles.materialize(prices));
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    Budget check = new Budget(maxTokensTotal, maxCost, Prices.parse(text));
    if (!backend.isGguf()) check.checkPriced(model);
    return text;
  }
}
