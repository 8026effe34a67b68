package io.hfbeam.workflow.chess;

import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.workflow.FileRun;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.WatchSettings;
import io.hfbeam.workflow.WatchedWorkflow;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * chess-positions as {@link io.hfbeam.workflow.WorkflowLauncher} runs it: the settings, the inputs
 * as given, whether the first batch is fixed, and the watched source. When it publishes, a run
 * continues the repo's batch numbering and leaves a marker so that the same run repeated
 * re-publishes the same files.
 */
public final class ChessPositionsRun extends FileRun {
  /** The PGN files a directory input is searched for. */
  public static final String PGN_FILES = "*.{pgn,pgn.gz,pgn.bz2,pgn.zst}";

  private final ChessPositionsWorkflow.Settings settings;

  private ChessPositionsRun(
      ChessPositionsWorkflow.Settings settings,
      List<String> inputSpecs,
      boolean firstBatchFixed,
      Optional<WatchSettings> watch) {
    super(inputSpecs, firstBatchFixed, watch);
    this.settings = settings;
  }

  /** A run of fixed input files; its first batch is the settings' own. */
  public static ChessPositionsRun of(ChessPositionsWorkflow.Settings settings) {
    FileNaming.of(settings.filePattern()); // a bad pattern is a usage error before anything runs
    return new ChessPositionsRun(settings, List.of(), true, Optional.empty());
  }

  /** The PGN files of {@code specs} (files, directories, globs). */
  public static List<Path> inputs(List<String> specs) {
    return InputFiles.expand(specs, PGN_FILES);
  }

  /**
   * The inputs as given (directories and globs are searched: the output must not be inside one).
   */
  public ChessPositionsRun withInputSpecs(List<String> specs) {
    return new ChessPositionsRun(settings, specs, firstBatchFixed, watch);
  }

  /**
   * Whether the settings' first batch was chosen; when not, a publishing run continues the repo's
   * numbering and a watching run the output's.
   */
  public ChessPositionsRun withFirstBatchFixed(boolean fixed) {
    return new ChessPositionsRun(settings, inputSpecs, fixed, watch);
  }

  /** Watches {@code w.source()} instead of reading the settings' inputs once. */
  public ChessPositionsRun withWatch(WatchSettings w) {
    return new ChessPositionsRun(settings, inputSpecs, firstBatchFixed, Optional.of(w));
  }

  public ChessPositionsWorkflow.Settings settings() {
    return settings;
  }

  @Override
  public String name() {
    return "chess-positions";
  }

  @Override
  public Path output() {
    return settings.output();
  }

  @Override
  protected List<Path> inputFiles() {
    return settings.inputs();
  }

  @Override
  protected Batch.Settings batch() {
    return settings.batch();
  }

  @Override
  public List<String> steps() {
    return ChessPositionsWorkflow.STEPS;
  }

  @Override
  public WatchedWorkflow<?> watched(int firstBatch) {
    return ChessPositionsWorkflow.watched(withFirstBatch(settings, firstBatch));
  }

  private static ChessPositionsWorkflow.Settings withFirstBatch(
      ChessPositionsWorkflow.Settings s, int first) {
    return s.withBatch(s.batch().withFirstBatch(first));
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out)
      throws IOException {
    if (hub.isEmpty()) return ChessPositionsWorkflow.build(p, settings);
    // A run publishes a marker named by the fingerprint of its inputs and settings, holding its
    // first batch: the same run repeated reuses that number (same files, zero commits); new data
    // continues after the highest batch.
    String marker = ".hfbeam/chess-positions-" + fingerprint(settings) + ".json";
    ChessPositionsWorkflow.Settings s = settings;
    if (!firstBatchFixed) {
      Integer first = hub.get().previousFirstBatch(marker);
      if (first != null) {
        out.println("this run was published before; re-publishing its batches from batch " + first);
      } else {
        first = hub.get().nextBatchNumber();
        out.println("continuing the batch numbering of " + hub.get().repo() + " at batch " + first);
      }
      s = withFirstBatch(s, first);
    }
    Path local = s.output().resolve(marker);
    Files.createDirectories(local.getParent());
    Files.writeString(local, "{\"first_batch\": " + s.batch().firstBatch() + "}\n");
    WrittenFile markerFile =
        new WrittenFile(null, marker, local.toString(), 0, Files.size(local), 0);
    return ChessPositionsWorkflow.build(p, s)
        .apply("WithRunMarker", ParDo.of(new WithMarkerFn(markerFile)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  /**
   * Adds the run marker beside the card: a run that does not complete its dataset emits no card,
   * and no marker.
   */
  static final class WithMarkerFn extends DoFn<WrittenFile, WrittenFile> {
    private final WrittenFile marker;

    WithMarkerFn(WrittenFile marker) {
      this.marker = marker;
    }

    @ProcessElement
    public void process(@Element WrittenFile f, OutputReceiver<WrittenFile> out) {
      out.output(f);
      if (f.split() == null && f.path().equals("README.md")) out.output(marker);
    }
  }

  /**
   * sha256 of the settings that shape the files (not the first batch) and of every input's name and
   * content; for a dataset input, of its name, resolved commit, config, splits and columns.
   */
  static String fingerprint(ChessPositionsWorkflow.Settings s) throws IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      PgnPositions.Settings ps = s.samples();
      String shape =
          String.join(
              "|",
              ps.encoding().name(),
              ps.window().name(),
              "" + ps.windowSize(),
              ps.scalars().name(),
              "" + ps.metadata(),
              ps.sampling().name(),
              "" + ps.rate(),
              "" + ps.minPly(),
              "" + ps.maxPly(),
              "" + ps.seed(),
              "" + ps.splitByGame(),
              ps.split().ratios().toString(),
              "" + ps.split().seed(),
              "" + s.batch().maxRows(),
              "" + s.batch().maxBatches(),
              s.filePattern(),
              s.parquet().toString());
      md.update(shape.getBytes(StandardCharsets.UTF_8));
      if (s.dataset() != null) {
        // a dataset at a commit is fixed: its name, commit and what is read of it name the input
        ReadPlan plan = s.dataset().plan();
        String read =
            String.join(
                "|",
                "dataset",
                s.dataset().version(),
                plan.config(),
                plan.splits().toString(),
                plan.columns().toString(),
                s.dataset().column());
        md.update(read.getBytes(StandardCharsets.UTF_8));
      }
      byte[] buf = new byte[1 << 16];
      for (Path f : s.inputs()) {
        md.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        try (InputStream in = Files.newInputStream(f)) {
          for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
