package io.hfbeam.workflow.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationSummary;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.Message;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.dataset.Failures;
import io.hfbeam.llm.Answers;
import io.hfbeam.llm.PromptFile;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Conversations ({@code chat_id -> model_dump_json()}) -> Kura summaries (rows of the {@code
 * summaries} stage, keyed by chat id) through the LLM layer: the prompt file's {@code summarise}
 * task over the conversation rendered as {@code <messages><message>role: content</message>...},
 * answers validated (schema, checks) and re-asked, every answer journaled before use so a re-run
 * pays nothing for it. A conversation whose answers stay invalid, or that the budget leaves
 * unasked, is a failure with the reason and the raw answer; the run goes on. Up to the backend's
 * concurrency requests are in flight per worker.
 */
public final class SummarizeConversations
    extends PTransform<PCollection<KV<String, String>>, PCollectionTuple> {
  public static final TupleTag<KV<String, String>> SUMMARIES = new TupleTag<>() {};
  public static final TupleTag<Row> FAILURES = new TupleTag<>() {};

  private final ConversationLlm llm;

  private SummarizeConversations(ConversationLlm llm) {
    this.llm = llm;
  }

  public static SummarizeConversations with(ConversationLlm llm) {
    return new SummarizeConversations(llm);
  }

  @Override
  public PCollectionTuple expand(PCollection<KV<String, String>> conversations) {
    PCollectionTuple out =
        conversations.apply(
            "Summarise",
            ParDo.of(new SummariseFn(llm)).withOutputTags(SUMMARIES, TupleTagList.of(FAILURES)));
    out.get(SUMMARIES).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(FAILURES).setCoder(SchemaCoder.of(Failures.SCHEMA));
    return out;
  }

  /** The conversation as the prompt file's {@code {{conversation}}}. */
  public static String render(Conversation c) {
    StringBuilder b = new StringBuilder("<messages>\n");
    for (Message m : c.messages()) {
      b.append("<message>")
          .append(m.role().wire())
          .append(": ")
          .append(m.content())
          .append("</message>\n");
    }
    return b.append("</messages>").toString();
  }

  /** The text a summary is embedded by: its summary, request and task. */
  public static String embeddingText(ConversationSummary s) {
    StringBuilder b = new StringBuilder(s.summary());
    if (s.request() != null) b.append('\n').append(s.request());
    if (s.task() != null) b.append('\n').append(s.task());
    return b.toString();
  }

  /** One conversation's outcome: its summary row, or a failure. */
  record Outcome(String chatId, String row, Row failure) {}

  static final class SummariseFn extends DoFn<KV<String, String>, KV<String, String>> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ConversationLlm llm;
    private final Counter in = Metrics.counter("summarise", "records_in");
    private final Counter done = Metrics.counter("summarise", "records_out");
    private final Counter failed = Metrics.counter("summarise", "records_failed");
    private transient Deque<Future<Outcome>> pending;
    private transient ConversationLlm.Work work;

    SummariseFn(ConversationLlm llm) {
      this.llm = llm;
    }

    @Setup
    public void setup() throws Exception {
      work = llm.work();
    }

    @StartBundle
    public void start() {
      pending = new ArrayDeque<>();
    }

    @ProcessElement
    public void process(@Element KV<String, String> c, MultiOutputReceiver out) throws Exception {
      in.inc();
      pending.add(work.pool().submit(() -> summarise(c.getKey(), c.getValue())));
      // a bounded window of answers in flight: the pool keeps every request slot busy
      while (pending.size() > 4 * Math.max(1, llm.backend().concurrency())) {
        emit(pending.removeFirst().get(), out.get(SUMMARIES), out.get(FAILURES));
      }
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws Exception {
      while (!pending.isEmpty()) {
        Outcome o = pending.removeFirst().get();
        BoundedWindow w = GlobalWindow.INSTANCE;
        if (o.failure() != null) {
          failed.inc();
          c.output(FAILURES, o.failure(), w.maxTimestamp(), w);
        } else {
          done.inc();
          c.output(SUMMARIES, KV.of(o.chatId(), o.row()), w.maxTimestamp(), w);
        }
      }
      work.answers().sync(); // what this bundle paid for is durable before it counts as done
    }

    private void emit(
        Outcome o, DoFn.OutputReceiver<KV<String, String>> ok, DoFn.OutputReceiver<Row> failures) {
      if (o.failure() != null) {
        failed.inc();
        failures.output(o.failure());
      } else {
        done.inc();
        ok.output(KV.of(o.chatId(), o.row()));
      }
    }

    private Outcome summarise(String chatId, String json) throws Exception {
      Conversation c = KuraJson.conversation(JSON.readTree(json));
      PromptFile.Task task = llm.summaryPrompts().task(ConversationLlm.SUMMARISE);
      Map<String, Object> record = Map.of("conversation", render(c));
      Answers.Outcome o = work.answers().answer(task, llm.request(task, record), record);
      if (!o.ok()) {
        String reason =
            switch (o.kind()) {
              case BUDGET -> "not summarised: the token or cost budget was reached";
              case INVALID ->
                  "summary failed validation after "
                      + o.attempts()
                      + " attempt(s): "
                      + String.join("; ", o.reasons());
              default -> "summary request failed: " + String.join("; ", o.reasons());
            };
        return failed(chatId, reason, o.answer() == null ? "" : o.answer().content());
      }
      JsonNode a = o.validation().parsed();
      ConversationSummary s;
      try {
        s =
            new ConversationSummary(
                a.path("summary").asText(),
                text(a, "request"),
                text(a, "topic"),
                strings(a, "languages"),
                text(a, "task"),
                score(a, "concerning_score"),
                score(a, "user_frustration"),
                strings(a, "assistant_errors"),
                chatId,
                c.metadata(),
                null);
      } catch (IllegalArgumentException e) {
        // a prompt file without range checks let an out-of-range score through
        return failed(
            chatId, "the answer is not a Kura summary: " + e.getMessage(), o.answer().content());
      }
      return new Outcome(chatId, StageRows.row(s).toString(), null);
    }

    /** A conversation not summarised: located by its chat id, with the raw answer. */
    private static Outcome failed(String chatId, String reason, String raw) {
      return new Outcome(
          chatId,
          null,
          Failures.of("chat_id " + chatId, null, null, null, "summarise", reason, raw));
    }

    private static String text(JsonNode a, String f) {
      JsonNode n = a.get(f);
      return n == null || n.isNull() ? null : n.asText();
    }

    private static Integer score(JsonNode a, String f) {
      JsonNode n = a.get(f);
      return n == null || n.isNull() ? null : n.asInt();
    }

    private static List<String> strings(JsonNode a, String f) {
      JsonNode n = a.get(f);
      if (n == null || n.isNull()) return null;
      List<String> out = new ArrayList<>();
      n.forEach(x -> out.add(x.asText()));
      return out;
    }
  }
}
