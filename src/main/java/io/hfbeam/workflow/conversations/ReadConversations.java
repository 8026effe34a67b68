package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationReader;
import io.hfbeam.conversations.KuraJson;
import io.hfbeam.conversations.Location;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ReadLimits;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.Compressions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Conversation files -> Kura conversations ({@code chat_id -> model_dump_json()}) and located
 * failures. The files are read in the parts {@link Survey} cut them into (a part is one call on a
 * worker: a JSON Lines part starts at its byte offset, a JSON array's part skips the records before
 * it unbuilt); a record that is not a conversation, has no messages, an oversized message, an
 * unknown role, a bad time or a repeated chat id is a failure with its file, line and reason, and
 * the records around it are kept.
 */
public final class ReadConversations extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<KV<String, String>> CONVERSATIONS = new TupleTag<>() {};
  public static final TupleTag<Row> FAILURES = new TupleTag<>() {};
  static final String EMPTY_FILE = "an empty file: no conversation records";

  private final List<Survey.Part> parts;
  private final InputSpec spec;
  private final Map<String, Integer> duplicates;

  private ReadConversations(
      List<Survey.Part> parts, InputSpec spec, Map<String, Integer> duplicates) {
    this.parts = List.copyOf(parts);
    this.spec = spec;
    this.duplicates = Map.copyOf(duplicates);
  }

  /** The files of a survey, in its parts, refusing the chat ids it found repeated across parts. */
  public static ReadConversations from(Survey survey) {
    return new ReadConversations(survey.parts(), InputSpec.auto(), survey.crossFileDuplicates());
  }

  /** How records become conversations: the spec the survey was made with. */
  public ReadConversations withSpec(InputSpec s) {
    return new ReadConversations(parts, s, duplicates);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    List<KV<Integer, Survey.Part>> indexed = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) indexed.add(KV.of(i, parts.get(i)));
    PCollectionTuple out =
        begin
            .apply(
                "Parts",
                Create.of(indexed)
                    .withCoder(
                        KvCoder.of(VarIntCoder.of(), SerializableCoder.of(Survey.Part.class))))
            .apply("SpreadParts", Reshuffle.viaRandomKey())
            .apply(
                "Read",
                ParDo.of(new ReadFn(spec, duplicates, parts))
                    .withOutputTags(CONVERSATIONS, TupleTagList.of(FAILURES)));
    out.get(CONVERSATIONS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(FAILURES).setCoder(SchemaCoder.of(Failures.SCHEMA));
    // Without a break the steps after the read (embedding, asking the LLM) would run inside the
    // call that reads a part, on one worker.
    PCollection<KV<String, String>> spread =
        out.get(CONVERSATIONS).apply("SpreadConversations", Reshuffle.viaRandomKey());
    return PCollectionTuple.of(CONVERSATIONS, spread).and(FAILURES, out.get(FAILURES));
  }

  static final class ReadFn extends DoFn<KV<Integer, Survey.Part>, KV<String, String>> {
    private final InputSpec spec;
    private final Map<String, Integer> dups;
    private final List<Survey.Part> parts;
    private final Counter in = Metrics.counter("read", "records_in");
    private final Counter ok = Metrics.counter("read", "records_out");
    private final Counter failed = Metrics.counter("read", "records_failed");
    // the progress line's input share (a part's share of its file)
    private final Counter bytesIn = Metrics.counter("read", "bytes_in");

    ReadFn(InputSpec spec, Map<String, Integer> dups, List<Survey.Part> parts) {
      this.spec = spec;
      this.dups = dups;
      this.parts = parts;
    }

    @ProcessElement
    public void process(@Element KV<Integer, Survey.Part> element, MultiOutputReceiver out)
        throws Exception {
      int index = element.getKey();
      Survey.Part part = element.getValue();
      Path path = Path.of(part.path());
      if (!java.nio.file.Files.isReadable(path)) {
        if (part.first()) { // said once per file
          in.inc();
          failed.inc();
          out.get(FAILURES)
              .output(
                  Failures.of(
                      part.path(),
                      null,
                      null,
                      null,
                      "read",
                      "the file is gone or cannot be read (removed after it was listed?)",
                      ""));
        }
        return;
      }
      try (ConversationReader r =
          ConversationReader.from(
              part.path(),
              Compressions.open(path),
              spec.conversationFormat(),
              ReadLimits.DEFAULT,
              new HashSet<>(),
              part.start(),
              part.array(),
              part.detectedFormat())) {
        long n = 0;
        while (n < part.records() && r.hasNext()) {
          n++;
          Parsed<Conversation> p = r.next();
          in.inc();
          if (!p.ok()) {
            failed.inc();
            out.get(FAILURES)
                .output(failure(p.where(), p.failure().reason(), p.failure().excerpt()));
            continue;
          }
          Conversation c = p.value();
          Integer first = dups.get(c.chatId());
          if (first != null && first < index) {
            String before =
                first < 0
                    ? "' was analysed before (duplicate)"
                    : parts.get(first).file() == part.file()
                        ? "' seen before (duplicate)"
                        : "' seen before in " + parts.get(first).path() + " (duplicate)";
            out.get(FAILURES)
                .output(
                    failure(
                        p.where(),
                        "chat_id '" + KuraJson.clip(c.chatId()) + before,
                        KuraJson.clip(KuraJson.write(c))));
            failed.inc();
            continue;
          }
          ok.inc();
          out.get(CONVERSATIONS).output(KV.of(c.chatId(), KuraJson.write(c)));
        }
        if (part.records()
            == 0) { // a file with no record at all is said, not silently read as nothing
          in.inc();
          failed.inc();
          out.get(FAILURES)
              .output(Failures.of(part.path(), null, null, null, "read", EMPTY_FILE, ""));
        }
      }
      bytesIn.inc(part.bytes());
    }

    private static Row failure(Location where, String reason, String excerpt) {
      return Failures.of(
          where.file(),
          where.line() > 0 ? where.line() : null,
          null,
          where.index() >= 0 ? where.index() : null,
          "read",
          reason,
          excerpt);
    }
  }
}
