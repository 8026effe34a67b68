package io.hfbeam.workflow.conversations;

import io.hfbeam.llm.Answers;
import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.Budget;
import io.hfbeam.llm.ChatBackend;
import io.hfbeam.llm.ChatRequest;
import io.hfbeam.llm.Prices;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.llm.ResponseJournal;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The LLM side of a conversations run, serializable for the workers: the backend (no secret), the
 * model, the two prompt files (summaries; cluster names), the journal beside the output, the
 * budget. {@link #work()} opens what one JVM shares for the run: one backend, one journal, one pool
 * of {@code concurrency} request threads.
 *
 * @param runId a fresh id per run: the workers of one run in one JVM share one {@link Work}
 * @param promptsHash sha256 of both prompt files' bytes (the fingerprints' part)
 */
public record ConversationLlm(
    String runId,
    BackendSpec backend,
    String model,
    PromptFile summaryPrompts,
    PromptFile clusterPrompts,
    String promptsHash,
    Double temperature,
    int validationAttempts,
    String journalDir,
    long maxTokensTotal,
    double maxCostUsd,
    String pricesYaml)
    implements Serializable {
  public static final String SUMMARISE = "summarise";
  public static final String DESCRIBE_CLUSTER = "describe_cluster";

  public ConversationLlm withRun(String id, Path journal) {
    return new ConversationLlm(
        id,
        backend,
        model,
        summaryPrompts,
        clusterPrompts,
        promptsHash,
        temperature,
        validationAttempts,
        journal.toString(),
        maxTokensTotal,
        maxCostUsd,
        pricesYaml);
  }

  /** The model as requests name it: a local GGUF model by its file, so answers never mix. */
  public String requestModel() {
    if (!backend.isGguf()) return model;
    return "gguf:" + Path.of(backend.describe().substring("gguf:".length())).getFileName();
  }

  /** For fingerprints and cards: which model, where (no key). */
  public String describe() {
    return requestModel() + (backend.isGguf() ? "" : " at " + backend.describe());
  }

  /** The request of {@code task} for {@code record}, with the run's temperature if given. */
  public ChatRequest request(PromptFile.Task task, Map<String, ?> record) {
    ChatRequest r = task.request(record, requestModel());
    if (temperature == null) return r;
    return new ChatRequest(
        r.model(), r.messages(), temperature, r.maxTokens(), r.seed(), r.jsonSchema());
  }

  private static final Map<String, Work> OPEN = new ConcurrentHashMap<>();

  /** This run's shared state in this JVM, opened on first use. */
  public Work work() throws IOException {
    Work w = OPEN.get(runId);
    if (w != null) return w;
    synchronized (OPEN) {
      w = OPEN.get(runId);
      if (w != null) return w;
      ResponseJournal journal = ResponseJournal.open(Path.of(journalDir));
      ChatBackend b;
      try {
        b = backend.open(System.getenv());
      } catch (IOException | RuntimeException e) {
        journal.close();
        throw e;
      }
      w = new Work(this, b, journal);
      OPEN.put(runId, w);
      return w;
    }
  }

  /** Closes the run's state in this JVM, if open (syncs the journal, frees a local model). */
  public static void close(String runId) {
    Work w = OPEN.remove(runId);
    if (w != null) w.close();
  }

  /** Closes every run's state but {@code keep}'s (runs of earlier tests in this JVM). */
  public static void closeOthers(String keep) {
    for (Iterator<String> it = OPEN.keySet().iterator(); it.hasNext(); ) {
      String id = it.next();
      if (!id.equals(keep)) close(id);
    }
  }

  /** What one JVM shares for a run. */
  public static final class Work implements AutoCloseable {
    private final ChatBackend backend;
    private final ResponseJournal journal;
    private final Answers answers;
    private final ExecutorService pool;

    Work(ConversationLlm s, ChatBackend backend, ResponseJournal journal) {
      this.backend = backend;
      this.journal = journal;
      Prices prices = s.pricesYaml() == null ? Prices.none() : Prices.parse(s.pricesYaml());
      Budget budget = new Budget(s.maxTokensTotal(), s.maxCostUsd(), prices);
      this.answers =
          new Answers(backend, journal, budget, s.validationAttempts(), Clock.systemUTC());
      this.pool =
          Executors.newFixedThreadPool(
              Math.max(1, s.backend().concurrency()),
              r -> {
                Thread t = new Thread(r, "conversations-llm");
                t.setDaemon(true);
                return t;
              });
    }

    public Answers answers() {
      return answers;
    }

    public ExecutorService pool() {
      return pool;
    }

    @Override
    public void close() {
      pool.shutdownNow();
      try {
        journal.close();
      } catch (IOException e) {
        // the journal syncs on every save-every boundary; a failed close loses nothing paid for
      }
      try {
        backend.close();
      } catch (Exception e) {
        // closing a client or a model cannot fail the run
      }
    }
  }
}
