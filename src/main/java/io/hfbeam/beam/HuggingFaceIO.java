package io.hfbeam.beam;

import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.dataset.ExternalSort;
import io.hfbeam.dataset.Failures;
import io.hfbeam.dataset.FileNaming;
import io.hfbeam.dataset.RowPartFormat;
import io.hfbeam.dataset.StagedDataset;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubPublish;
import io.hfbeam.hub.PublishedCommit;
import io.hfbeam.source.HfDataset;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadSpec;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.ByteArrayCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.GroupByKey;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.SerializableFunction;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.transforms.errorhandling.BadRecord;
import org.apache.beam.sdk.transforms.errorhandling.BadRecordRouter;
import org.apache.beam.sdk.transforms.errorhandling.ErrorHandler;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Hugging Face datasets in and out of any Beam pipeline. {@link #write()} writes rows tagged with
 * their split ({@code KV<split, Row>}, as {@link SeededSplit} gives them) as a dataset in a local
 * folder: the layout the hf-beam workflows write (numbered batch files of Parquet and/or JSONL, the
 * card, {@code _errors/errors.jsonl}), staged and moved into place only when complete. {@link
 * #publish()} commits the files the sink emitted to a Hub dataset repo.
 *
 * <pre>{@code
 * rows.apply(HuggingFaceIO.write().to("out/dataset").withFeatures(features).withFailures(failures))
 *     .apply(HuggingFaceIO.publish().to("me/my-dataset"));
 * }</pre>
 *
 * <p>{@link #read()} reads a dataset (a Hub repo, streamed with range requests, or a local
 * directory) with {@code datasets}' own config, split and feature rules, as rows whose schema is
 * the mapping of its features:
 *
 * <pre>{@code
 * PCollection<Row> rows =
 *     p.apply(HuggingFaceIO.read().from("hf://datasets/owner/name").withSplit("train"));
 * }</pre>
 */
public final class HuggingFaceIO {
  private HuggingFaceIO() {}

  public static Read read() {
    return new Read(ReadSpec.of(null), null);
  }

  public static Write write() {
    return new Write(WriteSettings.defaults(), null);
  }

  public static Publish publish() {
    return new Publish(null, "main", false, false, 50, "", false, null);
  }

  /**
   * Rows a file's sort holds in memory before it spills a sorted run to disk: a few such buffers
   * fit any worker's heap, and a 100,000-row file of 1.5 KB rows spills about five runs.
   */
  static final long SORT_BUFFER_BYTES = 32L << 20;

  /** The settings of {@link Write}; a new copy for every {@code withX}. */
  static final class WriteSettings implements Serializable, Cloneable {
    String output;
    String featuresJson;
    ParquetSettings parquet = ParquetSettings.defaults();
    boolean jsonl;
    String pattern = FileNaming.BATCHES;
    long rowsPerFile = 100_000;
    int firstBatch = 1;
    List<String> splitOrder = List.of("train", "validation", "test");
    String title = "Dataset";
    String description = "";
    LinkedHashMap<String, String> sections = new LinkedHashMap<>();
    SerializableFunction<Row, String> sortKey;
    long sortBufferBytes = SORT_BUFFER_BYTES;

    static WriteSettings defaults() {
      return new WriteSettings();
    }

    WriteSettings copy() {
      try {
        WriteSettings c = (WriteSettings) clone();
        c.sections = new LinkedHashMap<>(sections);
        return c;
      } catch (CloneNotSupportedException e) {
        throw new AssertionError(e);
      }
    }

    Features features() {
      return Features.fromJson(featuresJson);
    }
  }

  /**
   * The dataset sink. Rows of a split are spread over {@code ceil(rows / rowsPerFile)} files by a
   * hash of their sort key (by default the row's own encoding), and each file holds its rows sorted
   * by that key, ties by the row's encoding: the same rows give the same files, byte for byte, on
   * any runner and whatever the input order. A file's sort holds at most {@link
   * Write#withSortBufferBytes} of rows in memory and spills sorted runs beyond it. Files hold about
   * {@code rowsPerFile} rows each (the hash decides, not a count: an exact count per file needs a
   * global rank, which a sorted source can give but a shuffle cannot), and are numbered
   * consecutively per split from {@code firstBatch}.
   *
   * <p>Steps: SplitOfRow -> CountRows -> RowsPerSplit -> AssignFiles -> GroupFiles -> WriteFiles;
   * KeyErrors -> GroupErrors -> WriteErrors; AllFiles -> CollectFiles -> NameFiles -> WriteCard.
   * Emits the dataset's files at their final places, for {@link #publish()}, or nothing when the
   * run is over its error budget ({@link io.hfbeam.dataset.DatasetOptions#getMaxErrorRate()}) or
   * wrote no rows.
   */
  public static final class Write
      extends PTransform<PCollection<KV<String, Row>>, PCollection<WrittenFile>> {
    private final WriteSettings s;
    private final transient PCollection<Row> failures;

    private Write(WriteSettings s, PCollection<Row> failures) {
      this.s = s;
      this.failures = failures;
    }

    private Write with(java.util.function.Consumer<WriteSettings> change) {
      WriteSettings c = s.copy();
      change.accept(c);
      return new Write(c, failures);
    }

    /** The dataset folder (local). */
    public Write to(String dir) {
      return with(c -> c.output = Path.of(dir).toAbsolutePath().normalize().toString());
    }

    /** The features of the rows (required): the Parquet schema, the card's dataset_info. */
    public Write withFeatures(Features f) {
      return with(c -> c.featuresJson = f.toJson());
    }

    /** Parquet files written with these settings (the default: zstd, 128 MiB row groups). */
    public Write withParquet(ParquetSettings p) {
      return with(c -> c.parquet = p);
    }

    /** No Parquet files (then JSONL must be on). */
    public Write withoutParquet() {
      return with(c -> c.parquet = null);
    }

    /**
     * Also (or, without Parquet, only) JSONL files, named as the Parquet ones with a .jsonl
     * extension.
     */
    public Write withJsonl(boolean on) {
      return with(c -> c.jsonl = on);
    }

    /** File names ({@link FileNaming}); default {@code {split}/batch_{NNN}.parquet}. */
    public Write withFilePattern(String pattern) {
      FileNaming.of(pattern);
      return with(c -> c.pattern = pattern);
    }

    /** About how many rows a file holds (default 100,000). */
    public Write withRowsPerFile(long n) {
      if (n < 1) throw new IllegalArgumentException("rows per file must be >= 1, got " + n);
      return with(c -> c.rowsPerFile = n);
    }

    public Write withFirstBatch(int n) {
      if (n < 0) throw new IllegalArgumentException("first batch must be >= 0, got " + n);
      return with(c -> c.firstBatch = n);
    }

    /**
     * The order of rows: rows with the same key go to the same file, and a file's rows are sorted
     * by key (ties by the row's encoding). E.g. a game id and a zero-padded ply keep each game
     * together, in move order.
     */
    public Write withSortKey(SerializableFunction<Row, String> key) {
      return with(c -> c.sortKey = key);
    }

    /**
     * How many bytes of rows a file's sort (and the failures' sort) holds in memory; beyond that it
     * spills sorted runs under the staging folder and merges them (default 32 MiB). The files are
     * the same whatever the budget.
     */
    public Write withSortBufferBytes(long bytes) {
      if (bytes < 1)
        throw new IllegalArgumentException("sort buffer must be >= 1 byte, got " + bytes);
      return with(c -> c.sortBufferBytes = bytes);
    }

    /** Splits listed here come first in the card, in this order; others follow by name. */
    public Write withSplitOrder(List<String> order) {
      return with(c -> c.splitOrder = List.copyOf(order));
    }

    public Write withTitle(String title) {
      return with(c -> c.title = title);
    }

    public Write withDescription(String description) {
      return with(c -> c.description = description);
    }

    /** A section of the card ({@code ## heading}, then the markdown). */
    public Write withCardSection(String heading, String markdown) {
      return with(c -> c.sections.put(heading, markdown));
    }

    /**
     * Failure rows ({@link Failures#SCHEMA}) of the steps before, written to {@code
     * _errors/errors.jsonl}.
     */
    public Write withFailures(PCollection<Row> f) {
      return new Write(s, f);
    }

    @Override
    public PCollection<WrittenFile> expand(PCollection<KV<String, Row>> rows) {
      if (s.output == null)
        throw new IllegalArgumentException("HuggingFaceIO.write() needs to(dir)");
      if (s.featuresJson == null)
        throw new IllegalArgumentException("HuggingFaceIO.write() needs withFeatures(features)");
      if (s.parquet == null && !s.jsonl)
        throw new IllegalArgumentException("HuggingFaceIO.write() writes no format");
      Schema schema = s.features().beamSchema();
      @SuppressWarnings("unchecked")
      KvCoder<String, Row> in = (KvCoder<String, Row>) rows.getCoder();
      if (!(in.getValueCoder() instanceof SchemaCoder<Row> rc)
          || !rc.getSchema().equivalent(schema)) {
        throw new IllegalArgumentException(
            "the rows' schema is not the features' schema " + schema);
      }
      PCollectionView<Map<String, Long>> counts =
          rows.apply("SplitOfRow", org.apache.beam.sdk.transforms.Keys.create())
              .setCoder(StringUtf8Coder.of())
              // counted from the split names alone: a count over the rows would shuffle and sort
              // every row (Flink batch's combine sorts whole records, and a large row did not fit
              // its sort buffer)
              .apply("CountRows", Count.perElement())
              .apply("RowsPerSplit", View.asMap());
      PCollection<WrittenFile> data =
          rows.apply(
                  "AssignFiles", ParDo.of(new AssignFn(s, schema, counts)).withSideInputs(counts))
              .setCoder(
                  KvCoder.of(
                      KvCoder.of(StringUtf8Coder.of(), VarIntCoder.of()),
                      KvCoder.of(StringUtf8Coder.of(), ByteArrayCoder.of())))
              .apply("GroupFiles", GroupByKey.create())
              .apply("WriteFiles", ParDo.of(new WriteFileFn(s, schema)))
              .setCoder(SerializableCoder.of(WrittenFile.class));
      PCollectionList<WrittenFile> all = PCollectionList.of(data);
      if (failures != null) {
        all =
            all.and(
                failures
                    .apply(
                        "KeyErrors",
                        WithKeys.<String, Row>of("").withKeyType(TypeDescriptors.strings()))
                    .setCoder(KvCoder.of(StringUtf8Coder.of(), SchemaCoder.of(Failures.SCHEMA)))
                    .apply("GroupErrors", GroupByKey.create())
                    .apply("WriteErrors", ParDo.of(new WriteErrorsFn(s.output, s.sortBufferBytes)))
                    .setCoder(SerializableCoder.of(WrittenFile.class)));
      }
      return all.apply("AllFiles", Flatten.pCollections())
          .apply("CollectFiles", Combine.globally(new CollectList<WrittenFile>()))
          .apply("NameFiles", ParDo.of(new NameFn(s)))
          .setCoder(ListCoder.of(SerializableCoder.of(WrittenFile.class)))
          .apply("WriteCard", ParDo.of(AssembleDataset.finishFn(assembly(s))))
          .setCoder(SerializableCoder.of(WrittenFile.class));
    }
  }

  /** The settings of the card and commit step, shared with the workflows' assembly. */
  static AssembleDataset.Settings<Row> assembly(WriteSettings s) {
    FileNaming naming = FileNaming.of(s.pattern);
    AssembleDataset.Settings<Row> a =
        AssembleDataset.Settings.of(
                Path.of(s.output), new RowPartFormat(s.features(), s.parquet, s.jsonl))
            .parquetNaming(naming)
            .jsonlNaming(naming.withExtension("jsonl"))
            .splitOrder(s.splitOrder)
            .title(s.title)
            .description(s.description);
    s.sections.forEach(a::section);
    return a;
  }

  /** Where files wait, numbered by hash bucket, until {@link NameFn} gives them their names. */
  static final String BUCKETS = ".buckets";

  /**
   * Each row to its file: its split and a bucket of its sort key's hash; the row travels encoded.
   */
  static final class AssignFn
      extends DoFn<KV<String, Row>, KV<KV<String, Integer>, KV<String, byte[]>>> {
    private final WriteSettings s;
    private final SchemaCoder<Row> coder;
    private final PCollectionView<Map<String, Long>> counts;

    AssignFn(WriteSettings s, Schema schema, PCollectionView<Map<String, Long>> counts) {
      this.s = s;
      this.coder = SchemaCoder.of(schema);
      this.counts = counts;
    }

    @ProcessElement
    public void process(@Element KV<String, Row> e, ProcessContext c) throws IOException {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      coder.encode(e.getValue(), bytes);
      byte[] row = bytes.toByteArray();
      String key = s.sortKey == null ? "" : s.sortKey.apply(e.getValue());
      long n = c.sideInput(counts).get(e.getKey());
      long files = Math.max(1, (n + s.rowsPerFile - 1) / s.rowsPerFile);
      long h = s.sortKey == null ? hash(row) : hash(key.getBytes(StandardCharsets.UTF_8));
      int file = (int) Math.min(files - 1, (long) ((h >>> 11) * 0x1.0p-53 * files));
      c.output(KV.of(KV.of(e.getKey(), file), KV.of(key, row)));
    }
  }

  /** 64-bit FNV-1a finished with the splitmix64 mixer: stable across JVMs and runs. */
  static long hash(byte[] b) {
    long h = 0xcbf29ce484222325L;
    for (byte x : b) h = (h ^ (x & 0xff)) * 0x100000001b3L;
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    return h ^ (h >>> 31);
  }

  static final Comparator<KV<String, byte[]>> ORDER =
      Comparator.<KV<String, byte[]>, String>comparing(KV::getKey)
          .thenComparing(KV::getValue, Arrays::compareUnsigned);

  /**
   * A (sort key, encoded row) pair in a sort's run file: the key in UTF-8, then the row, each
   * length-prefixed. UTF-8 gives the key back exactly: it reached the sort through the shuffle's
   * UTF-8 coder, so it holds no lone surrogate.
   */
  static final ExternalSort.Codec<KV<String, byte[]>> ENTRIES =
      new ExternalSort.Codec<>() {
        @Override
        public void write(KV<String, byte[]> e, DataOutput out) throws IOException {
          writeUtf8(e.getKey(), out);
          out.writeInt(e.getValue().length);
          out.write(e.getValue());
        }

        @Override
        public KV<String, byte[]> read(DataInput in) throws IOException {
          String key = readUtf8(in);
          byte[] row = new byte[in.readInt()];
          in.readFully(row);
          return KV.of(key, row);
        }

        @Override
        public long bytes(KV<String, byte[]> e) {
          return ENTRY_OVERHEAD + 2L * e.getKey().length() + e.getValue().length;
        }
      };

  /**
   * The heap of a buffered pair beyond its key's chars and row's bytes: the KV, the String and the
   * two arrays' headers, the list's slot.
   */
  static final long ENTRY_OVERHEAD = 96;

  static void writeUtf8(String s, DataOutput out) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readUtf8(DataInput in) throws IOException {
    byte[] b = new byte[in.readInt()];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /**
   * Sorts one file's rows and writes them, Parquet and/or JSONL, under the staging folder's
   * buckets.
   */
  static final class WriteFileFn
      extends DoFn<KV<KV<String, Integer>, Iterable<KV<String, byte[]>>>, WrittenFile> {
    private final WriteSettings s;
    private final SchemaCoder<Row> coder;
    private final Counter spills = Metrics.counter("write", "sort_spills");

    WriteFileFn(WriteSettings s, Schema schema) {
      this.s = s;
      this.coder = SchemaCoder.of(schema);
    }

    @ProcessElement
    public void process(
        @Element KV<KV<String, Integer>, Iterable<KV<String, byte[]>>> file,
        OutputReceiver<WrittenFile> out)
        throws IOException {
      String split = file.getKey().getKey();
      Features f = s.features();
      // the split name in hex: any name is a safe folder name, and two names never share one
      String rel =
          BUCKETS
              + "/"
              + java.util.HexFormat.of().formatHex(split.getBytes(StandardCharsets.UTF_8))
              + "/"
              + file.getKey().getValue();
      Path base = StagedDataset.stagingDir(Path.of(s.output)).resolve(rel);
      try (ExternalSort<KV<String, byte[]>> rows =
          new ExternalSort<>(Path.of(base + ".runs"), s.sortBufferBytes, ORDER, ENTRIES)) {
        for (KV<String, byte[]> r : file.getValue()) rows.add(r);
        if (rows.spills() > 0)
          spills.inc(rows.spills()); // the summary notes it only when it happened
        // a spilled sort is merged once per format: simpler than two writers in step, and the
        // runs are read again only when both formats are on
        long[] arrow = {0};
        if (s.parquet != null) {
          Path target = Path.of(base + ".parquet");
          AtomicFiles.write(
              target,
              tmp -> {
                try (HfParquetWriter w = HfParquetWriter.create(tmp, f, s.parquet);
                    ExternalSort.Sorted<KV<String, byte[]>> it = rows.sorted()) {
                  while (it.hasNext()) {
                    Row row = decode(it.next().getValue());
                    w.write(row);
                    arrow[0] += f.arrowBytes(row);
                  }
                }
              });
          out.output(
              new WrittenFile(
                  split,
                  rel + ".parquet",
                  target.toString(),
                  rows.count(),
                  Files.size(target),
                  arrow[0]));
        }
        if (s.jsonl) {
          Path target = Path.of(base + ".jsonl");
          long[] jsonArrow = {0};
          AtomicFiles.write(
              target,
              tmp -> {
                try (JsonlRowWriter w =
                        new JsonlRowWriter(
                            new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16), f);
                    ExternalSort.Sorted<KV<String, byte[]>> it = rows.sorted()) {
                  while (it.hasNext()) {
                    Row row = decode(it.next().getValue());
                    w.write(row);
                    if (s.parquet == null) jsonArrow[0] += f.arrowBytes(row);
                  }
                }
              });
          out.output(
              new WrittenFile(
                  split,
                  rel + ".jsonl",
                  target.toString(),
                  rows.count(),
                  Files.size(target),
                  s.parquet == null ? jsonArrow[0] : arrow[0]));
        }
      }
    }

    private Row decode(byte[] bytes) {
      try {
        return coder.decode(new ByteArrayInputStream(bytes));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /**
   * The failures, in file order (source, offset, line, record, then the whole line), as {@code
   * _errors/errors.jsonl}.
   */
  static final class WriteErrorsFn extends DoFn<KV<String, Iterable<Row>>, WrittenFile> {
    private final String output;
    private final long sortBufferBytes;

    WriteErrorsFn(String output, long sortBufferBytes) {
      this.output = output;
      this.sortBufferBytes = sortBufferBytes;
    }

    @ProcessElement
    public void process(@Element KV<String, Iterable<Row>> errors, OutputReceiver<WrittenFile> out)
        throws IOException {
      Features f = Features.fromBeamSchema(Failures.SCHEMA);
      Path target = StagedDataset.stagingDir(Path.of(output)).resolve(DatasetFiles.ERRORS_FILE);
      try (ExternalSort<ErrorLine> lines =
          new ExternalSort<>(
              target.resolveSibling(".errors.runs"),
              sortBufferBytes,
              ErrorLine.ORDER,
              ErrorLine.CODEC)) {
        for (Row r : errors.getValue()) lines.add(ErrorLine.of(r, f));
        // the line as JsonlRowWriter writes the row: toJsonLine is its line without the \n, and
        // always valid UTF-8 (a lone surrogate is already a '?')
        AtomicFiles.write(
            target,
            tmp -> {
              try (OutputStream w = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                  ExternalSort.Sorted<ErrorLine> it = lines.sorted()) {
                while (it.hasNext()) {
                  w.write(it.next().json().getBytes(StandardCharsets.UTF_8));
                  w.write('\n');
                }
              }
            });
        out.output(
            new WrittenFile(
                null,
                DatasetFiles.ERRORS_FILE,
                target.toString(),
                lines.count(),
                Files.size(target),
                0));
      }
    }
  }

  /**
   * A failure's place in the input (its sort key) and its JSON line; in a run file its strings are
   * UTF-8, exact for the same reason as the rows' keys (the failures came through the shuffle).
   */
  record ErrorLine(String source, Long offset, Long line, Long record, String json) {
    static ErrorLine of(Row r, Features f) {
      return new ErrorLine(
          r.getString("source"),
          r.getInt64("offset"),
          r.getInt64("line"),
          r.getInt64("record"),
          JsonlRowWriter.toJsonLine(r, f));
    }

    /** File order: source, offset, line, record (nulls first), then the whole line. */
    static final Comparator<ErrorLine> ORDER =
        Comparator.comparing(
                ErrorLine::source, Comparator.nullsFirst(Comparator.<String>naturalOrder()))
            .thenComparing(
                ErrorLine::offset, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
            .thenComparing(ErrorLine::line, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
            .thenComparing(
                ErrorLine::record, Comparator.nullsFirst(Comparator.<Long>naturalOrder()))
            .thenComparing(ErrorLine::json);

    static final ExternalSort.Codec<ErrorLine> CODEC =
        new ExternalSort.Codec<>() {
          @Override
          public void write(ErrorLine e, DataOutput out) throws IOException {
            out.writeBoolean(e.source != null);
            if (e.source != null) writeUtf8(e.source, out);
            for (Long n : new Long[] {e.offset, e.line, e.record}) {
              out.writeBoolean(n != null);
              if (n != null) out.writeLong(n);
            }
            writeUtf8(e.json, out);
          }

          @Override
          public ErrorLine read(DataInput in) throws IOException {
            String source = in.readBoolean() ? readUtf8(in) : null;
            Long offset = in.readBoolean() ? in.readLong() : null;
            Long line = in.readBoolean() ? in.readLong() : null;
            Long record = in.readBoolean() ? in.readLong() : null;
            return new ErrorLine(source, offset, line, record, readUtf8(in));
          }

          @Override
          public long bytes(ErrorLine e) {
            int chars = e.json.length() + (e.source == null ? 0 : e.source.length());
            return ENTRY_OVERHEAD + 3 * 24 + 2L * chars;
          }
        };
  }

  /**
   * Gives each split's files their names, numbered consecutively in bucket order, and moves them
   * there in staging.
   */
  static final class NameFn extends DoFn<List<WrittenFile>, List<WrittenFile>> {
    private final WriteSettings s;

    NameFn(WriteSettings s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element List<WrittenFile> files, OutputReceiver<List<WrittenFile>> out)
        throws IOException {
      FileNaming parquet = FileNaming.of(s.pattern);
      FileNaming jsonl = parquet.withExtension("jsonl");
      Path staging = StagedDataset.stagingDir(Path.of(s.output));
      Map<String, TreeMap<Integer, List<WrittenFile>>> bySplit = new TreeMap<>();
      List<WrittenFile> named = new ArrayList<>();
      for (WrittenFile f : files) {
        if (f.split() == null) {
          named.add(f);
          continue;
        }
        String name = Path.of(f.path()).getFileName().toString();
        int bucket = Integer.parseInt(name.substring(0, name.indexOf('.')));
        bySplit
            .computeIfAbsent(f.split(), k -> new TreeMap<>())
            .computeIfAbsent(bucket, k -> new ArrayList<>())
            .add(f);
      }
      for (Map.Entry<String, TreeMap<Integer, List<WrittenFile>>> e : bySplit.entrySet()) {
        int count = e.getValue().size();
        int index = 0;
        for (List<WrittenFile> formats : e.getValue().values()) {
          for (WrittenFile f : formats) {
            FileNaming naming = f.path().endsWith(".jsonl") ? jsonl : parquet;
            String rel = naming.name(e.getKey(), s.firstBatch + index, index, count);
            Path target = staging.resolve(rel);
            Files.createDirectories(target.getParent());
            Files.move(
                Path.of(f.localPath()),
                target,
                StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
            named.add(
                new WrittenFile(
                    f.split(), rel, target.toString(), f.rows(), f.bytes(), f.arrowBytes()));
          }
          index++;
        }
      }
      out.output(named);
    }
  }

  /**
   * The Hub publish step: commits exactly the files a dataset sink emitted to a Hub dataset repo,
   * in batched, idempotent commits ({@link HubPublish}: files the Hub already has are not uploaded
   * again, and a commit with nothing new is not made). The client reads HF_ENDPOINT and HF_TOKEN
   * where the step runs unless {@link #withClient} says otherwise.
   */
  public static final class Publish
      extends PTransform<PCollection<WrittenFile>, PCollection<PublishedCommit>> {
    private final String repo;
    private final String revision;
    private final boolean isPrivate;
    private final boolean includeErrors;
    private final int maxFilesPerCommit;
    private final String pathPrefix;
    private final boolean createPr;
    private final HubClient.Settings client;

    private Publish(
        String repo,
        String revision,
        boolean isPrivate,
        boolean includeErrors,
        int maxFilesPerCommit,
        String pathPrefix,
        boolean createPr,
        HubClient.Settings client) {
      this.repo = repo;
      this.revision = revision;
      this.isPrivate = isPrivate;
      this.includeErrors = includeErrors;
      this.maxFilesPerCommit = maxFilesPerCommit;
      this.pathPrefix = pathPrefix;
      this.createPr = createPr;
      this.client = client;
    }

    /** The dataset repo, {@code owner/name}. */
    public Publish to(String repoId) {
      return new Publish(
          repoId,
          revision,
          isPrivate,
          includeErrors,
          maxFilesPerCommit,
          pathPrefix,
          createPr,
          client);
    }

    public Publish withRevision(String branch) {
      return new Publish(
          repo, branch, isPrivate, includeErrors, maxFilesPerCommit, pathPrefix, createPr, client);
    }

    /** Visibility when the repo has to be created. */
    public Publish withPrivateRepo(boolean p) {
      return new Publish(
          repo, revision, p, includeErrors, maxFilesPerCommit, pathPrefix, createPr, client);
    }

    /**
     * Also publish {@code _errors/} (off by default: failed records may hold data nobody meant to
     * share).
     */
    public Publish withErrors(boolean include) {
      return new Publish(
          repo, revision, isPrivate, include, maxFilesPerCommit, pathPrefix, createPr, client);
    }

    public Publish withMaxFilesPerCommit(int n) {
      return new Publish(repo, revision, isPrivate, includeErrors, n, pathPrefix, createPr, client);
    }

    /** A folder of the repo to publish into. */
    public Publish withPathPrefix(String folder) {
      return new Publish(
          repo, revision, isPrivate, includeErrors, maxFilesPerCommit, folder, createPr, client);
    }

    /** Opens a pull request instead of committing to the branch. */
    public Publish withPullRequest(boolean pr) {
      return new Publish(
          repo, revision, isPrivate, includeErrors, maxFilesPerCommit, pathPrefix, pr, client);
    }

    public Publish withClient(HubClient.Settings c) {
      return new Publish(
          repo, revision, isPrivate, includeErrors, maxFilesPerCommit, pathPrefix, createPr, c);
    }

    @Override
    public PCollection<PublishedCommit> expand(PCollection<WrittenFile> files) {
      if (repo == null)
        throw new IllegalArgumentException("HuggingFaceIO.publish() needs to(\"owner/name\")");
      HubPublish.Builder b =
          HubPublish.to(repo)
              .revision(revision)
              .privateRepo(isPrivate)
              .includeErrors(includeErrors)
              .maxFilesPerCommit(maxFilesPerCommit)
              .pathPrefix(pathPrefix)
              .createPr(createPr);
      if (client != null) b.client(client);
      return files.apply("Publish", b.build());
    }
  }

  /**
   * Reads a Hugging Face dataset. The dataset, config, split and columns are resolved when the
   * pipeline is built (a missing one fails then, naming what exists); the work is split into units
   * (Parquet row groups, byte ranges of JSON Lines and text, whole files otherwise) spread over the
   * workers, each holding at most one row group or one record at a time. A record that cannot be
   * read goes to the bad-record handler ({@link #withBadRecordErrorHandler}) with its file and
   * position; without one, it fails the pipeline, naming them.
   */
  public static final class Read extends PTransform<PBegin, PCollection<Row>> {
    private final ReadSpec spec;
    private final ErrorHandler<BadRecord, ?> badRecords;

    private Read(ReadSpec spec, ErrorHandler<BadRecord, ?> badRecords) {
      this.spec = spec;
      this.badRecords = badRecords;
    }

    /** {@code hf://datasets/owner/name[@revision]}, {@code owner/name}, or a local directory. */
    public Read from(String dataset) {
      return new Read(spec.withDataset(dataset), badRecords);
    }

    /** A branch, tag or commit (e.g. {@code refs/convert/parquet}); default {@code main}. */
    public Read withRevision(String revision) {
      return new Read(spec.withRevision(revision), badRecords);
    }

    /** The config; default: the dataset's default config. */
    public Read withConfig(String config) {
      return new Read(spec.withConfig(config), badRecords);
    }

    /** The split; default: every split, in the config's order. */
    public Read withSplit(String split) {
      return new Read(spec.withSplit(split), badRecords);
    }

    /** Only these columns (Parquet fetches only their column chunks). */
    public Read withColumns(String... columns) {
      return new Read(spec.withColumns(List.of(columns)), badRecords);
    }

    /**
     * Streams Hub files with range requests (default), or downloads each once into the shared
     * Hugging Face cache and reads it there ({@code false}).
     */
    public Read withStreaming(boolean streaming) {
      return new Read(spec.withStreaming(streaming), badRecords);
    }

    /** Byte-range size for splitting line-based files (default 64 MiB). */
    public Read withUnitBytes(long bytes) {
      return new Read(spec.withUnitBytes(bytes), badRecords);
    }

    /**
     * Decodes top-level Image columns into {@code {width, height, mode, pixels}} as Pillow gives
     * them ({@code io.hfbeam.source.Images}); an image that does not decode is a bad record.
     */
    public Read withDecodeImages(boolean decode) {
      return new Read(spec.withDecodeImages(decode), badRecords);
    }

    /** How to reach the Hub; default HF_ENDPOINT and the token where each step runs. */
    public Read withClient(HubClient.Settings hub) {
      return new Read(spec.withHub(hub), badRecords);
    }

    /** Where records that cannot be read go, as Beam's bad records (file and position, reason). */
    public Read withBadRecordErrorHandler(ErrorHandler<BadRecord, ?> handler) {
      return new Read(spec, handler);
    }

    public ReadSpec spec() {
      return spec;
    }

    /** Resolves the read as {@link #expand} will (for a caller that needs the schema first). */
    public ReadPlan plan() {
      if (spec.dataset() == null) {
        throw new IllegalArgumentException("HuggingFaceIO.read() needs from(dataset)");
      }
      try {
        return HfDataset.open(spec).plan(spec);
      } catch (IOException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
    }

    @Override
    public PCollection<Row> expand(PBegin input) {
      ReadPlan plan = plan();
      Schema schema = plan.selected().beamSchema();
      TupleTag<Row> rows = new TupleTag<>() {};
      BadRecordRouter router =
          badRecords == null ? BadRecordRouter.THROWING_ROUTER : BadRecordRouter.RECORDING_ROUTER;
      PCollectionTuple out =
          input
              .apply(
                  "Units", Create.of(plan.units()).withCoder(SerializableCoder.of(ReadUnit.class)))
              .apply("Spread", Reshuffle.viaRandomKey())
              .apply(
                  "ReadUnits",
                  ParDo.of(new ReadUnitFn(plan, rows, router))
                      .withOutputTags(rows, TupleTagList.of(BadRecordRouter.BAD_RECORD_TAG)));
      PCollection<BadRecord> bad =
          out.get(BadRecordRouter.BAD_RECORD_TAG).setCoder(BadRecord.getCoder(input.getPipeline()));
      if (badRecords != null) badRecords.addErrorCollection(bad);
      return out.get(rows).setRowSchema(schema);
    }
  }

  /** Reads one unit: its rows to the main output, its unreadable records to the bad records. */
  static final class ReadUnitFn extends DoFn<ReadUnit, Row> {
    private final ReadPlan plan;
    private final TupleTag<Row> rows;
    private final BadRecordRouter router;
    private final Counter rowsOut = Metrics.counter("read", "rows_out");
    private final Counter failed = Metrics.counter("read", "records_failed");

    ReadUnitFn(ReadPlan plan, TupleTag<Row> rows, BadRecordRouter router) {
      this.plan = plan;
      this.rows = rows;
      this.router = router;
    }

    @ProcessElement
    public void process(@Element ReadUnit unit, MultiOutputReceiver out) throws Exception {
      List<Exception> routeErrors = new ArrayList<>();
      RowSink sink =
          new RowSink() {
            @Override
            public void row(Row row) {
              out.get(rows).output(row);
              rowsOut.inc();
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              failed.inc();
              try {
                router.route(
                    out,
                    excerpt,
                    StringUtf8Coder.of(),
                    new IOException(where + ": " + reason),
                    where + ": " + reason);
              } catch (Exception e) {
                routeErrors.add(e);
                throw new UncheckedIOException(new IOException(e.getMessage(), e));
              }
            }
          };
      try {
        plan.read(unit, sink);
      } catch (IOException | RuntimeException e) {
        if (!routeErrors.isEmpty()) throw routeErrors.get(0);
        // the unit stops here; rows it gave stay given, the rest of it is one bad record
        String reason = e.getMessage() != null ? e.getMessage() : e.toString();
        failed.inc();
        router.route(
            out, "", StringUtf8Coder.of(), e, unit.where() + ": " + reason.replaceAll("\\s+", " "));
      }
    }
  }
}
