package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.llm.Answers;
import io.hfbeam.llm.Budget;
import io.hfbeam.llm.ChatBackend;
import io.hfbeam.llm.ChatRequest;
import io.hfbeam.llm.ChatResult;
import io.hfbeam.llm.Latencies;
import io.hfbeam.llm.OpenAiClient;
import io.hfbeam.llm.Prices;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.llm.ResponseJournal;
import io.hfbeam.llm.RetryCause;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.beam.sdk.values.Row;

/**
 * What the workers of one run share in one JVM: the backend (one loaded model, one HTTP client with
 * its concurrency limit and pacing), the response journal, the budget, the pool the requests run
 * on, and the counters the progress line and the statistics come from. Opened by the first worker
 * (or the launcher) that asks for the run's id; closed by the launcher when the run ends.
 */
public final class Generation implements AutoCloseable {
  private static final Map<String, Generation> RUNS = new ConcurrentHashMap<>();

  final SftSettings settings;
  private final ChatBackend backend;
  private final ResponseJournal journal;
  private final Budget budget;
  private final Answers answers;
  private final ExecutorService pool;
  private final long startMillis = System.currentTimeMillis();

  // pair counts of this JVM, for the progress line (the statistics file counts per chunk)
  final AtomicLong pairsDone = new AtomicLong();
  final AtomicLong pairsReused = new AtomicLong();
  final AtomicLong pairsFailed = new AtomicLong();
  final AtomicLong pairsRemaining = new AtomicLong();
  // backend calls made by this JVM
  final AtomicLong calls = new AtomicLong();
  final AtomicLong callFailures = new AtomicLong();
  final AtomicLong promptTokens = new AtomicLong();
  final AtomicLong completionTokens = new AtomicLong();
  final AtomicLong invalidAnswers = new AtomicLong();
  final Latencies latency = new Latencies();
  private final AtomicBoolean budgetReached = new AtomicBoolean();
  private final AtomicLong sinceSync = new AtomicLong();
  private final AtomicLong durable = new AtomicLong();
  private volatile long lastDurableLine;
  private volatile PrintStream progress = System.err;
  private final Thread progressThread;

