package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.llm.GgufFile;
import io.hfbeam.llm.OpenAiClient;
import io.hfbeam.runner.RunSummary;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.Launchable;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WatchedWorkflow;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * sft-generate as {@link io.hfbeam.workflow.WorkflowLauncher} runs it: the backend is checked
 * before any input is read (a bad key fails in seconds), the input is surveyed (pairs, and those
 * the journal already answers), then the pipeline is built.
 */
public final class SftGenerateRun implements Launchable.Watchable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SftGenerateWorkflow.Settings settings;
  private final Map<String, String> env;
  private final Optional<WatchSettings> watch;
  private String runId;

  private SftGenerateRun(
      SftGenerateWorkflow.Settings settings,
      Map<String, String> env,
      Optional<WatchSettings> watch) {
    this.settings = settings.withLlm(settings.llm().forBackend());
    this.env = env;
    this.watch = watch;
    if (watch.isEmpty()) {
      settings.inputFiles(); // a missing input is a usage error, found up front
      if (settings.dataset() == null) settings.format();
    }
  }

  /**
   * @param env the environment the backend's key and URL are read from here (null: the process's)
   */
  public static SftGenerateRun of(SftGenerateWorkflow.Settings settings, Map<String, String> env) {
    return new SftGenerateRun(settings, env, Optional.empty());
  }

  /** A run that watches {@code watch}'s directory for new pair files. */
  public static SftGenerateRun watching(
      SftGenerateWorkflow.Settings settings, Map<String, String> env, WatchSettings watch) {
    return new SftGenerateRun(settings, env, Optional.of(watch));
  }

  @Override
  public Optional<WatchSettings> watch() {
    return watch;
  }

  @Override
  public Optional<Integer> firstBatch() {
    return Optional.empty(); // a watching run continues the output's numbering
  }

  @Override
  public WatchedWorkflow<?> watched(int firstBatch) {
    try {
      checkBackend(settings.llm(), System.out);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    runId = UUID.randomUUID().toString();
    SftGenerateWorkflow.Settings prepared =
        SftGenerateWorkflow.prepare(
            settings, new SftGenerateWorkflow.Survey(0, 0, 0, 0, Map.of()), runId);
    Generation.closeOthers(runId);
    try {
      Generation.of(prepared.llm());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return SftGenerateWorkflow.watched(prepared, firstBatch);
  }

  @Override
  public String name() {
    return "sft-generate";
  }

  @Override
  public Path output() {
    return settings.output();
  }

  @Override
  public List<Path> inputDirs() {
    return InputFiles.searchedDirs(settings.inputs());
  }

  @Override
  public long inputBytes() {
    return watch.isPresent() ? 0 : InputFiles.totalBytes(settings.inputFiles());
  }

  @Override
  public boolean resumesFromItsOutput() {
    return true;
  }

  /**
   * One DirectRunner thread for a batch run: the input's units are read one after another, and the
   * requests still run {@code --concurrency} at once on the run's pool; a second runner thread
   * would only busy-poll beside the generation bundle (measured: 0.90 of the ideal rate at C = 1
   * with two threads, 0.96 with one). A watched input keeps the profile's threads.
   */
  @Override
  public Optional<Integer> directRunnerThreads() {
    return watch.isPresent() ? Optional.empty() : Optional.of(1);
  }

  @Override
  public List<String> steps() {
    return SftGenerateWorkflow.STEPS;
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException {
    SftSettings llm = settings.llm();
    checkBackend(llm, out);
    // A Hub dataset is not read ahead just to count it (that would stream it twice); with
    // --num-pairs the survey stops mattering after the limit, so it is read for the limits.
    boolean countAhead = settings.dataset() == null || settings.numPairs() > 0;
    SftGenerateWorkflow.Survey survey =
        countAhead
            ? SftGenerateWorkflow.survey(settings)
            : new SftGenerateWorkflow.Survey(0, 0, 0, 0, Map.of());
    long pairs =
        settings.numPairs() > 0 ? Math.min(settings.numPairs(), survey.pairs()) : survey.pairs();
    if (survey.answered() > 0) {
      out.println(
          "resuming: "
              + Math.min(survey.answered(), pairs)
              + " of "
              + pairs
              + " pairs already answered (from the journal in "
              + SftGenerateWorkflow.journalDir(settings.output())
              + "; they cost nothing)");
    } else if (!countAhead) {
      out.println(
          "sft-generate: pairs from the dataset as they are read (not counted ahead) with "
              + llm.backend().describe()
              + ", model "
              + llm.model()
              + ", concurrency "
              + llm.backend().concurrency());
    } else {
      out.println(
          "sft-generate: "
              + pairs
              + " pairs to make ("
              + (pairs < survey.pairs() ? "the first of " + survey.pairs() + " pairs in " : "from ")
              + survey.records()
              + " records; "
              + survey.skipped()
              + " skipped by the pairing rules) with "
              + llm.backend().describe()
              + ", model "
              + llm.model()
              + ", concurrency "
              + llm.backend().concurrency());
    }
    runId = UUID.randomUUID().toString();
    SftGenerateWorkflow.Settings prepared = SftGenerateWorkflow.prepare(settings, survey, runId);
    Generation.closeOthers(runId);
    Generation g = Generation.of(prepared.llm());
    g.progressTo(out);
    return SftGenerateWorkflow.build(p, prepared, info(prepared, pairs));
  }

  /** A bad key, URL or model file fails here, before any input is read. */
  private void checkBackend(SftSettings llm, PrintStream out) throws IOException {
    if (llm.backend().isGguf()) {
      return; // the model file was checked when the settings were made; it loads with the run
    }
    OpenAiClient.Settings cs = llm.backend().clientSettings(env == null ? System.getenv() : env);
    try (OpenAiClient client = new OpenAiClient(cs.withMaxAttempts(2))) {
      client.checkKey(llm.model());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while checking the API key", e);
    }
  }

  private Map<String, Object> info(SftGenerateWorkflow.Settings s, long pairs) {
    SftSettings l = s.llm();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", l.model());
    m.put("backend", l.backend().isGguf() ? "gguf" : "openai-compatible");
    m.put("prompt_file", l.prompts().file());
    m.put("pairing", l.mapping().file());
    m.put("add_reasoning", l.addReasoning());
    m.put("concurrency", l.backend().concurrency());
    m.put("pairs_in_input", pairs);
    return m;
  }

  @Override
  public void release() {
    if (runId != null) Generation.close(runId);
  }

  @Override
  public List<String> warnings(RunSummary summary) {
    List<String> out = new ArrayList<>();
    Path stats = settings.output().resolve("generation_stats.json");
    if (!Files.isRegularFile(stats)) return out;
    try {
      JsonNode n = JSON.readTree(stats.toFile());
      long remaining = n.path("pairs_remaining").asLong();
      if (n.path("budget_reached").asBoolean() || remaining > 0) {
        out.add(
            "budget reached: "
                + remaining
                + " pairs remain; the dataset holds the "
                + n.path("pairs_done").asLong()
                + " made so far. Run the same command with a larger --max-cost or"
                + " --max-tokens-total to continue (answers already paid for are re-used).");
      }
      long failed = n.path("pairs_failed").asLong();
      if (failed > 0) {
        out.add(
            failed
                + (failed == 1 ? " pair" : " pairs")
                + " failed (their reasons and raw answers are in _errors/); the rest were"
                + " made");
      }
    } catch (IOException e) {
      out.add("could not read " + stats + ": " + e.getMessage());
    }
    return out;
  }

  /** Checks a model file path up front (a wrong path is one line). */
  public static void checkModelFile(Path model) throws IOException {
    GgufFile.check(model);
  }
}
