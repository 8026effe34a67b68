package io.hfbeam.io;

import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Features;
import io.hfbeam.transform.RecordKey;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The dataset sink: writes numbered records (split and batch set) as Parquet and/or JSONL files named by a
 * pattern, plus the dataset card. Each (split, batch, input chunk) is written in parallel as a sorted part file;
 * a final step joins the parts of each batch in input order (Parquet row groups are copied, not decoded), moves
 * each file into place atomically and writes the card. Emits every finished file for publishing.
 */
public final class WriteDataset extends PTransform<PCollection<KV<RecordKey, Row>>, PCollection<WrittenFile>> {
  private static final String TMP = ".hfbeam-tmp";
  private final Settings settings;

  private WriteDataset(Settings settings) {
    this.settings = settings;
  }

  public static WriteDataset with(Settings settings) {
    return new WriteDataset(settings);
  }

  /** Where and how to write. Build with {@link #builder()}. */
  public static final class Settings implements Serializable {
    private String outputDir;
    private String name = "data";
    private String featuresJson;
    private FileNaming parquet;
    private FileNaming jsonl;
    private ParquetSettings parquetSettings;
    private boolean card = true;
    private String title = "Dataset";
    private String description = "";
    private LinkedHashMap<String, String> sections = new LinkedHashMap<>();
    private List<String> splitOrder = List.of("train", "validation", "test");

    public static Settings builder() {
      return new Settings();
    }

    public Settings outputDir(String dir) {
      outputDir = dir;
      return this;
    }

    /** Distinguishes sinks that share an output directory (the dataset and its errors). */
    public Settings name(String n) {
      name = n;
      return this;
    }

    public Settings features(Features f) {
      featuresJson = f.toJson();
      return this;
    }

    public Settings parquet(FileNaming naming, ParquetSettings s) {
      parquet = naming;
      parquetSettings = s;
      return this;
    }

    public Settings jsonl(FileNaming naming) {
      jsonl = naming;
      return this;
    }

    public Settings card(boolean write) {
      card = write;
      return this;
    }

    public Settings title(String t) {
      title = t;
      return this;
    }

    public Settings description(String d) {
      description = d;
      return this;
    }

    public Settings section(String heading, String markdown) {
      sections.put(heading, markdown);
      return this;
    }

    /** Splits listed here come first in the card, in this order; others follow by name. */
    public Settings splitOrder(List<String> order) {
      splitOrder = List.copyOf(order);
      return this;
    }

    public Settings build() {
      if (outputDir == null) throw new IllegalArgumentException("an output directory is required");
      if (featuresJson == null) throw new IllegalArgumentException("features are required");
      if (parquet == null && jsonl == null) throw new IllegalArgumentException("choose at least one of parquet, jsonl");
      return this;
    }

    Features features() {
      return Features.fromJson(featuresJson);
    }

    Path partsDir() {
      return Path.of(outputDir, TMP, name);
    }
  }

  /** One sorted part: the records of one input chunk in one batch of one split. */
  record Segment(String split, long batch, long chunk, long rows, long arrowBytes, String parquetPart,
      String jsonlPart) implements Serializable {}

