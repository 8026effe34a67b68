package io.hfbeam.llm;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.Pair;
import de.kherud.llama.args.LogFormat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A GGUF chat model run by llama.cpp inside this JVM ({@code de.kherud:llama}). The native library
 * is loaded when the first backend is opened, never before. Calls on one backend are serialized:
 * llama.cpp runs one sequence at a time here, and a second model would double the memory; use
 * several backends (or {@link LlmServer} shared by many clients) for parallel work.
 */
public final class GgufBackend implements ChatBackend {
  private static final Logger LOG = LoggerFactory.getLogger(GgufBackend.class);
  private static final Object NATIVE_INIT = new Object();
  private static boolean loggerSet;

  /**
   * @param model the GGUF file
   * @param contextSize tokens of context (prompt plus answer)
   * @param threads CPU threads for inference
   * @param defaultMaxTokens answer limit when a request sets none
   */
  public record Settings(Path model, int contextSize, int threads, int defaultMaxTokens) {
    public Settings {
      Objects.requireNonNull(model, "model");
      if (contextSize < 16) throw new IllegalArgumentException("contextSize must be >= 16");
      if (threads < 1) throw new IllegalArgumentException("threads must be >= 1");
      if (defaultMaxTokens < 1) throw new IllegalArgumentException("defaultMaxTokens must be >= 1");
    }

    public static Settings of(Path model) {
      return new Settings(
          model, 2048, Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), 512);
    }

    public Settings withContextSize(int tokens) {
      return new Settings(model, tokens, threads, defaultMaxTokens);
    }

    public Settings withThreads(int n) {
      return new Settings(model, contextSize, n, defaultMaxTokens);
    }

    public Settings withDefaultMaxTokens(int n) {
      return new Settings(model, contextSize, threads, n);
    }
  }

  private final Settings settings;
  private final String name;
  private final LlamaModel model;
  private final long loadMillis;
  private boolean closed;

  private GgufBackend(Settings settings, String name, LlamaModel model, long loadMillis) {
    this.settings = settings;
    this.name = name;
    this.model = model;
    this.loadMillis = loadMillis;
  }

  /** Loads the model file (checked first: a wrong path or file is one line, not a native error). */
  public static GgufBackend open(Path model) throws IOException {
    return open(Settings.of(model));
  }

  public static GgufBackend open(Settings settings) throws IOException {
    Path file = GgufFile.check(settings.model());
    routeNativeLogs();
    long t0 = System.nanoTime();
    LlamaModel m;
    try {
      m =
          new LlamaModel(
              new ModelParameters()
                  .setModel(file.toString())
                  .setCtxSize(settings.contextSize())
                  .setThreads(settings.threads())
                  .setThreadsBatch(settings.threads())
                  .setParallel(1)
                  .disableLog()); // its server chatter bypasses setLogger
    } catch (RuntimeException | UnsatisfiedLinkError e) { // LlamaException is not public
      throw new IOException("could not load model " + file + ": " + oneLine(e.getMessage()), e);
    }
    long ms = (System.nanoTime() - t0) / 1_000_000;
    String fileName = file.getFileName().toString();
    String name =
        fileName.toLowerCase().endsWith(".gguf")
            ? fileName.substring(0, fileName.length() - 5)
            : fileName;
    LOG.info("Loaded {} in {} ms", file, ms);
    return new GgufBackend(settings, name, m, ms);
  }

  /** llama.cpp prints to stderr by default; its chatter goes to our log at debug instead. */
  private static void routeNativeLogs() {
    synchronized (NATIVE_INIT) {
      if (loggerSet) return;
      LlamaModel.setLogger(
          LogFormat.TEXT,
          (level, msg) -> {
            if (LOG.isDebugEnabled()) LOG.debug("llama.cpp {}: {}", level, msg.strip());
          });
      loggerSet = true;
    }
  }

  /** The model's name: its file name without {@code .gguf}. */
  public String modelName() {
    return name;
  }

  public Settings settings() {
    return settings;
  }

  /** How long loading the model took. */
  public long loadMillis() {
    return loadMillis;
  }

  @Override
  public synchronized ChatResult chat(ChatRequest request) throws IOException {
    if (closed) throw new IOException("model " + name + " is closed");
    String prompt = prompt(request.messages());
    int[] promptTokens = model.encode(prompt);
    int maxTokens = request.maxTokens() != null ? request.maxTokens() : settings.defaultMaxTokens();
    if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
    // +1: the BOS token llama.cpp puts before the prompt, which encode() leaves out
    int promptCount = promptTokens.length + 1;
    if (promptCount + maxTokens > settings.contextSize()) {
      throw new IllegalArgumentException(
          "prompt ("
              + promptCount
              + " tokens) plus max tokens ("
              + maxTokens
              + ") exceed the context of "
              + settings.contextSize()
              + " tokens");
    }
    InferenceParameters p =
        new InferenceParameters(prompt).setNPredict(maxTokens).setCachePrompt(false);
    if (request.temperature() != null) p.setTemperature(request.temperature().floatValue());
    if (request.seed() != null) p.setSeed((int) (request.seed() & 0x7fffffffL));
    if (request.jsonSchema() != null) {
      // checked first: llama.cpp's converter aborts the process on what it does not understand
      p.setGrammar(LlamaModel.jsonSchemaToGrammar(GrammarSchema.check(request.jsonSchema())));
    }
    // streamed, because llama.cpp's completion returns text only: each streamed piece is one
    // generated token (the last, empty one ends the stream), so the count is llama-server's
    // tokens_predicted; only a token that ends inside a UTF-8 character is sent with the next one
    StringBuilder text = new StringBuilder();
    long pieces = 0;
    LlamaIterator it = model.generate(p).iterator();
    try {
      while (it.hasNext()) {
        text.append(it.next().text);
        pieces++;
      }
    } catch (RuntimeException e) {
      it.cancel();
      throw new IOException("llama.cpp failed: " + oneLine(e.getMessage()), e);
    }
    String content = text.toString();
    long completion = Math.min(maxTokens, Math.max(pieces - 1, content.isEmpty() ? 0 : 1));
    boolean length = completion >= maxTokens;
    return new ChatResult(content, length ? "length" : "stop", promptCount, completion, name);
  }

  /** The conversation in the model's own chat template, ready for the assistant's turn. */
  String prompt(List<ChatMessage> messages) {
    if (messages.isEmpty()) throw new IllegalArgumentException("no messages");
    StringBuilder system = new StringBuilder();
    List<Pair<String, String>> turns = new ArrayList<>();
    for (ChatMessage m : messages) {
      switch (m.role()) {
        case "system", "developer" -> {
          if (!turns.isEmpty())
            throw new IllegalArgumentException("a system message must come before the others");
          if (system.length() > 0) system.append("\n\n");
          system.append(m.content());
        }
        case "user", "assistant" -> turns.add(new Pair<>(m.role(), m.content()));
        default -> throw new IllegalArgumentException("unsupported message role: " + m.role());
      }
    }
    if (turns.isEmpty()) throw new IllegalArgumentException("no user message");
    return model.applyTemplate(new InferenceParameters("").setMessages(system.toString(), turns));
  }

  private static String oneLine(String s) {
    return s == null ? "(no message)" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    model.close();
  }

  @Override
  public String toString() {
    return "GgufBackend[" + settings.model() + "]";
  }
}
