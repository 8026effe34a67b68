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
import org.joda.time.Instant;

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

  private EmbedTexts(Spec spec, int batch) {
    this.spec = spec;
    this.batch = batch;
  }

  public static EmbedTexts with(Spec spec) {
    return new EmbedTexts(spec, 64);
  }

  public EmbedTexts withBatchSize(int n) {
    if (n < 1) throw new IllegalArgumentException("batch size must be >= 1");
    return new EmbedTexts(spec, n);
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
    return texts.apply("Embed", ParDo.of(new EmbedFn(spec, batch))).setCoder(StringUtf8Coder.of());
  }

  static final class EmbedFn extends DoFn<KV<String, String>, String> {
    private final Spec spec;
    private final int batch;
    private transient List<KV<String, String>> pending;
    private final Counter in = Metrics.counter("embed", "records_in");
    private final Counter out = Metrics.counter("embed", "records_out");

    EmbedFn(Spec spec, int batch) {
      this.spec = spec;
      this.batch = batch;
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
      for (String row : flush()) c.output(row, Instant.now(), GlobalWindow.INSTANCE);
    }

    private List<String> flush() throws Exception {
      if (pending.isEmpty()) return List.of();
      List<String> texts = new ArrayList<>(pending.size());
      // an empty text cannot be embedded; a conversation always has some text to stand for it
      for (KV<String, String> p : pending) {
        texts.add(p.getValue() == null || p.getValue().isBlank() ? "(empty)" : p.getValue());
      }
      in.inc(texts.size());
      Embeddings got = embedder(spec).embed(texts);
      out.inc(texts.size());
      List<String> rows = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        rows.add(
            StageRows.row(new Embedding(pending.get(i).getKey(), got.vectors()[i], spec.model()))
                .toString());
      }
      pending = new ArrayList<>();
      return rows;
    }
  }
}