  private Generation(SftSettings s, ChatBackend backend, ResponseJournal journal) {
    this.settings = s;
    this.backend = backend;
    this.journal = journal;
    Prices prices = s.pricesYaml() == null ? Prices.none() : Prices.parse(s.pricesYaml());
    this.budget = new Budget(s.maxTokensTotal(), s.maxCostUsd(), prices);
    this.answers =
        new Answers(timed(backend), journal, budget, s.validationAttempts(), Clock.systemUTC());
    int threads = s.backend().concurrency();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "sft-generate-llm");
              t.setDaemon(true);
              return t;
            });
    this.progressThread = new Thread(this::reportProgress, "sft-generate-progress");
    progressThread.setDaemon(true);
    progressThread.start();
  }

  /** The run's shared state in this JVM, opened on first use. */
  public static Generation of(SftSettings s) throws IOException {
    Generation g = RUNS.get(s.runId());
    if (g != null) return g;
    synchronized (RUNS) {
      g = RUNS.get(s.runId());
      if (g != null) return g;
      ResponseJournal journal = ResponseJournal.open(Path.of(s.journalDir()));
      ChatBackend backend;
      try {
        backend = s.backend().open(System.getenv());
      } catch (IOException | RuntimeException e) {
        journal.close();
        throw e;
      }
      g = new Generation(s, backend, journal);
      RUNS.put(s.runId(), g);
      return g;
    }
  }

  /** Closes the run's shared state in this JVM, if open: syncs the journal, frees the model. */
  public static void close(String runId) {
    Generation g = RUNS.remove(runId);
    if (g != null) g.close();
  }

  /** Closes every run's state whose id is not {@code keep} (tests that ran earlier). */
  static void closeOthers(String keep) {
    for (Iterator<String> it = RUNS.keySet().iterator(); it.hasNext(); ) {
      String id = it.next();
      if (!id.equals(keep)) close(id);
    }
  }

  /** Where progress lines go (the launcher's stream). */
  void progressTo(PrintStream out) {
    this.progress = out;
  }

  ResponseJournal journal() {
    return journal;
  }

  ChatBackend backend() {
    return backend;
  }

  Budget budget() {
    return budget;
  }

  Answers answers() {
    return answers;
  }

  ExecutorService pool() {
    return pool;
  }

  boolean budgetReached() {
    return budgetReached.get();
  }

  /** One pair's outcome. */
  record PairResult(
      Kind kind,
      String sourceId,
      Row incorrect,
      Row correct,
      boolean reused,
      String task,
      String reason,
      String rawAnswer,
      int attempts) {}

  enum Kind {
    DONE,
    FAILED,
    REMAINING
  }

  /** Makes the pair: its tasks' validated answers (journaled), then its two examples. */
  PairResult generate(Map<String, Object> record) throws IOException, InterruptedException {
    PairMapping m = settings.mapping();
    String id = text(record, m.column("id"));
    PromptFile.Task correctTask = settings.prompts().task(m.correctTask());
    TaskAnswer paraphrase = ask(correctTask, record, "/paraphrase");
    if (paraphrase.failure != null) return paraphrase.failure.withId(id);
    TaskAnswer reasoning = null;
    if (settings.addReasoning()) {
      reasoning = ask(settings.prompts().task(m.reasoningTask()), record, "/reasoning");
      if (reasoning.failure != null) return reasoning.failure.withId(id);
    }
    String errorType = m.column("error_type") == null ? null : text(record, m.column("error_type"));
    Row incorrect =
        SftExamples.example(
            m,
            record,
            SftExamples.INCORRECT,
            text(record, m.column("incorrect")),
            id,
            errorType,
            reasoning == null ? null : reasoning.text);
    Row correct =
        SftExamples.example(m, record, SftExamples.CORRECT, paraphrase.text, id, null, null);
    boolean reused = paraphrase.reused && (reasoning == null || reasoning.reused);
    return new PairResult(Kind.DONE, id, incorrect, correct, reused, null, null, null, 0);
  }

  private record TaskAnswer(String text, boolean reused, Failure failure) {}

  private record Failure(Kind kind, String task, String reason, String raw, int attempts) {
    PairResult withId(String id) {
      return new PairResult(kind, id, null, null, false, task, reason, raw, attempts);
    }
  }

  private TaskAnswer ask(PromptFile.Task task, Map<String, Object> record, String pointer)
      throws IOException, InterruptedException {
    if (budgetReached.get() && !answers.answered(settings.request(task, record), task.name())) {
      return new TaskAnswer(null, false, new Failure(Kind.REMAINING, task.name(), null, null, 0));
    }
    ChatRequest request = settings.request(task, record);
    Answers.Outcome o = answers.answer(task, request, record);
    if (o.attempts() > 1) invalidAnswers.addAndGet(o.attempts() - 1);
    switch (o.kind()) {
      case OK -> {
        String text = answerText(o.validation().parsed(), pointer);
        if (text == null) {
          return new TaskAnswer(
              null,
              false,
              new Failure(
                  Kind.FAILED,
                  task.name(),
                  "the answer has no text at " + pointer,
                  o.answer().content(),
                  o.attempts()));
        }
        return new TaskAnswer(text, o.reused(), null);
      }
      case BUDGET -> {
        budgetReached.set(true);
        return new TaskAnswer(null, false, new Failure(Kind.REMAINING, task.name(), null, null, 0));
      }
      case INVALID -> {
        invalidAnswers.incrementAndGet();
        return new TaskAnswer(
            null,
            false,
            new Failure(
                Kind.FAILED,
                task.name(),
                "answer failed validation after "
                    + o.attempts()
                    + (o.attempts() == 1 ? " attempt: " : " attempts: ")
                    + String.join("; ", o.reasons()),
                o.answer() == null ? null : o.answer().content(),
                o.attempts()));
      }
      default -> {
        return new TaskAnswer(
            null,
            false,
            new Failure(
                Kind.FAILED,
                task.name(),
                "request failed: " + String.join("; ", o.reasons()),
                o.answer() == null ? null : o.answer().content(),
                o.attempts()));
      }
    }
  }

  /**
   * The text an answer gives: at {@code pointer}, else the answer object's only string property.
   */
  static String answerText(JsonNode parsed, String pointer) {
    if (parsed == null) return null;
    JsonNode at = parsed.at(pointer);
    if (at.isTextual()) return at.asText();
    if (parsed.isObject() && parsed.size() == 1) {
      JsonNode only = parsed.elements().next();
      if (only.isTextual()) return only.asText();
    }
    return parsed.isTextual() ? parsed.asText() : null;
  }

  static String text(Map<String, ?> record, String column) {
    Object v = record.get(column);
    return v == null ? null : v.toString();
  }

  /** Counts a finished pair; every {@code --save-every} pairs the journal is made durable. */
  void finished(PairResult r) throws IOException {
    switch (r.kind()) {
      case DONE -> {
        pairsDone.incrementAndGet();
        if (r.reused()) pairsReused.incrementAndGet();
      }
      case FAILED -> pairsFailed.incrementAndGet();
      case REMAINING -> pairsRemaining.incrementAndGet();
    }
    if (r.kind() == Kind.DONE
        && !r.reused()
        && sinceSync.incrementAndGet() >= settings.saveEvery()) {
      sync();
    }
  }

  /** Makes every answer so far durable and says so (at most one line every 2 s). */
  synchronized void sync() throws IOException {
    long n = sinceSync.getAndSet(0);
    if (n == 0) return;
    journal.sync();
    long total = durable.addAndGet(n);
    long now = System.currentTimeMillis();
    if (now - lastDurableLine >= 2000) {
      lastDurableLine = now;
      progress.println(
          "saved: " + total + " new answered pairs durable in " + journal.dir().getFileName());
    }
  }

  /** A backend that counts calls, tokens and latency for the statistics. */
  private ChatBackend timed(ChatBackend b) {
    return request -> {
      long t0 = System.nanoTime();
      calls.incrementAndGet();
      try {
        ChatResult r = b.chat(request);
        promptTokens.addAndGet(r.promptTokens());
        completionTokens.addAndGet(r.completionTokens());
        return r;
      } catch (IOException | RuntimeException e) {
        callFailures.incrementAndGet();
        throw e;
      } finally {
        latency.record((System.nanoTime() - t0) / 1e6);
      }
    };
  }

  /** Retries by cause, from the HTTP client (a local model does not retry). */
  Map<String, Long> retries() {
    Map<String, Long> out = new LinkedHashMap<>();
    if (backend instanceof OpenAiClient c) {
      io.hfbeam.llm.Stats.Snapshot stats = c.stats().snapshot();
      for (RetryCause cause : RetryCause.values()) {
        long n = stats.retries(cause);
        if (n > 0) out.put(cause.name().toLowerCase(java.util.Locale.ROOT), n);
      }
    }
    return out;
  }

  long httpRequests() {
    return backend instanceof OpenAiClient c ? c.stats().snapshot().requests() : calls.get();
  }

  long startMillis() {
    return startMillis;
  }

  private void reportProgress() {
    long lastPrinted = -1;
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(2000);
      } catch (InterruptedException e) {
        return;
      }
      long done = pairsDone.get() + pairsFailed.get() + pairsRemaining.get();
      if (done == lastPrinted || done == 0) continue;
      lastPrinted = done;
      progress.println(progressLine(System.currentTimeMillis()));
    }
  }

  /** "pairs 120/500 [===== ] 24% 3.1 pairs/s ETA 2m03s, 45,210 tokens, $0.0123". */
  String progressLine(long nowMillis) {
    long done = pairsDone.get() + pairsFailed.get() + pairsRemaining.get();
    long fresh = done - pairsReused.get();
    double seconds = Math.max(0.001, (nowMillis - startMillis) / 1000.0);
    double rate = fresh / seconds;
    long total = settings.totalPairs();
    StringBuilder s = new StringBuilder("sft-generate: pairs ").append(done);
    if (total > 0) {
      int width = 20;
      int filled = (int) Math.min(width, done * width / Math.max(1, total));
      s.append('/')
          .append(total)
          .append(" [")
          .append("=".repeat(filled))
          .append(" ".repeat(width - filled))
          .append("] ")
          .append(Math.min(100, done * 100 / Math.max(1, total)))
          .append('%');
    }
    s.append(String.format(java.util.Locale.ROOT, ", %.1f pairs/s", rate));
    if (total > 0 && rate > 0 && done < total) {
      long eta = (long) ((total - done) / rate);
      s.append(", ETA ").append(eta / 60).append('m').append(String.format("%02ds", eta % 60));
    }
    Budget.Snapshot b = budget.snapshot();
    s.append(String.format(java.util.Locale.ROOT, ", %,d tokens", b.tokens()));
    if (b.costUsd().isPresent()) {
      s.append(String.format(java.util.Locale.ROOT, ", $%.4f", b.costUsd().getAsDouble()));
    }
    if (pairsFailed.get() > 0) s.append(", ").append(pairsFailed.get()).append(" failed");
    if (pairsReused.get() > 0) s.append(", ").append(pairsReused.get()).append(" from journal");
    return s.toString();
  }

  @Override
  public void close() {
    progressThread.interrupt();
    pool.shutdownNow();
    try {
      journal.close();
    } catch (IOException e) {
      progress.println("warning: closing the journal: " + e.getMessage());
    }
    try {
      backend.close();
    } catch (Exception e) {
      // nothing to keep from a backend that fails to close
    }
  }
}
