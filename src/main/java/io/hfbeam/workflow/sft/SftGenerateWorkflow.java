package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.dataset.WriteFailures;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.llm.RequestKey;
import io.hfbeam.llm.ResponseJournal;
import io.hfbeam.mapping.DatasetJsonSource;
import io.hfbeam.mapping.DatasetRows;
import io.hfbeam.mapping.ParquetJsonSource;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.workflow.WatchedWorkflow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/**
 * sft-generate: pairs (a text with one error and its corrected text) to chat-format SFT examples,
 * the CORRECT side paraphrased by an LLM, the INCORRECT side optionally explained.
 *
 * <p>Steps: GenerateSft (records of each input file or dataset unit -> pairs by the pairing YAML ->
 * the prompt file's tasks through the shared LLM pool, answers journaled before use -> examples in
 * input order to the {@code incorrect}, {@code correct} and {@code combined} splits; failed pairs
 * to the failure output) -> WriteFailures -> AssembleDataset (Parquet per split, the three JSON
 * Lines files under the seed script's names, the card, {@code generation_stats.json} and {@code
 * _errors/}).
 */
public final class SftGenerateWorkflow {
  public static final List<String> STEPS = List.of("read", SftProcessor.STEP, "write", "publish");
  private static final ObjectMapper JSON = new ObjectMapper();

  private SftGenerateWorkflow() {}

  /** Input formats of local files. */
  public enum InputFormat {
    JSONL,
    CSV,
    TSV,
    PARQUET;

    static InputFormat detect(Path file) {
      String n =
          file.getFileName()
              .toString()
              .toLowerCase(Locale.ROOT)
              .replaceAll("\\.(gz|bz2|zst|xz)$", "");
      if (n.endsWith(".jsonl") || n.endsWith(".json") || n.endsWith(".ndjson")) return JSONL;
      if (n.endsWith(".csv")) return CSV;
      if (n.endsWith(".tsv")) return TSV;
      if (n.endsWith(".parquet")) return PARQUET;
      throw new IllegalArgumentException(
          "cannot tell the format of "
              + file
              + " (pairs are read from .jsonl, .csv, .tsv or .parquet)");
    }

    JsonSource source() {
      return switch (this) {
        case JSONL -> JsonSource.jsonLines();
        case CSV -> JsonSource.csv(',');
        case TSV -> JsonSource.csv('\t');
        case PARQUET -> new ParquetJsonSource();
      };
    }
  }

  /**
   * Settings of one run.
   *
   * @param inputs local input specs (files, directories, globs); empty when {@code dataset} is set
   * @param dataset a Hugging Face dataset's read plan, or null
   * @param numPairs the most pairs to make (the first ones in input order), 0 for all
   * @param llm what the workers share; its run id, totals and limits are set by {@link #prepare}
   */
  public record Settings(
      List<String> inputs,
      ReadPlan dataset,
      Path output,
      long numPairs,
      ParquetSettings parquet,
      SftSettings llm) {

    /** The local input files, in order; every file one format. */
    public List<Path> inputFiles() {
      if (dataset != null) return List.of();
      return InputFiles.expand(
          inputs,
          "*.{jsonl,json,ndjson,csv,tsv,parquet,jsonl.gz,csv.gz,tsv.gz,jsonl.zst,jsonl.bz2}");
    }

    InputFormat format() {
      InputFormat want = null;
      Path first = null;
      for (Path f : inputFiles()) {
        InputFormat got = InputFormat.detect(f);
        if (want == null) {
          want = got;
          first = f;
        } else if (got != want) {
          throw new IllegalArgumentException(
              "the input mixes formats: "
                  + f
                  + " is "
                  + got.name().toLowerCase(Locale.ROOT)
                  + " but "
                  + first
                  + " is "
                  + want.name().toLowerCase(Locale.ROOT)
                  + "; give the files of one format");
        }
      }
      return want;
    }

    List<InputFiles.Chunk> chunks() {
      return dataset != null ? DatasetRows.chunks(dataset) : InputFiles.wholeFiles(inputFiles());
    }

    JsonSource source() {
      return dataset != null ? new DatasetJsonSource(dataset) : format().source();
    }

    Settings withLlm(SftSettings s) {
      return new Settings(inputs, dataset, output, numPairs, parquet, s);
    }
  }

