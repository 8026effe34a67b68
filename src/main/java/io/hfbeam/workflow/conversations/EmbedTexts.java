package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Embedding;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.llm.BackendSpec;
import io.hfbeam.llm.Embedder;
import io.hfbeam.llm.Embeddings;
import io.hfbeam.llm.LocalEmbeddings;
import io.hfbeam.llm.OpenAiClient;
import io.hfbeam.llm.OpenAiEmbedder;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.windowing.GlobalWindow;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;

/**
 * {@code chat_id -> text} -> rows of the {@code embeddings} stage ({@code StageRows.row(Embedding)}
 * as JSON), embedded in batches by the local model in the jar (the default: offline, loaded once
 * per JVM on first use) or an OpenAI-compatible {@code /v1/embeddings}.
 */
public final class EmbedTexts
    extends PTransform<PCollection<KV<String, String>>, PCollection<String>> {
  /** Which embedder, serializable: {@code local}, or a server's model through a backend. */
  public record Spec(BackendSpec server, String model) implements Serializable {
    public static final Spec LOCAL = new Spec(null, LocalEmbeddings.MODEL);

    public boolean local() {
      return server == null;
    }

    public String describe() {
      return local() ? "local " + model : model + " at " + server.describe();
    }
  }

  private static final Map<Spec, Embedder> OPEN = new ConcurrentHashMap<>();

  private final Spec spec;
  private final int batch;
  private final String journalDir;

  private EmbedTexts(Spec spec, int batch, String journalDir) {
    this.spec = spec;
    this.batch = batch;
    this.journalDir = journalDir;
  }

  public static EmbedTexts with(Spec spec) {
    return new EmbedTexts(spec, 64, null);
  }

  public EmbedTexts withBatchSize(int n) {
    if (n < 1) throw new IllegalArgumentException("batch size must be >= 1");
    return new EmbedTexts(spec, n, journalDir);
  }

  /**
   * A server's vectors are journaled here (text and model -> vector) before use, so a re-run or a
   * rebuilt stage pays for none of them again; the local model needs none.
   */
  public EmbedTexts withJournal(java.nio.file.Path dir) {
    return new EmbedTexts(spec, batch, dir.toAbsolutePath().toString());
  }

  private static final Map<String, io.hfbeam.llm.ResponseJournal> JOURNALS =
      new ConcurrentHashMap<>();

  static io.hfbeam.llm.ResponseJournal journal(String dir) {
    return JOURNALS.computeIfAbsent(
        dir,
        d -> {
          try {
            return io.hfbeam.llm.ResponseJournal.open(java.nio.file.Path.of(d));
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
  }

  /** The journal key of one text's vector: the request an embedding is, as a chat request. */
  static io.hfbeam.llm.RequestKey key(String model, String text) {
    return io.hfbeam.llm.RequestKey.of(
        new io.hfbeam.llm.ChatRequest(
            model, List.of(io.hfbeam.llm.ChatMessage.user(text)), null, null, null, null),
        "embed");
  }

  static Embedder embedder(Spec spec) {
    return OPEN.computeIfAbsent(
        spec,
        s ->
            s.local()
                ? new LocalEmbeddings()
                : new OpenAiEmbedder(
                    new OpenAiClient(s.server().clientSettings(System.getenv())), s.model(), 64));
  }

  @Override
  public PCollection<String> expand(PCollection<KV<String, String>> texts) {
    String journaled = spec.local() ? null : journalDir;
    return texts
        .apply("Embed", ParDo.of(new EmbedFn(spec, batch, journaled)))
        .setCoder(StringUtf8Coder.of());
  }

  static final class EmbedFn extends DoFn<KV<String, String>, String> {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
        new com.fasterxml.jackson.databind.ObjectMapper();
    private final Spec spec;
    private final int batch;
    private final String journalDir;
    private transient List<KV<String, String>> pending;
    private final Counter in = Metrics.counter("embed", "records_in");
    private final Counter out = Metrics.counter("embed", "records_out");
    // the progress line's record count: conversations through their last per-record stage
    private final Counter progress = Metrics.counter("write", "records_out");

    EmbedFn(Spec spec, int batch, String journalDir) {
      this.spec = spec;
      this.batch = batch;
      this.journalDir = journalDir;
    }

    @StartBundle
    public void start() {
      pending = new ArrayList<>();
    }

    @ProcessElement
    public void process(@Element KV<String, String> e, OutputReceiver<String> out)
        throws Exception {
      pending.add(e);
      if (pending.size() >= batch) for (String row : flush()) out.output(row);
    }

    @FinishBundle
    public void finish(FinishBundleContext c) throws Exception {
      for (String row : flush()) {
        c.output(row, GlobalWindow.INSTANCE.maxTimestamp(), GlobalWindow.INSTANCE);
      }
      if (journalDir != null) journal(journalDir).sync();
    }

    private List<String> flush() throws Exception {
      if (pending.isEmpty()) return List.of();
      List<String> texts = new ArrayList<>(pending.size());
      // an empty text cannot be embedded; a conversation always has some text to stand for it
      for (KV<String, String> p : pending) {
        texts.add(p.getValue() == null || p.getValue().isBlank() ? "(empty)" : p.getValue());
      }
      in.inc(texts.size());
      float[][] vectors =
          journalDir == null ? embedder(spec).embed(texts).vectors() : journaled(texts);
      out.inc(texts.size());
      progress.inc(texts.size());
      List<String> rows = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        rows.add(
            StageRows.row(new Embedding(pending.get(i).getKey(), vectors[i], spec.model()))
                .toString());
      }
      pending = new ArrayList<>();
      return rows;
    }

    /** The journal's vectors, and the server's for the texts it has not seen (then journaled). */
    private float[][] journaled(List<String> texts) throws Exception {
      io.hfbeam.llm.ResponseJournal j = journal(journalDir);
      float[][] out = new float[texts.size()][];
      List<Integer> missing = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        var known = j.lookup(key(spec.model(), texts.get(i)));
        if (known.isPresent()) {
          com.fasterxml.jackson.databind.JsonNode a = JSON.readTree(known.get().content());
          float[] v = new float[a.size()];
          for (int k = 0; k < v.length; k++) v[k] = (float) a.get(k).asDouble();
          out[i] = v;
        } else {
          missing.add(i);
        }
      }
      if (missing.isEmpty()) return out;
      List<String> ask = new ArrayList<>();
      for (int i : missing) ask.add(texts.get(i));
      Embeddings got = embedder(spec).embed(ask);
      for (int m = 0; m < missing.size(); m++) {
        float[] v = got.vectors()[m];
        out[missing.get(m)] = v;
        com.fasterxml.jackson.databind.node.ArrayNode a = JSON.createArrayNode();
        for (float f : v) a.add(f);
        j.append(
            key(spec.model(), ask.get(m)),
            new io.hfbeam.llm.ResponseJournal.Entry(
                a.toString(), "stop", 0, 0, spec.model(), "embed", 1, java.time.Instant.now()));
      }
      return out;
    }
  }
}
