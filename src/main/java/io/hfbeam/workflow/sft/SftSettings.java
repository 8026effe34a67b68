package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.ChatRequest;
import io.hfbeam.llm.PromptFile;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the workers of one sft-generate run need: the backend (no secret), the model, the prompt
 * file and pairing, the overrides, the budget, where the journal and the run's statistics go.
 * Immutable and serializable.
 *
 * @param runId a fresh id per run: the workers of one run in one JVM share one {@link Generation}
 * @param pairLimits per input unit (file or dataset unit index), the most pairs it may make (from
 *     --num-pairs); absent: no limit
 */
public record SftSettings(
    String runId,
    BackendSpec backend,
    String model,
    PromptFile prompts,
    PairMapping mapping,
    boolean addReasoning,
    Double temperature,
    Long seed,
    long maxTokensTotal,
    double maxCostUsd,
    String pricesYaml,
    int validationAttempts,
    String journalDir,
    String statsDir,
    int saveEvery,
    long totalPairs,
    Map<Integer, Long> pairLimits)
    implements Serializable {

  public SftSettings {
    pairLimits = pairLimits == null ? Map.of() : Map.copyOf(pairLimits);
    if (saveEvery < 1) throw new IllegalArgumentException("--save-every must be at least 1");
    if (validationAttempts < 1)
      throw new IllegalArgumentException("--validation-attempts must be at least 1");
  }

  /**
   * These settings as the backend needs them: a local GGUF model is named by its file ({@code
   * gguf:NAME.gguf}) in every request, so the journal never hands its answers to a server's model
   * of the --model name (or the other way round), and it costs nothing. A server's: unchanged.
   */
  public SftSettings forBackend() {
    if (!backend.isGguf()) return this;
    String name = "gguf:" + Path.of(backend.describe().substring("gguf:".length())).getFileName();
    String free;
    try {
      free =
          new ObjectMapper()
              .writeValueAsString(
                  Map.of(
                      "as_of", "local", "models", Map.of(name, Map.of("input", 0, "output", 0))));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
    return new SftSettings(
        runId,
        backend,
        name,
        prompts,
        mapping,
        addReasoning,
        temperature,
        seed,
        maxTokensTotal,
        maxCostUsd,
        free,
        validationAttempts,
        journalDir,
        statsDir,
        saveEvery,
        totalPairs,
        pairLimits);
  }

  /** The request of {@code task} for {@code record}, with the run's overrides applied. */
  public ChatRequest request(PromptFile.Task task, Map<String, ?> record) {
    ChatRequest r = task.request(record, model);
    if (temperature == null && seed == null) return r;
    return new ChatRequest(
        r.model(),
        r.messages(),
        temperature != null ? temperature : r.temperature(),
        r.maxTokens(),
        seed != null ? seed : r.seed(),
        r.jsonSchema());
  }

  /** How many pairs unit {@code index} may make; -1: no limit. */
  public long limit(int index) {
    Long n = pairLimits.get(index);
    return n == null ? -1 : n;
  }
}
