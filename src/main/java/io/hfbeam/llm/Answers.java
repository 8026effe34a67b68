package io.hfbeam.llm;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Validated answers that are paid for once: a task's request for a record is looked up in the
 * {@link ResponseJournal} first; only when it is not there is it sent, under the {@link Budget},
 * and an answer that passes the task's validation is journaled before it is used. An answer that
 * fails validation is asked again (with the task's seed moved on, so a deterministic backend can
 * answer differently) up to {@code attempts} times. Thread-safe: the backend, journal and budget
 * are.
 */
public final class Answers {
  /** How one task's answer for one record ended. */
  public enum Kind {
    /** A validated answer: from the journal ({@link Outcome#reused()}) or just paid for. */
    OK,
    /** Every attempt's answer failed validation; the last answer and the reasons are kept. */
    INVALID,
    /** The backend refused or failed after its own retries (the message says how). */
    ERROR,
    /** Not sent: it could have passed the token or cost budget. */
    BUDGET
  }

  /**
   * One outcome.
   *
   * @param answer the validated answer (OK), else the last raw answer or null
   * @param reasons why it failed (INVALID: the last attempt's validation; ERROR: the error)
   * @param reused the answer came from the journal: nothing was sent
   * @param attempts answers asked for (0 when reused or not sent)
   */
  public record Outcome(
      Kind kind,
      ChatResult answer,
      PromptFile.Validation validation,
      List<String> reasons,
      boolean reused,
      int attempts) {
    public Outcome {
      reasons = List.copyOf(reasons);
    }

    public boolean ok() {
      return kind == Kind.OK;
    }
  }

  /**
   * A failure no other record can get past: a refused key, a revoked account, an exhausted quota.
   */
  public static final class FatalBackendException extends IOException {
    FatalBackendException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ChatBackend backend;
  private final ResponseJournal journal;
  private final Budget budget;
  private final int attempts;
  private final Clock clock;

  public Answers(
      ChatBackend backend, ResponseJournal journal, Budget budget, int attempts, Clock clock) {
    if (attempts < 1) throw new IllegalArgumentException("attempts must be at least 1");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.journal = Objects.requireNonNull(journal, "journal");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.attempts = attempts;
    this.clock = clock;
  }

  /** Whether the journal already holds the answer of {@code request} for {@code task}. */
  public boolean answered(ChatRequest request, String task) {
    return journal.contains(RequestKey.of(request, task));
  }

  /**
   * The validated answer of {@code task} for {@code record}: from the journal, else asked (at most
   * {@code attempts} times) and journaled.
   *
   * @throws FatalBackendException when the backend refuses the key (401/403) or the account has no
   *     quota left (429 insufficient_quota): no other request can succeed
   */
  public Outcome answer(PromptFile.Task task, ChatRequest request, Map<String, ?> record)
      throws IOException, InterruptedException {
    RequestKey key = RequestKey.of(request, task.name());
    Optional<ResponseJournal.Entry> known = journal.lookup(key);
    if (known.isPresent()) {
      ChatResult result = known.get().result();
      PromptFile.Validation v = task.validate(result.content(), record);
      // a journaled answer that the prompt file's checks now refuse is asked again
      if (v.ok()) return new Outcome(Kind.OK, result, v, List.of(), true, 0);
    }
    ChatResult last = null;
    PromptFile.Validation lastValidation = null;
    List<String> reasons = new ArrayList<>();
    for (int attempt = 1; attempt <= attempts; attempt++) {
      ChatRequest sent = attempt == 1 ? request : reseeded(request, attempt);
      Optional<Budget.Reservation> reservation = budget.tryReserve(sent);
      if (reservation.isEmpty()) {
        return new Outcome(
            Kind.BUDGET,
            last,
            lastValidation,
            List.of("not sent: the token or cost budget could be passed"),
            false,
            attempt - 1);
      }
      ChatResult result;
      try {
        result = backend.chat(sent);
      } catch (OpenAiException e) {
        budget.release(reservation.get());
        // a refused key, or an account without credit (a 429 that waiting does not cure)
        if (e.status() == 401
            || e.status() == 403
            || e.status() == 429 && e.getMessage().contains("insufficient_quota")) {
          throw new FatalBackendException(e.getMessage(), e);
        }
        return new Outcome(
            Kind.ERROR, last, lastValidation, List.of(e.getMessage()), false, attempt);
      } catch (IOException | RuntimeException e) {
        budget.release(reservation.get());
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new Outcome(
            Kind.ERROR, last, lastValidation, List.of(why.replaceAll("\\s+", " ")), false, attempt);
      } catch (InterruptedException e) {
        budget.release(reservation.get());
        throw e;
      }
      budget.settle(reservation.get(), result.promptTokens(), result.completionTokens());
      last = result;
      lastValidation = task.validate(result.content(), record);
      if (lastValidation.ok()) {
        journal.append(
            key, ResponseJournal.Entry.of(result, task.name(), attempt, clock.instant()));
        return new Outcome(Kind.OK, result, lastValidation, List.of(), false, attempt);
      }
      reasons = lastValidation.reasons();
    }
    return new Outcome(Kind.INVALID, last, lastValidation, reasons, false, attempts);
  }

  /** The same request with its seed moved on, so a retry after an invalid answer can differ. */
  static ChatRequest reseeded(ChatRequest r, int attempt) {
    long seed = (r.seed() == null ? 0 : r.seed()) + attempt - 1;
    return new ChatRequest(
        r.model(), r.messages(), r.temperature(), r.maxTokens(), seed, r.jsonSchema());
  }

  /** Makes every answer journaled so far durable. */
  public void sync() throws IOException {
    journal.sync();
  }

  public Budget budget() {
    return budget;
  }

  public ResponseJournal journal() {
    return journal;
  }
}
