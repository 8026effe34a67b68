package io.hfbeam.cli;

import io.hfbeam.llm.GgufBackend;
import io.hfbeam.llm.GgufFile;
import io.hfbeam.llm.LlmServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hfbeam llm ...}: local language models. */
@Command(
    name = "llm",
    mixinStandardHelpOptions = true,
    modelTransformer = HubCommand.OneLineUsageErrors.class,
    description = "Local language models: serve a GGUF model file as an OpenAI-compatible server.",
    subcommands = {LlmCommand.Serve.class})
public final class LlmCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * {@code hfbeam llm serve}: loads the model once and answers {@code /v1/chat/completions}, so
   * several workers (or other programs) share one loaded model.
   */
  @Command(
      name = "serve",
      description =
          "Serve a GGUF chat model (llama.cpp in this JVM) as an OpenAI-compatible server: GET /v1/models, POST /v1/chat/completions (response_format json_schema supported). Runs until stopped.")
  static final class Serve implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = {"-h", "--help"},
        usageHelp = true,
        description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;

    @Option(
        names = "--model",
        required = true,
        paramLabel = "PATH.gguf",
        description = "The GGUF model file.")
    Path model;

    @Option(
        names = "--port",
        defaultValue = "8000",
        description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description =
            "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the network, without any key).")
    String host;

    @Option(
        names = "--ctx-size",
        defaultValue = "4096",
        description = "Context in tokens, prompt plus answer (default: ${DEFAULT-VALUE}).")
    int ctxSize;

    @Option(
        names = "--threads",
        description = "CPU threads for inference (default: the cores, at most 4).")
    Integer threads;

    @Option(
        names = "--max-body-kb",
        defaultValue = "4096",
        description = "Largest request body in KB; larger gets 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyKb;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535");
        if (ctxSize < 16) throw new IllegalArgumentException("--ctx-size must be at least 16");
        if (threads != null && threads < 1)
          throw new IllegalArgumentException("--threads must be at least 1");
        if (maxBodyKb < 1) throw new IllegalArgumentException("--max-body-kb must be at least 1");
        Path file = GgufFile.check(model); // before the native library is loaded
        GgufBackend.Settings settings = GgufBackend.Settings.of(file).withContextSize(ctxSize);
        if (threads != null) settings = settings.withThreads(threads);
        try (GgufBackend backend = GgufBackend.open(settings);
            LlmServer server =
                LlmServer.start(
                    backend,
                    backend.modelName(),
                    LlmServer.Options.defaults()
                        .withHost(host)
                        .withPort(port)
                        .withMaxBodyBytes(Math.max(1024, maxBodyKb << 10)))) {
          out.println(
              "Serving "
                  + backend.modelName()
                  + " at "
                  + server.url()
                  + " (loaded in "
                  + backend.loadMillis()
                  + " ms)");
          out.println("  export OPENAI_BASE_URL=" + server.url() + " OPENAI_API_KEY=none");
          out.flush();
          server.join();
        }
        return 0;
      } catch (InterruptedException e) {
        // interrupting the serving thread is how an embedded "llm serve" is stopped
        Thread.currentThread().interrupt();
        out.println("LLM server stopped");
        return 0;
      } catch (IllegalArgumentException e) {
        err.println("error: " + e.getMessage() + " (see 'llm serve --help')");
        if (verbose) e.printStackTrace(err);
        return 2;
      } catch (Exception e) {
        err.println(
            "error: " + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()));
        if (verbose) e.printStackTrace(err);
        return 1;
      }
    }
  }
}
