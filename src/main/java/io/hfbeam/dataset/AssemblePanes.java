package io.hfbeam.dataset;

import io.hfbeam.format.files.Directories;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.windowing.AfterProcessingTime;
import org.apache.beam.sdk.transforms.windowing.GlobalWindows;
import org.apache.beam.sdk.transforms.windowing.Repeatedly;
import org.apache.beam.sdk.transforms.windowing.Window;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * The dataset of an unbounded input, written pane by pane: the parts that arrive within a commit
 * interval (counted from the first part of the pane) become the next batch files, numbered on from
 * the previous pane's, and the local card is rewritten to count everything written so far. Emits
 * one {@link Pane} per pane, for publishing: its files and a card counting them alone (publishing
 * makes the Hub's card count what the Hub has).
 *
 * <p>Batch numbering and the card's totals are Flink state, so a restored job goes on where its
 * checkpoint was; a pane whose files were written after that checkpoint is written again with the
 * same names and contents. Parts are deleted only once a checkpoint covers their pane
 * ({@code @RequiresStableInput}), so a restore never needs parts that are gone.
 *
 * <p>Steps: WindowIntoPanes -> CollectPaneParts -> KeyPanes -> WritePane, and DropPaneParts after
 * WritePane.
 */
public final class AssemblePanes<T>
    extends PTransform<PCollection<Part>, PCollection<AssemblePanes.Pane>> {
  private final AssembleDataset.Settings<T> settings;
  private final Duration interval;

  private AssemblePanes(AssembleDataset.Settings<T> settings, Duration interval) {
    this.settings = settings;
    this.interval = interval;
  }

  /**
   * @param interval how long a pane collects parts, from its first one: at most one commit per
   *     interval
   */
  public static <T> AssemblePanes<T> every(
      Duration interval, AssembleDataset.Settings<T> settings) {
    if (!settings.parquetNaming.hasBatchNumber()
        || settings.format.jsonl() && !settings.jsonlNaming.hasBatchNumber()) {
      throw new IllegalArgumentException(
          "a watched input needs a file pattern with the batch number ({NNN}), "
              + "not a count of files that grows: e.g. {split}/batch_{NNN}.parquet");
    }
    return new AssemblePanes<>(settings, interval);
  }

  /**
   * What one pane wrote (its batch files, errors file and the card, in that order) and the parts it
   * used.
   */
  public record Pane(long number, List<WrittenFile> files, List<String> partBases)
      implements Serializable {}

  @Override
  public PCollection<Pane> expand(PCollection<Part> parts) {
    PCollection<Pane> panes =
        parts
            .apply(
                "WindowIntoPanes",
                Window.<Part>into(new GlobalWindows())
                    .triggering(
                        Repeatedly.forever(
                            AfterProcessingTime.pastFirstElementInPane().plusDelayOf(interval)))
                    .withAllowedLateness(Duration.ZERO)
                    .discardingFiredPanes())
            .apply("CollectPaneParts", Combine.globally(new CollectList<Part>()).withoutDefaults())
            .apply(
                "KeyPanes",
                WithKeys.<String, List<Part>>of("pane").withKeyType(TypeDescriptors.strings()))
            .apply("WritePane", ParDo.of(new WritePaneFn<>(settings)))
            .setCoder(SerializableCoder.of(Pane.class));
    panes.apply("DropPaneParts", ParDo.of(new DropPartsFn()));
    return panes;
  }

  static final class WritePaneFn<T> extends DoFn<KV<String, List<Part>>, Pane> {
    private final AssembleDataset.Settings<T> s;
    private final Counter files = Metrics.counter("write", "files_written");
    private final Counter bytes = Metrics.counter("write", "bytes_written");
    private final Counter panes = Metrics.counter("write", "panes");
    private final Counter rejected = Metrics.counter("write", "panes_over_error_budget");

    @StateId("pane")
    private final StateSpec<ValueState<Long>> paneSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("nextBatch")
    private final StateSpec<ValueState<Long>> nextBatchSpec = StateSpecs.value(VarLongCoder.of());

    /** split -> {rows, Arrow bytes, file bytes} of everything written so far, for the card. */
    @StateId("sizes")
    private final StateSpec<ValueState<HashMap<String, long[]>>> sizesSpec =
        StateSpecs.value(sizesCoder());

    WritePaneFn(AssembleDataset.Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(
        @Element KV<String, List<Part>> element,
        @StateId("pane") ValueState<Long> paneState,
        @StateId("nextBatch") ValueState<Long> nextBatch,
        @StateId("sizes") ValueState<HashMap<String, long[]>> sizesState,
        OutputReceiver<Pane> out,
        PipelineOptions options)
        throws IOException {
      List<Part> parts = element.getValue();
      long pane = paneState.read() == null ? 1 : paneState.read();
      long first = nextBatch.read() == null ? s.batch.firstBatch() : nextBatch.read();
      List<WrittenFile> written = new ArrayList<>();
      long last = first - 1;
      // the pane is written in staging and moved into the dataset once complete, so readers never
      // see half a pane
      Path staging = s.stagingDir().resolve(String.format("pane-%05d", pane));
      for (DatasetFiles.Job job :
          DatasetFiles.jobs(s, parts, s.batch.withFirstBatch((int) first))) {
        if (job.plan() != null) last = Math.max(last, job.plan().batch());
        DatasetFiles.write(
            s,
            staging,
            job,
            String.format("-%05d", pane),
            f -> {
              files.inc();
              bytes.inc(f.bytes());
              written.add(f);
            });
      }
      List<String> bases = new ArrayList<>();
      for (Part p : parts) if (p.base() != null) bases.add(p.base());
      long[] counts = StagedDataset.rowsAndFailed(written, s.format.parquet());
      if (StagedDataset.overBudget(
          counts[0], counts[1], options.as(DatasetOptions.class).getMaxErrorRate())) {
        // --max-error-rate applies to each pane: this one stays in staging, unpublished; the next
        // pane reuses its
        // batch numbers, so the dataset has no gap
        rejected.inc();
        paneState.write(pane + 1);
        panes.inc();
        out.output(new Pane(pane, List.of(), bases));
        return;
      }
      HashMap<String, long[]> sizes =
          sizesState.read() == null ? new HashMap<>() : sizesState.read();
      DatasetCards.addSizes(s, written, sizes);
      List<WrittenFile> local = new ArrayList<>(written);
      if (s.card) {
        Map<String, long[]> ordered = new TreeMap<>(Batch.splitOrder(s.splitOrder));
        ordered.putAll(sizes);
        // the local dataset's card counts everything written so far
        local.add(DatasetCards.writeCard(s, ordered, staging.resolve("README.md")));
      }
      List<WrittenFile> placed = new ArrayList<>();
      for (WrittenFile f : StagedDataset.commit(Path.of(s.outputDir), local, false)) {
        if (f.split() != null || !f.path().equals("README.md")) placed.add(f);
      }
      Directories.deleteTree(staging);
      if (s.card) {
        // What gets published counts this pane's files only: publishing adds what the Hub already
        // has (CumulativeCard). Kept for a few panes, as a pane is published after the next
        // checkpoint.
        Map<String, long[]> paneSizes = new TreeMap<>(Batch.splitOrder(s.splitOrder));
        DatasetCards.addSizes(s, written, paneSizes);
        Path cards = s.partsDir().resolve("cards");
        placed.add(DatasetCards.writeCard(s, paneSizes, cards.resolve(pane + ".md")));
        Files.deleteIfExists(cards.resolve((pane - 10) + ".md"));
      }
      RunEvents.emit(paneLine(pane, written));
      paneState.write(pane + 1);
      nextBatch.write(last + 1);
      sizesState.write(sizes);
      panes.inc();
      out.output(new Pane(pane, placed, bases));
    }
  }

  /**
   * "pane 2 written: 7 rows, train/batch_003.parquet, test/batch_003.parquet" (the card and errors
   * file left out).
   */
  static String paneLine(long pane, List<WrittenFile> written) {
    long rows = 0;
    List<String> names = new ArrayList<>();
    for (WrittenFile f : written) {
      if (f.split() == null) continue;
      if (f.path().endsWith(".parquet")
          || written.stream().noneMatch(g -> g.path().endsWith(".parquet"))) rows += f.rows();
      names.add(f.path());
    }
    return "pane "
        + pane
        + " written: "
        + String.format("%,d", rows)
        + " rows"
        + (names.isEmpty() ? "" : ", " + String.join(", ", names));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static org.apache.beam.sdk.coders.Coder<HashMap<String, long[]>> sizesCoder() {
    return (org.apache.beam.sdk.coders.Coder) SerializableCoder.of(HashMap.class);
  }

  /**
   * Deletes a pane's parts once a checkpoint covers the pane (its files can then never be written
   * again).
   */
  static final class DropPartsFn extends DoFn<Pane, Void> {
    @ProcessElement
    @RequiresStableInput
    public void process(@Element Pane pane) throws IOException {
      // a part is base.<extension(s)>: one listing per folder, not per part
      Map<Path, java.util.Set<String>> prefixes = new HashMap<>();
      for (String base : pane.partBases()) {
        Path b = Path.of(base);
        prefixes
            .computeIfAbsent(b.getParent(), k -> new java.util.HashSet<>())
            .add(b.getFileName() + ".");
      }
      for (Map.Entry<Path, java.util.Set<String>> dir : prefixes.entrySet()) {
        if (!Files.isDirectory(dir.getKey())) continue;
        try (Stream<Path> files = Files.list(dir.getKey())) {
          for (Path f : files.toList()) {
            String name = f.getFileName().toString();
            int dot = name.indexOf('.');
            if (dot > 0 && dir.getValue().contains(name.substring(0, dot + 1)))
              Files.deleteIfExists(f);
          }
        }
      }
    }
  }
}