  @Override
  public PCollection<WrittenFile> expand(PCollection<KV<RecordKey, Row>> records) {
    return records
        .apply("KeyBySegment", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(), records.getTypeDescriptor()))
            .via(e -> KV.of(e.getKey().split() + "\u0000" + e.getKey().batch() + "\u0000" + e.getKey().chunk(), e)))
        .setCoder(KvCoder.of(StringUtf8Coder.of(), records.getCoder()))
        .apply("GroupSegment", GroupByKey.create())
        .apply("WriteParts", ParDo.of(new WritePartFn(settings)))
        .setCoder(SerializableCoder.of(Segment.class))
        .apply("CollectParts", Combine.globally(new CollectFn()))
        .apply("Finalize", ParDo.of(new FinalizeFn(settings)))
        .setCoder(SerializableCoder.of(WrittenFile.class));
  }

  /** Gathers the small part descriptions into one list (empty when there was no record). */
  static final class CollectFn extends Combine.CombineFn<Segment, ArrayList<Segment>, List<Segment>> {
    @Override
    public ArrayList<Segment> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public ArrayList<Segment> addInput(ArrayList<Segment> acc, Segment s) {
      acc.add(s);
      return acc;
    }

    @Override
    public ArrayList<Segment> mergeAccumulators(Iterable<ArrayList<Segment>> accs) {
      ArrayList<Segment> out = new ArrayList<>();
      accs.forEach(out::addAll);
      return out;
    }

    @Override
    public List<Segment> extractOutput(ArrayList<Segment> acc) {
      return acc;
    }

    @Override
    @SuppressWarnings("unchecked")
    public org.apache.beam.sdk.coders.Coder<ArrayList<Segment>> getAccumulatorCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Segment> input) {
      return org.apache.beam.sdk.coders.SerializableCoder.of((Class<ArrayList<Segment>>) (Class<?>) ArrayList.class);
    }

    @Override
    public org.apache.beam.sdk.coders.Coder<List<Segment>> getDefaultOutputCoder(
        org.apache.beam.sdk.coders.CoderRegistry registry, org.apache.beam.sdk.coders.Coder<Segment> input) {
      return org.apache.beam.sdk.coders.ListCoder.of(input);
    }
  }

  static final class WritePartFn extends DoFn<KV<String, Iterable<KV<RecordKey, Row>>>, Segment> {
    private final Settings settings;
    private final Counter rowsOut = Metrics.counter("Write", "records_out");
    private transient Features features;

    WritePartFn(Settings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      features = settings.features();
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<KV<RecordKey, Row>>> group, OutputReceiver<Segment> out)
        throws IOException {
      List<KV<RecordKey, Row>> records = new ArrayList<>();
      for (KV<RecordKey, Row> r : group.getValue()) records.add(r);
      records.sort((a, b) -> a.getKey().compareTo(b.getKey()));
      RecordKey k = records.get(0).getKey();
      Path dir = settings.partsDir().resolve(safe(k.split())).resolve(Long.toString(k.batch()));
      Files.createDirectories(dir);
      String base = Long.toString(k.chunk());
      Path pq = settings.parquet == null ? null : dir.resolve(base + ".parquet");
      Path js = settings.jsonl == null ? null : dir.resolve(base + ".jsonl");
      long arrow = 0;
      try (HfParquetWriter pw = pq == null ? null : HfParquetWriter.create(pq, features, settings.parquetSettings);
          OutputStream os = js == null ? null : Files.newOutputStream(js);
          JsonlRowWriter jw = js == null ? null : new JsonlRowWriter(os, features)) {
        for (KV<RecordKey, Row> r : records) {
          if (pw != null) pw.write(r.getValue());
          if (jw != null) jw.write(r.getValue());
          arrow += features.arrowBytes(r.getValue());
        }
      }
      rowsOut.inc(records.size());
      out.output(new Segment(k.split(), k.batch(), k.chunk(), records.size(), arrow,
          pq == null ? null : pq.toString(), js == null ? null : js.toString()));
    }
  }

  static String safe(String split) {
    return split.isEmpty() ? "_" : split.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  static final class FinalizeFn extends DoFn<List<Segment>, WrittenFile> {
    private final Settings settings;
    private final Counter files = Metrics.counter("Write", "files_written");
    private final Counter bytes = Metrics.counter("Write", "bytes_written");

    FinalizeFn(Settings settings) {
      this.settings = settings;
    }

    @ProcessElement
    public void process(@Element List<Segment> segments, OutputReceiver<WrittenFile> out) throws IOException {
      Features features = settings.features();
      Path root = Path.of(settings.outputDir);
      // split -> batch -> parts in input order
      Map<String, TreeMap<Long, List<Segment>>> bySplit = new TreeMap<>(splitOrder());
      for (Segment s : segments) {
        bySplit.computeIfAbsent(s.split(), x -> new TreeMap<>()).computeIfAbsent(s.batch(), x -> new ArrayList<>()).add(s);
      }
      List<DatasetCard.SplitInfo> infos = new ArrayList<>();
      long parquetBytes = 0;
      long jsonlBytes = 0;
      for (Map.Entry<String, TreeMap<Long, List<Segment>>> split : bySplit.entrySet()) {
        int count = split.getValue().size();
        int index = 0;
        long rows = 0;
        long arrow = 0;
        for (Map.Entry<Long, List<Segment>> batch : split.getValue().entrySet()) {
          List<Segment> parts = batch.getValue();
          parts.sort(Comparator.comparingLong(Segment::chunk));
          long batchRows = parts.stream().mapToLong(Segment::rows).sum();
          rows += batchRows;
          arrow += parts.stream().mapToLong(Segment::arrowBytes).sum();
          if (settings.parquet != null) {
            String rel = settings.parquet.name(split.getKey(), batch.getKey(), index, count);
            Path target = root.resolve(rel);
            List<Path> partPaths = parts.stream().map(s -> Path.of(s.parquetPart())).toList();
            publish(target, tmp -> {
              if (partPaths.size() == 1) {
                Files.move(partPaths.get(0), tmp, StandardCopyOption.REPLACE_EXISTING);
              } else {
                HfParquetWriter.concat(partPaths, tmp, features, settings.parquetSettings);
              }
            });
            parquetBytes += Files.size(target);
            emit(out, split.getKey(), rel, target, batchRows);
          }
          if (settings.jsonl != null) {
            String rel = settings.jsonl.name(split.getKey(), batch.getKey(), index, count);
            Path target = root.resolve(rel);
            publish(target, tmp -> {
              try (OutputStream os = Files.newOutputStream(tmp)) {
                for (Segment s : parts) Files.copy(Path.of(s.jsonlPart()), os);
              }
            });
            jsonlBytes += Files.size(target);
            emit(out, split.getKey(), rel, target, batchRows);
          }
          index++;
        }
        FileNaming cardNaming = settings.parquet != null ? settings.parquet : settings.jsonl;
        infos.add(new DatasetCard.SplitInfo(split.getKey(), rows, arrow, List.of(cardNaming.glob(split.getKey()))));
      }
      deleteTree(settings.partsDir());
      deleteIfEmpty(root.resolve(TMP));
      if (settings.card) {
        String card = DatasetCard.builder().title(settings.title).description(settings.description)
            .features(features).splits(infos).downloadSize(settings.parquet != null ? parquetBytes : jsonlBytes)
            .sections(settings.sections).build().render();
        Path target = root.resolve("README.md");
        publish(target, tmp -> Files.writeString(tmp, card, StandardCharsets.UTF_8));
        emit(out, null, "README.md", target, 0);
      }
    }

    private void emit(OutputReceiver<WrittenFile> out, String split, String rel, Path target, long rows)
        throws IOException {
      long size = Files.size(target);
      files.inc();
      bytes.inc(size);
      out.output(new WrittenFile(split, rel, target.toString(), rows, size));
    }

    private Comparator<String> splitOrder() {
      List<String> order = settings.splitOrder;
      return Comparator.<String>comparingInt(s -> order.contains(s) ? order.indexOf(s) : order.size())
          .thenComparing(Comparator.naturalOrder());
    }
  }

  interface IoAction {
    void run(Path tmp) throws IOException;
  }

  /** Writes to a hidden temp name beside the target, then renames: readers never see a partial file. */
  static void publish(Path target, IoAction write) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    write.run(tmp);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteIfEmpty(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        if (s.findAny().isEmpty()) Files.delete(dir);
      }
    }
  }
}