  /** Where the response journal of an output lives: beside the dataset, kept across runs. */
  public static Path journalDir(Path output) {
    return output.toAbsolutePath().normalize().resolve(".hfbeam").resolve("llm-journal");
  }

  /** What the pass over the input before the run found. */
  public record Survey(
      long records, long pairs, long skipped, long answered, Map<Integer, Long> limits) {}

  /**
   * Reads the input once without asking anything: how many pairs it holds, how many of them the
   * journal already answers, and with {@code --num-pairs} how many each unit may make (the first
   * ones in input order).
   */
  public static Survey survey(Settings s) throws IOException {
    SftSettings llm = s.llm();
    List<InputFiles.Chunk> chunks = s.chunks();
    JsonSource source = s.source();
    long[] n = new long[4]; // records, pairs, skipped, answered
    Map<Integer, Long> limits = new HashMap<>();
    PromptFile.Task correct = llm.prompts().task(llm.mapping().correctTask());
    PromptFile.Task reasoning =
        llm.addReasoning() ? llm.prompts().task(llm.mapping().reasoningTask()) : null;
    try (ResponseJournal journal = ResponseJournal.open(journalDir(s.output()))) {
      for (InputFiles.Chunk chunk : chunks) {
        if (s.dataset() != null && s.numPairs() > 0 && n[1] >= s.numPairs()) {
          limits.put(chunk.fileIndex(), 0L); // a Hub dataset's later units are not fetched to count
          continue;
        }
        long before = Math.min(n[1], s.numPairs() > 0 ? s.numPairs() : Long.MAX_VALUE);
        source.read(
            chunk,
            new JsonSource.Visitor() {
              @Override
              public void record(
                  byte[] b, int off, int len, JsonNode parsed, long line, long offset) {
                n[0]++;
                JsonNode node;
                try {
                  node = parsed != null ? parsed : JSON.readTree(b, off, len);
                } catch (IOException e) {
                  return; // the run reports it, located
                }
                if (node == null || !node.isObject()) return;
                Map<String, Object> record = SftProcessor.fields((ObjectNode) node);
                if (llm.mapping().skipReason(record) != null) {
                  n[2]++;
                  return;
                }
                n[1]++;
                if (s.numPairs() > 0 && n[1] > s.numPairs()) return;
                try {
                  boolean answered =
                      journal.contains(RequestKey.of(llm.request(correct, record), correct.name()))
                          && (reasoning == null
                              || journal.contains(
                                  RequestKey.of(llm.request(reasoning, record), reasoning.name())));
                  if (answered) n[3]++;
                } catch (RuntimeException e) {
                  // a record the templates cannot fill: the run reports it
                }
              }

              @Override
              public void failure(long line, long offset, String reason, String excerpt) {
                n[0]++;
              }
            });
        if (s.numPairs() > 0) {
          limits.put(chunk.fileIndex(), Math.min(n[1], s.numPairs()) - before);
        }
      }
    }
    return new Survey(n[0], n[1], n[2], n[3], limits);
  }

  /** The settings with a fresh run id and what the survey found. */
  public static Settings prepare(Settings s, Survey survey, String runId) {
    SftSettings l = s.llm();
    return s.withLlm(
        new SftSettings(
            runId,
            l.backend(),
            l.model(),
            l.prompts(),
            l.mapping(),
            l.addReasoning(),
            l.temperature(),
            l.seed(),
            l.maxTokensTotal(),
            l.maxCostUsd(),
            l.pricesYaml(),
            l.validationAttempts(),
            journalDir(s.output()).toString(),
            AssembleDataset.partsDir(s.output().toAbsolutePath().normalize())
                .resolve("sft-stats")
                .toString(),
            l.saveEvery(),
            s.numPairs() > 0 ? Math.min(s.numPairs(), survey.pairs()) : survey.pairs(),
            survey.limits()));
  }

