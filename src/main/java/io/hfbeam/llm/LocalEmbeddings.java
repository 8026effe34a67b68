package io.hfbeam.llm;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The offline default {@link Embedder}: quantized all-MiniLM-L6-v2 (384 dimensions), the ONNX model
 * and tokenizer read from the langchain4j jar, run by onnxruntime. Vectors are mean-pooled and
 * L2-normalised, as sentence-transformers returns them for this model.
 *
 * <p>Nothing is loaded until the first {@link #embed}: the model (about 1 s, 23 MB) and the
 * onnxruntime and DJL tokenizer natives load once per JVM, so workflows that never embed never
 * touch them. The tokenizer's native library is taken from the jar, never downloaded (DJL's offline
 * mode is switched on before it loads). Thread-safe: one shared model serves every instance.
 *
 * <p>Differences from sentence-transformers: a text longer than 510 word pieces is embedded in
 * parts whose vectors are averaged (sentence-transformers truncates at 256).
 */
public final class LocalEmbeddings implements Embedder, AutoCloseable {
  public static final String MODEL = "sentence-transformers/all-MiniLM-L6-v2 (quantized ONNX)";
  public static final int DIMENSION = 384;
  // bounds what one call holds in flight; the model itself embeds text by text
  private static final int BATCH = 1024;

  private final ExecutorService pool;
  private final Executor executor;

  /**
   * Embeds on the caller's thread (what a Beam worker wants: its own threads are the parallelism).
   */
  public LocalEmbeddings() {
    this(1);
  }

  /** Embeds each batch on {@code threads} daemon threads (1: on the caller's thread). */
  public LocalEmbeddings(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1: " + threads);
    if (threads == 1) {
      pool = null;
      executor = Runnable::run;
    } else {
      AtomicInteger n = new AtomicInteger();
      pool =
          Executors.newFixedThreadPool(
              threads,
              r -> {
                Thread t = new Thread(r, "hfbeam-embed-" + n.incrementAndGet());
                t.setDaemon(true); // never keeps a finished CLI run alive
                return t;
              });
      executor = pool;
    }
  }

  private static volatile boolean loaded;

  /** True once this JVM has loaded the model (for tests: other workflows must not). */
  public static boolean loaded() {
    return loaded; // not Holder's field: reading it would load the model
  }

  @Override
  public Embeddings embed(List<String> texts) {
    checkTexts(texts);
    if (texts.isEmpty()) return new Embeddings(new float[0][], 0, MODEL); // loads nothing
    Holder.model(); // loads (or rethrows the load failure) before any work is queued
    AllMiniLmL6V2QuantizedEmbeddingModel model = new AllMiniLmL6V2QuantizedEmbeddingModel(executor);
    float[][] vectors = new float[texts.size()][];
    long tokens = 0;
    for (int from = 0; from < texts.size(); from += BATCH) {
      int to = Math.min(texts.size(), from + BATCH);
      List<TextSegment> segments = new ArrayList<>(to - from);
      for (String t : texts.subList(from, to)) segments.add(TextSegment.from(t));
      Response<List<Embedding>> response = model.embedAll(segments);
      List<Embedding> out = response.content();
      for (int i = 0; i < out.size(); i++) {
        float[] v = out.get(i).vector();
        if (v.length != DIMENSION) {
          throw new IllegalStateException("the model gave " + v.length + " dimensions, not 384");
        }
        vectors[from + i] = v;
      }
      if (response.tokenUsage() != null && response.tokenUsage().inputTokenCount() != null) {
        tokens += response.tokenUsage().inputTokenCount();
      }
    }
    return new Embeddings(vectors, tokens, MODEL);
  }

  @Override
  public String model() {
    return MODEL;
  }

  @Override
  public void close() {
    if (pool != null) pool.shutdown();
  }

  /** Refuses a null or blank text with its index (the model cannot embed nothing). */
  static void checkTexts(List<String> texts) {
    for (int i = 0; i < texts.size(); i++) {
      String t = texts.get(i);
      if (t == null) throw new IllegalArgumentException("text " + i + " is null");
      if (t.isBlank()) throw new IllegalArgumentException("text " + i + " is blank");
    }
  }

  /** The JVM's one model, loaded on first use by class initialisation (thread-safe, once). */
  private static final class Holder {
    private static final Throwable FAILURE;

    static {
      // DJL would download a CUDA build of its tokenizer library when it sees a GPU; offline mode
      // makes it take the CPU library that is in the jar. A user's explicit setting wins.
      if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
        System.setProperty("ai.djl.offline", "true");
      }
      Throwable failure = null;
      try {
        // touching the class runs its static initialiser, which reads the model from the jar
        new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run).dimension();
        loaded = true;
      } catch (Throwable e) { // ExceptionInInitializerError, UnsatisfiedLinkError: reported on use
        failure = e;
      }
      FAILURE = failure;
    }

    static void model() {
      if (FAILURE != null) {
        throw new IllegalStateException(
            "the local embedding model could not be loaded: " + FAILURE, FAILURE);
      }
    }
  }
}
