package io.hfbeam.llm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnswersTest {
  @TempDir Path tmp;

  static final Map<String, String> RECORD =
      Map.of(
          "Corrected Text",
              "The patient was given amoxicillin for otitis media. Follow-up in 2 weeks.",
          "Error Sentence", "The patient was given insulin for otitis media.");

  PromptFile.Task task() {
    return PromptFile.load(Path.of("config/prompts/medec-safe-augmentation.json"))
        .task("paraphrase_correct");
  }

  static ChatResult answer(String content) {
    return new ChatResult(content, "stop", 100, 20, "m");
  }

  static final String GOOD =
      "{\"paraphrase\": \"For otitis media the patient received amoxicillin; review after two weeks.\"}";

  @Test
  void aJournaledAnswerIsReusedAndNothingIsSentAgain() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    ChatBackend backend =
        r -> {
          sent.incrementAndGet();
          return answer(GOOD);
        };
    PromptFile.Task t = task();
    ChatRequest req = t.request(RECORD, "gpt-4o-mini");
    try (ResponseJournal j = ResponseJournal.open(tmp)) {
      Answers a = new Answers(backend, j, Budget.unlimited(Prices.none()), 2, Clock.systemUTC());
      Answers.Outcome first = a.answer(t, req, RECORD);
      assertTrue(first.ok());
      assertFalse(first.reused());
      assertEquals(1, sent.get());
    }
    try (ResponseJournal j = ResponseJournal.open(tmp)) {
      Answers a = new Answers(backend, j, Budget.unlimited(Prices.none()), 2, Clock.systemUTC());
      assertTrue(a.answered(req, t.name()));
      Answers.Outcome again = a.answer(t, req, RECORD);
      assertTrue(again.ok() && again.reused());
      assertEquals(1, sent.get(), "a journaled answer is not paid for again");
    }
  }

  @Test
  void anInvalidAnswerIsAskedAgainWithTheSeedMovedOnThenReportedWithTheRawAnswer()
      throws Exception {
    List<Long> seeds = new ArrayList<>();
    ChatBackend backend =
        r -> {
          seeds.add(r.seed());
          return answer("{\"paraphrase\": \"short\"}");
        };
    PromptFile.Task t = task();
    try (ResponseJournal j = ResponseJournal.open(tmp)) {
      Answers a = new Answers(backend, j, Budget.unlimited(Prices.none()), 3, Clock.systemUTC());
      Answers.Outcome o = a.answer(t, t.request(RECORD, "gpt-4o-mini"), RECORD);
      assertEquals(Answers.Kind.INVALID, o.kind());
      assertEquals(3, o.attempts());
      assertEquals(List.of(42L, 43L, 44L), seeds);
      assertTrue(o.answer().content().contains("short"));
      assertTrue(String.join(" ", o.reasons()).contains("40"), o.reasons().toString());
      assertEquals(0, j.size(), "an invalid answer is never journaled");
    }
  }

  @Test
  void aRequestThatCouldPassTheBudgetIsNotSent() throws Exception {
    AtomicInteger sent = new AtomicInteger();
    ChatBackend backend =
        r -> {
          sent.incrementAndGet();
          return answer(GOOD);
        };
    PromptFile.Task t = task();
    try (ResponseJournal j = ResponseJournal.open(tmp)) {
      Answers a = new Answers(backend, j, new Budget(500, 0, Prices.none()), 1, Clock.systemUTC());
      Answers.Outcome o = a.answer(t, t.request(RECORD, "gpt-4o-mini"), RECORD);
      // max_tokens 1024 alone passes 500 tokens
      assertEquals(Answers.Kind.BUDGET, o.kind());
      assertEquals(0, sent.get());
    }
  }

  @Test
  void aRefusedKeyStopsEverythingAndOtherErrorsFailOneRecord() throws Exception {
    PromptFile.Task t = task();
    try (ResponseJournal j = ResponseJournal.open(tmp)) {
      Answers refused =
          new Answers(
              r -> {
                throw new OpenAiException(401, "Incorrect API key provided: sk-****");
              },
              j,
              Budget.unlimited(Prices.none()),
              2,
              Clock.systemUTC());
      assertThrows(
          Answers.FatalBackendException.class,
          () -> refused.answer(t, t.request(RECORD, "m"), RECORD));
      Answers failing =
          new Answers(
              r -> {
                throw new OpenAiException(500, "server error after 6 attempts");
              },
              j,
              Budget.unlimited(Prices.none()),
              2,
              Clock.systemUTC());
      Answers.Outcome o = failing.answer(t, t.request(RECORD, "m"), RECORD);
      assertEquals(Answers.Kind.ERROR, o.kind());
      assertTrue(o.reasons().get(0).contains("500") || o.reasons().get(0).contains("server"));
    }
  }
}