  /** Adds the workflow to {@code p}; returns every file it writes (the card last). */
  public static PCollection<WrittenFile> build(Pipeline p, Settings s, Map<String, Object> info) {
    RowPartFormat format = new RowPartFormat(SftExamples.FEATURES, s.parquet(), true);
    String stats = s.llm().statsDir();
    LinkedHashMap<String, Object> about = new LinkedHashMap<>(info);
    AssembleDataset.Settings<org.apache.beam.sdk.values.Row> dataset =
        AssembleDataset.Settings.of(s.output(), format)
            .parquetNaming(FileNaming.of(FileNaming.HF_SHARDS))
            .jsonlNaming(new FileNaming("{split}.jsonl", SftExamples.JSONL_FILES))
            .batch(Batch.Settings.single())
            .splitOrder(SftExamples.SPLITS)
            .title("SFT pairs")
            .description(
                "Chat-format supervised fine-tuning examples made by `hfbeam sft-generate`: for each"
                    + " pair, the text with the error as an INCORRECT example and an LLM paraphrase"
                    + " of its corrected text as a CORRECT example. `combined` holds both sides of"
                    + " every pair (50/50, in a seeded order); `correct` and `incorrect` one side"
                    + " each. `generation_stats.json` has the run's requests, tokens, cost and"
                    + " latency.")
            .section("How it was made", howMade(s))
            .extraFile(
                "generation_stats.json",
                parts -> GenerationStats.merge(Path.of(stats), about, System.currentTimeMillis()))
            .extraFile(
                "_errors/rejected_answers.jsonl",
                parts -> GenerationStats.rejected(Path.of(stats)));
    return p.apply(
            SftProcessor.STEP,
            ProcessChunks.of(
                s.chunks(),
                new SftProcessor(s.source(), s.llm()),
                format,
                dataset.partsDir(),
                false))
        .apply("WriteFailures", WriteFailures.withParts(dataset.partsDir()))
        .apply("AssembleDataset", AssembleDataset.with(dataset));
  }

  /**
   * The continuous form: pair files that appear in a watched directory (JSONL, CSV, TSV or Parquet,
   * by the first file's kind: {@code *.jsonl*} unless the directory holds others) are made into
   * examples as they land; every commit interval the new examples become the next numbered Parquet
   * batches of each split. Answers are journaled as in a batch run, so a restarted watch pays for
   * nothing twice. (The seed's three JSON Lines files and generation_stats.json belong to a batch
   * run.)
   */
  public static WatchedWorkflow<org.apache.beam.sdk.values.Row> watched(
      Settings s, int firstBatch) {
    RowPartFormat format = new RowPartFormat(SftExamples.FEATURES, s.parquet(), false);
    AssembleDataset.Settings<org.apache.beam.sdk.values.Row> dataset =
        AssembleDataset.Settings.of(s.output(), format)
            .parquetNaming(FileNaming.of(FileNaming.BATCHES))
            .batch(Batch.Settings.single().withFirstBatch(firstBatch))
            .splitOrder(SftExamples.SPLITS)
            .title("SFT pairs")
            .description(
                "Chat-format supervised fine-tuning examples made by `hfbeam sft-generate --watch`"
                    + " from pair files as they arrived; `combined` holds both sides of every pair,"
                    + " `correct` and `incorrect` one side each.");
    return new WatchedWorkflow<>(
        "WatchInput",
        SftProcessor.STEP,
        "*.{jsonl,csv,tsv,parquet}*",
        0,
        new SftProcessor(new ByExtension(), s.llm()),
        format,
        dataset,
        false);
  }

  /** Reads each watched file by its own extension. */
  static final class ByExtension implements JsonSource {
    @Override
    public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
      InputFormat f;
      try {
        f = InputFormat.detect(chunk.file());
      } catch (IllegalArgumentException e) {
        visitor.failure(0, -1, e.getMessage(), null);
        return 0;
      }
      return f.source().read(chunk, visitor);
    }
  }

  /** The card's account of the generation: model, backend, prompt file, pairing, tasks. */
  static String howMade(Settings s) {
    SftSettings l = s.llm();
    String tasks =
        "`"
            + l.mapping().correctTask()
            + "`"
            + (l.addReasoning() ? " and `" + l.mapping().reasoningTask() + "`" : "");
    return "Model `"
        + l.model()
        + "` ("
        + (l.backend().isGguf()
            ? "a local GGUF model run by llama.cpp"
            : "an OpenAI-compatible server")
        + "), prompt file `"
        + Path.of(l.prompts().file()).getFileName()
        + "` (tasks "
        + tasks
        + "), pairing `"
        + Path.of(l.mapping().file()).getFileName()
        + "`"
        + (l.temperature() != null ? ", temperature " + l.temperature() : "")
        + (l.seed() != null ? ", seed " + l.seed() : "")
        + ". Answers were validated against each task's JSON schema and checks; pairs that failed"
        + " are listed in `_errors/`. Counts, tokens and cost: `generation_stats.json`.";
  }
}
