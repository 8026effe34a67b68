package io.hfbeam.dataset;

import io.hfbeam.format.files.Directories;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.StreamingOptions;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.PCollection;

/**
 * Turns parts into the dataset: plans the batch files ({@link Batch#plan}), assembles them in
 * parallel (whole parts are linked and their Parquet row groups copied without decoding; only a
 * part cut by a batch boundary is re-encoded) in the staging folder, writes {@code
 * _errors/errors.jsonl} with file line numbers, then the dataset card; a run within its error
 * budget then moves them into place ({@link StagedDataset}). Emits every finished file, for
 * publishing, and nothing for a run that failed its budget or has no rows.
 */
public final class AssembleDataset<T>
    extends PTransform<PCollection<Part>, PCollection<WrittenFile>> {
  private final Settings<T> settings;

  private AssembleDataset(Settings<T> settings) {
    this.settings = settings;
  }

  public static <T> AssembleDataset<T> with(Settings<T> settings) {
    return new AssembleDataset<>(settings);
  }

  /** Where and how to write. */
  public static final class Settings<T> implements Serializable {
    String outputDir;
    PartFormat<T> format;
    FileNaming parquetNaming = FileNaming.of(FileNaming.BATCHES);
    FileNaming jsonlNaming = FileNaming.of(FileNaming.BATCHES).withExtension("jsonl");
    Batch.Settings batch = Batch.Settings.single();
    List<String> splitOrder = List.of("train", "validation", "test");
    boolean card = true;
    String title = "Dataset";
    String description = "";
    LinkedHashMap<String, String> sections = new LinkedHashMap<>();
    LinkedHashMap<String, ExtraFile> extras = new LinkedHashMap<>();

    public static <T> Settings<T> of(Path outputDir, PartFormat<T> format) {
      Settings<T> s = new Settings<>();
      // absolute: workers (a Flink TaskManager) do not run in the launcher's current directory
      s.outputDir = outputDir.toAbsolutePath().normalize().toString();
      s.format = format;
      return s;
    }

    public Settings<T> parquetNaming(FileNaming n) {
      parquetNaming = n;
      return this;
    }

    public Settings<T> jsonlNaming(FileNaming n) {
      jsonlNaming = n;
      return this;
    }

    public Settings<T> batch(Batch.Settings b) {
      batch = b;
      return this;
    }

    /** Splits listed here come first in the card, in this order; others follow by name. */
    public Settings<T> splitOrder(List<String> order) {
      splitOrder = List.copyOf(order);
      return this;
    }

    public Settings<T> card(boolean write) {
      card = write;
      return this;
    }

    public Settings<T> title(String t) {
      title = t;
      return this;
    }

    public Settings<T> description(String d) {
      description = d;
      return this;
    }

    public Settings<T> section(String heading, String markdown) {
      sections.put(heading, markdown);
      return this;
    }

    /**
     * A file the workflow adds to the dataset at {@code path} (relative to its root), made from
     * what its workers left in the parts folder once every part is in; written with the card, and
     * left out when it gives no bytes.
     */
    public Settings<T> extraFile(String path, ExtraFile content) {
      extras.put(path, content);
      return this;
    }

    public Path partsDir() {
      return AssembleDataset.partsDir(Path.of(outputDir));
    }

    Path stagingDir() {
      return StagedDataset.stagingDir(Path.of(outputDir));
    }
  }

  /** The content of an extra file, from the parts folder; null or empty: no file. */
  @FunctionalInterface
  public interface ExtraFile extends Serializable {
    byte[] content(Path partsDir) throws IOException;
  }

  /**
   * Parts are written under a hidden folder of the output, removed once the dataset is assembled.
   */
  public static Path partsDir(Path output) {
    return output.resolve(".hfbeam-parts");
  }

  @Override
  public PCollection<WrittenFile> expand(PCollection<Part> parts) {
    return parts
        // without a default: every input file is at least one chunk and every chunk sends a DATA
        // part, so the list is never empty; Beam's default-on-empty machinery (a side input, an
        // impulse and a ParDo) cost 4 Flink vertices
        .apply("CollectParts", Combine.globally(new CollectList<Part>()).withoutDefaults())
        .apply("PlanFiles", ParDo.of(new PlanFn<>(settings)))
        .setCoder(SerializableCoder.of(DatasetFiles.Job.class))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("AssembleFiles", ParDo.of(new AssembleFn<>(settings)))
        .setCoder(SerializableCoder.of(WrittenFile.class))
        .apply("CollectFiles", Combine.globally(new CollectList<WrittenFile>()))
        .apply("WriteCard", ParDo.of(new CardFn<>(settings)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  static final class PlanFn<T> extends DoFn<List<Part>, DatasetFiles.Job> {
    private final Settings<T> s;

    PlanFn(Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element List<Part> all, OutputReceiver<DatasetFiles.Job> out)
        throws IOException {
      for (DatasetFiles.Job job : DatasetFiles.jobs(s, all, s.batch)) out.output(job);
    }
  }

  static final class AssembleFn<T> extends DoFn<DatasetFiles.Job, WrittenFile> {
    private final Settings<T> s;
    private final Counter files = Metrics.counter("write", "files_written");
    private final Counter bytes = Metrics.counter("write", "bytes_written");

    AssembleFn(Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element DatasetFiles.Job job, OutputReceiver<WrittenFile> out)
        throws IOException {
      DatasetFiles.write(
          s,
          s.stagingDir(),
          job,
          "",
          f -> {
            files.inc();
            bytes.inc(f.bytes());
            out.output(f);
          });
    }
  }

  /**
   * The last step of a dataset sink, for files already in the staging folder under their final
   * names: the card, the error-budget check and the move into place ({@link StagedDataset}). Emits
   * the dataset's files, or nothing.
   */
  public static <T> DoFn<List<WrittenFile>, WrittenFile> finishFn(Settings<T> s) {
    return new CardFn<>(s);
  }

  static final class CardFn<T> extends DoFn<List<WrittenFile>, WrittenFile> {
    private final Settings<T> s;

    CardFn(Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(
        @Element List<WrittenFile> written,
        OutputReceiver<WrittenFile> out,
        PipelineOptions options)
        throws IOException {
      List<WrittenFile> sorted = new ArrayList<>(written);
      sorted.sort(Comparator.comparing(WrittenFile::path));
      // A checkpointed (streaming) run may be restored to a point before assembly, which needs the
      // parts again: there the launcher removes them once the job has finished.
      for (Map.Entry<String, ExtraFile> e : s.extras.entrySet()) {
        byte[] bytes = e.getValue().content(s.partsDir());
        if (bytes == null || bytes.length == 0) continue;
        Path target = s.stagingDir().resolve(e.getKey());
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
        sorted.add(new WrittenFile(null, e.getKey(), target.toString(), 0, bytes.length, 0));
      }
      if (!options.as(StreamingOptions.class).isStreaming()) Directories.deleteTree(s.partsDir());
      if (s.card) {
        Map<String, long[]> sizes = new TreeMap<>(Batch.splitOrder(s.splitOrder));
        DatasetCards.addSizes(s, sorted, sizes);
        sorted.add(DatasetCards.writeCard(s, sizes, s.stagingDir().resolve("README.md")));
      }
      long[] counts = StagedDataset.rowsAndFailed(sorted, s.format.parquet());
      // a failed run leaves the previous dataset as it was and its own files in staging; it emits
      // nothing to publish
      String rejection =
          StagedDataset.rejection(
              counts[0], counts[1], options.as(DatasetOptions.class).getMaxErrorRate());
      if (rejection != null) {
        StagedDataset.reject(Path.of(s.outputDir), rejection);
        return;
      }
      for (WrittenFile f : StagedDataset.commit(Path.of(s.outputDir), sorted, true)) out.output(f);
      Directories.deleteTree(s.stagingDir());
    }
  }
}
