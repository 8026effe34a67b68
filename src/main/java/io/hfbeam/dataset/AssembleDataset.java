package io.hfbeam.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hfbeam.format.files.Directories;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Features;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
  public static final String ERRORS_FILE = "_errors/errors.jsonl";

  /** Test hook: writing a file whose path ends with this value fails as a full disk does. */
  public static final String FAIL_WRITE_PROPERTY = "hfbeam.test.failWrite";

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

    public Path partsDir() {
      return AssembleDataset.partsDir(Path.of(outputDir));
    }

    Path stagingDir() {
      return StagedDataset.stagingDir(Path.of(outputDir));
    }
  }

  /**
   * Parts are written under a hidden folder of the output, removed once the dataset is assembled.
   */
  public static Path partsDir(Path output) {
    return output.resolve(".hfbeam-parts");
  }

  /** Work for one output file: the data file of a batch, or the errors file. */
  record Job(Batch.FilePlan plan, List<Part> errorParts, Map<Long, Long> linesBefore)
      implements Serializable {}

  @Override
  public PCollection<WrittenFile> expand(PCollection<Part> parts) {
    return parts
        // without a default: every input file is at least one chunk and every chunk sends a DATA
        // part, so the list is
        // never empty; Beam's default-on-empty machinery (a side input, an impulse and a ParDo)
        // cost 4 Flink vertices
        .apply("CollectParts", Combine.globally(new CollectList<Part>()).withoutDefaults())
        .apply("PlanFiles", ParDo.of(new PlanFn<>(settings)))
        .setCoder(SerializableCoder.of(Job.class))
        .apply("SpreadFiles", Reshuffle.viaRandomKey())
        .apply("AssembleFiles", ParDo.of(new AssembleFn<>(settings)))
        .setCoder(SerializableCoder.of(WrittenFile.class))
        .apply("CollectFiles", Combine.globally(new CollectList<WrittenFile>()))
        .apply("WriteCard", ParDo.of(new CardFn<>(settings)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  static final class PlanFn<T> extends DoFn<List<Part>, Job> {
    private final Settings<T> s;

    PlanFn(Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element List<Part> all, OutputReceiver<Job> out) throws IOException {
      for (Job job : jobs(s, all, s.batch)) out.output(job);
    }
  }

  /**
   * The batch files of these parts, numbered by {@code batch}, then the errors job (always last).
   */
  static <T> List<Job> jobs(Settings<T> s, List<Part> all, Batch.Settings batch)
      throws IOException {
    List<Job> jobs = new ArrayList<>();
    // one part per chunk, sink and split: a restored Flink job may have processed a chunk twice
    // (same content)
    Map<String, Part> unique = new LinkedHashMap<>();
    for (Part p : all) unique.putIfAbsent(p.sink() + "/" + p.split() + "/" + p.chunk(), p);
    List<Part> parts = new ArrayList<>(unique.values());
    for (Batch.FilePlan plan : Batch.plan(parts, batch, Batch.splitOrder(s.splitOrder))) {
      jobs.add(new Job(plan, null, null));
    }
    List<Part> errors = new ArrayList<>();
    TreeMap<Long, Long> lines = new TreeMap<>();
    for (Part p : parts) {
      if (Part.ERRORS.equals(p.sink())) errors.add(p);
      else if (p.isStats()) lines.put(p.chunk(), p.chunkLines());
    }
    errors.sort(Comparator.comparingLong(Part::chunk));
    Map<Long, Long> before = new HashMap<>();
    Map<Integer, Long> perFile = new HashMap<>();
    for (Map.Entry<Long, Long> e : lines.entrySet()) {
      int file = InputFiles.Chunk.fileIndexOf(e.getKey());
      long acc = perFile.getOrDefault(file, 0L);
      before.put(e.getKey(), acc);
      perFile.put(file, acc + e.getValue());
    }
    jobs.add(new Job(null, errors, before));
    return jobs;
  }

  static final class AssembleFn<T> extends DoFn<Job, WrittenFile> {
    private final Settings<T> s;
    private final Counter files = Metrics.counter("write", "files_written");
    private final Counter bytes = Metrics.counter("write", "bytes_written");

    AssembleFn(Settings<T> s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element Job job, OutputReceiver<WrittenFile> out) throws IOException {
      write(
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
   * Writes the file of one job under {@code root} (a staging folder), each moved into place there
   * atomically: a batch file (Parquet and/or JSONL), or the errors file, named {@code
   * _errors/errors<errorsSuffix>.jsonl}.
   */
  static <T> void write(
      Settings<T> s,
      Path root,
      Job job,
      String errorsSuffix,
      java.util.function.Consumer<WrittenFile> out)
      throws IOException {
    if (job.plan() == null) {
      writeErrors(root, job, errorsSuffix, out);
      return;
    }
    Batch.FilePlan plan = job.plan();
    if (s.format.parquet()) {
      String rel = s.parquetNaming.name(plan.split(), plan.batch(), plan.index(), plan.count());
      Path target = root.resolve(rel);
      publish(target, tmp -> s.format.assembleParquet(plan.pieces(), tmp));
      out.accept(written(plan.split(), rel, target, plan.rows(), plan.arrowBytes()));
    }
    if (s.format.jsonl()) {
      String rel = s.jsonlNaming.name(plan.split(), plan.batch(), plan.index(), plan.count());
      Path target = root.resolve(rel);
      publish(
          target,
          tmp -> {
            try (FileChannel ch =
                    FileChannel.open(
                        tmp,
                        StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING);
                OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
              for (Batch.Piece p : plan.pieces()) {
                Path part = Path.of(p.base() + ".jsonl");
                if (p.whole()) {
                  os.flush();
                  appendWhole(part, ch); // in the kernel: most of a split's bytes are whole parts
                } else {
                  copyLines(part, p.from(), p.to(), os);
                }
              }
            }
          });
      out.accept(written(plan.split(), rel, target, plan.rows(), plan.arrowBytes()));
    }
  }

  private static void writeErrors(
      Path root, Job job, String suffix, java.util.function.Consumer<WrittenFile> out)
      throws IOException {
    String rel = ERRORS_FILE.replace(".jsonl", suffix + ".jsonl");
    Path target = root.resolve(rel);
    if (job.errorParts().isEmpty()) {
      Files.deleteIfExists(target); // a re-run without failures must not keep the old ones
      return;
    }
    Features features = Features.fromBeamSchema(Failures.SCHEMA);
    long[] count = {0};
    publish(
        target,
        tmp -> {
          try (JsonlRowWriter w =
              new JsonlRowWriter(
                  new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), features)) {
            for (Part p : job.errorParts()) {
              long before = job.linesBefore().getOrDefault(p.chunk(), 0L);
              for (String line :
                  Files.readAllLines(Path.of(p.base() + ".jsonl"), StandardCharsets.UTF_8)) {
                w.write(Failures.fromJson(ERRORS_JSON.readTree(line), before));
                count[0]++;
              }
            }
          }
        });
    out.accept(written(null, rel, target, count[0], 0));
  }

  private static final ObjectMapper ERRORS_JSON = new ObjectMapper();

  private static WrittenFile written(String split, String rel, Path target, long rows, long arrow)
      throws IOException {
    return new WrittenFile(split, rel, target.toString(), rows, Files.size(target), arrow);
  }

  /**
   * Appends all of {@code part} at {@code out}'s position (transferTo: a kernel copy where the OS
   * has one).
   */
  static void appendWhole(Path part, FileChannel out) throws IOException {
    try (FileChannel in = FileChannel.open(part, StandardOpenOption.READ)) {
      long size = in.size();
      for (long done = 0, n; done < size; done += n) {
        if ((n = in.transferTo(done, size - done, out)) <= 0)
          throw new IOException("could not copy all of " + part);
      }
    }
  }

  /** Copies lines [from, to) of a JSONL part (whole parts go by {@link #appendWhole}). */
  static void copyLines(Path part, long from, long to, OutputStream out) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(part), 1 << 16)) {
      long line = 0;
      int b;
      while (line < to && (b = in.read()) >= 0) {
        if (line >= from) out.write(b);
        if (b == '\n') line++;
      }
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
      // parts again:
      // there the launcher removes them once the job has finished.
      if (!options.as(StreamingOptions.class).isStreaming()) Directories.deleteTree(s.partsDir());
      if (s.card) {
        Map<String, long[]> sizes = new TreeMap<>(Batch.splitOrder(s.splitOrder));
        addSizes(s, sorted, sizes);
        sorted.add(writeCard(s, sizes, s.stagingDir().resolve("README.md")));
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

  /**
   * Adds the rows, Arrow bytes and file bytes of the dataset files among {@code files} to {@code
   * sizes} per split.
   */
  static <T> void addSizes(Settings<T> s, List<WrittenFile> files, Map<String, long[]> sizes) {
    String ext = s.format.parquet() ? ".parquet" : ".jsonl";
    for (WrittenFile f : files) {
      if (f.split() == null || !f.path().endsWith(ext)) continue;
      long[] acc = sizes.computeIfAbsent(f.split(), k -> new long[3]);
      acc[0] += f.rows();
      acc[1] += f.arrowBytes();
      acc[2] += f.bytes();
    }
  }

  /** Writes README.md for splits of these sizes (rows, Arrow bytes, file bytes). */
  static <T> WrittenFile writeCard(Settings<T> s, Map<String, long[]> sizes) throws IOException {
    return writeCard(s, sizes, Path.of(s.outputDir).resolve("README.md"));
  }

  /**
   * Writes a card for splits of these sizes to {@code target}; the file is published as README.md.
   */
  static <T> WrittenFile writeCard(Settings<T> s, Map<String, long[]> sizes, Path target)
      throws IOException {
    FileNaming naming = s.format.parquet() ? s.parquetNaming : s.jsonlNaming;
    List<DatasetCard.SplitInfo> infos = new ArrayList<>();
    long download = 0;
    for (Map.Entry<String, long[]> e : sizes.entrySet()) {
      long[] acc = e.getValue();
      infos.add(
          new DatasetCard.SplitInfo(e.getKey(), acc[0], acc[1], List.of(naming.glob(e.getKey()))));
      download += acc[2];
    }
    String card =
        DatasetCard.builder()
            .title(s.title)
            .description(s.description)
            .features(s.format.features())
            .splits(infos)
            .downloadSize(download)
            .sections(s.sections)
            .build()
            .render();
    publish(target, tmp -> Files.writeString(tmp, card, StandardCharsets.UTF_8));
    return new WrittenFile(null, "README.md", target.toString(), 0, Files.size(target), 0);
  }

  /** Writes a file at a temporary path. */
  public interface IoAction {
    void run(Path tmp) throws IOException;
  }

  /**
   * Writes to a hidden temp name beside the target, then renames: readers never see a partial file.
   */
  public static void publish(Path target, IoAction write) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    write.run(tmp);
    String failing = System.getProperty(FAIL_WRITE_PROPERTY);
    if (failing != null && target.toString().replace('\\', '/').endsWith(failing)) {
      throw new IOException(
          "No space left on device (" + FAIL_WRITE_PROPERTY + "=" + failing + ")");
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
