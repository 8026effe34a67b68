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
 * failures. Each file is read whole by one worker (a JSON array cannot be split); a record that is
 * not a conversation, has no messages, an oversized message, an unknown role, a bad time or a
 * repeated chat id is a failure with its file, line and reason, and the records around it are kept.
 */
public final class ReadConversations extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<KV<String, String>> CONVERSATIONS = new TupleTag<>() {};
  public static final TupleTag<Row> FAILURES = new TupleTag<>() {};
  static final String EMPTY_FILE = "an empty file: no conversation records";

  private final List<String> files;
  private final InputSpec spec;
  private final Map<String, Integer> crossFileDuplicates;

  private ReadConversations(
      List<String> files, InputSpec spec, Map<String, Integer> crossFileDuplicates) {
    this.files = List.copyOf(files);
    this.spec = spec;
    this.crossFileDuplicates = Map.copyOf(crossFileDuplicates);
  }

  public static ReadConversations from(List<Path> files) {
    return new ReadConversations(
        files.stream().map(Path::toString).toList(), InputSpec.auto(), Map.of());
  }

  public ReadConversations withSpec(InputSpec s) {
    return new ReadConversations(files, s, crossFileDuplicates);
  }

  /** Chat ids whose first occurrence is in an earlier file (by index): a later one is refused. */
  public ReadConversations withCrossFileDuplicates(Map<String, Integer> firstFileOf) {
    return new ReadConversations(files, spec, firstFileOf);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    List<KV<Integer, String>> indexed = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) indexed.add(KV.of(i, files.get(i)));
    PCollectionTuple out =
        begin
            .apply(
                "Files",
                Create.of(indexed).withCoder(KvCoder.of(VarIntCoder.of(), StringUtf8Coder.of())))
            .apply("SpreadFiles", Reshuffle.viaRandomKey())
            .apply(
                "Read",
                ParDo.of(new ReadFn(spec, crossFileDuplicates, files))
                    .withOutputTags(CONVERSATIONS, TupleTagList.of(FAILURES)));
    out.get(CONVERSATIONS).setCoder(KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of()));
    out.get(FAILURES).setCoder(SchemaCoder.of(Failures.SCHEMA));
    // A file is read in one call; without a break the steps after it (embedding, asking the LLM)
    // would run inside that call, on one worker, and on Flink no checkpoint could complete until
    // the whole file was through (a large file outlasted the checkpoint timeout and restarted).
    PCollection<KV<String, String>> spread =
        out.get(CONVERSATIONS).apply("SpreadConversations", Reshuffle.viaRandomKey());
    return PCollectionTuple.of(CONVERSATIONS, spread).and(FAILURES, out.get(FAILURES));
  }

  static final class ReadFn extends DoFn<KV<Integer, String>, KV<String, String>> {
    private final InputSpec spec;
    private final Map<String, Integer> dups;
    private final List<String> files;
    private final Counter in = Metrics.counter("read", "records_in");
    private final Counter ok = Metrics.counter("read", "records_out");
    private final Counter failed = Metrics.counter("read", "records_failed");
    // the progress line's input share (a file is read whole)
    private final Counter bytesIn = Metrics.counter("read", "bytes_in");

    ReadFn(InputSpec spec, Map<String, Integer> dups, List<String> files) {
      this.spec = spec;
      this.dups = dups;
      this.files = files;
    }

    @ProcessElement
    public void process(@Element KV<Integer, String> file, MultiOutputReceiver out)
        throws Exception {
      Path path = Path.of(file.getValue());
      if (!java.nio.file.Files.isReadable(path)) {
        in.inc();
        failed.inc();
        out.get(FAILURES)
            .output(
                Failures.of(
                    file.getValue(),
                    null,
                    null,
                    null,
                    "read",
                    "the file is gone or cannot be read (removed after it was listed?)",
                    ""));
        return;
      }
      try (ConversationReader r =
          ConversationReader.open(
              file.getValue(),
              Compressions.open(path),
              spec.conversationFormat(),
              ReadLimits.DEFAULT,
              new HashSet<>())) {
        boolean any = false;
        while (r.hasNext()) {
          any = true;
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
          if (first != null && first < file.getKey()) {
            out.get(FAILURES)
                .output(
                    failure(
                        p.where(),
                        "chat_id '"
                            + KuraJson.clip(c.chatId())
                            + (first < 0
                                ? "' was analysed before (duplicate)"
                                : "' seen before in " + files.get(first) + " (duplicate)"),
                        KuraJson.clip(KuraJson.write(c))));
            failed.inc();
            continue;
          }
          ok.inc();
          out.get(CONVERSATIONS).output(KV.of(c.chatId(), KuraJson.write(c)));
        }
        if (!any) { // a file with no record at all is said, not silently read as nothing
          in.inc();
          failed.inc();
          out.get(FAILURES)
              .output(Failures.of(file.getValue(), null, null, null, "read", EMPTY_FILE, ""));
        }
      }
      bytesIn.inc(java.nio.file.Files.size(path));
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
