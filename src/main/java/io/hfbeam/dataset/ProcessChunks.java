package io.hfbeam.dataset;

import io.hfbeam.format.files.Directories;
import io.hfbeam.format.files.InputFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PInput;
import org.apache.beam.sdk.values.POutput;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Processes input chunks in parallel: each chunk runs through the workflow's {@link ChunkProcessor}
 * and its records are written straight into part files, one per split, in input order. Records
 * never cross a shuffle, which is what keeps throughput close to a plain loop; only small {@link
 * Part} descriptions flow on. Failures go to their own output ({@link #FAILURES}, dead-letter
 * style), which {@link WriteFailures} turns into error parts.
 */
public final class ProcessChunks<T> extends PTransform<PBegin, ProcessChunks.Result> {
  /** The parts written (data parts per split and a statistics part per chunk). */
  public static final TupleTag<Part> PARTS = new TupleTag<>() {};

  /**
   * The chunks' failure records, each with its chunk and place, in emission order within a chunk.
   */
  public static final TupleTag<ChunkFailure> FAILURES = new TupleTag<>() {};

  /** The two outputs of chunk processing, like Beam's {@code WriteResult}. */
  public static final class Result implements PInput, POutput {
    private final Pipeline pipeline;
    private final PCollection<Part> parts;
    private final PCollection<ChunkFailure> failures;

    Result(PCollectionTuple outputs) {
      this.pipeline = outputs.getPipeline();
      this.parts = outputs.get(PARTS);
      this.failures = outputs.get(FAILURES);
    }

    public PCollection<Part> parts() {
      return parts;
    }

    public PCollection<ChunkFailure> failures() {
      return failures;
    }

    @Override
    public Pipeline getPipeline() {
      return pipeline;
    }

    @Override
    public java.util.Map<TupleTag<?>, PValue> expand() {
      return java.util.Map.of(PARTS, parts, FAILURES, failures);
    }

    public <OutputT extends POutput> OutputT apply(PTransform<? super Result, OutputT> t) {
      return Pipeline.applyTransform(this, t);
    }

    public <OutputT extends POutput> OutputT apply(
        String name, PTransform<? super Result, OutputT> t) {
      return Pipeline.applyTransform(name, this, t);
    }

    @Override
    public void finishSpecifyingOutput(
        String transformName, PInput input, PTransform<?, ?> transform) {}
  }

  private final List<InputFiles.Chunk> chunks;
  private final ToParts<T> toParts;

  private ProcessChunks(List<InputFiles.Chunk> chunks, ToParts<T> toParts) {
    this.chunks = chunks;
    this.toParts = toParts;
  }

  /**
   * @param recordIndex also write, per part, each record's index among all the chunk's records
   *     (needed when batches are counted before the split)
   */
  public static <T> ProcessChunks<T> of(
      List<InputFiles.Chunk> chunks,
      ChunkProcessor<T> processor,
      PartFormat<T> format,
      Path partsDir,
      boolean recordIndex) {
    return new ProcessChunks<>(chunks, toParts(processor, format, partsDir, recordIndex));
  }

  @Override
  public Result expand(PBegin input) {
    return input
        .apply(
            "PlanChunks", Create.of(chunks).withCoder(SerializableCoder.of(InputFiles.Chunk.class)))
        .apply("ToParts", toParts);
  }

  /**
   * The processing of chunks from any source, bounded or not (a watched directory): chunks in,
   * parts out.
   */
  public static <T> ToParts<T> toParts(
      ChunkProcessor<T> processor, PartFormat<T> format, Path partsDir, boolean recordIndex) {
    return new ToParts<>(
        processor, format, partsDir.toAbsolutePath().normalize().toString(), recordIndex);
  }

  /**
   * Steps: KeyByChunk -> DropSeenChunks -> SpreadChunks -> Process. SpreadChunks deals the chunks
   * out evenly (Flink translates a reshuffle to a round-robin rebalance): the keyed step alone
   * hashes chunk ids to workers, which can give one worker most of the input while another sits
   * idle.
   */
  public static final class ToParts<T> extends PTransform<PCollection<InputFiles.Chunk>, Result> {
    private final ChunkProcessor<T> processor;
    private final PartFormat<T> format;
    private final String partsDir;
    private final boolean recordIndex;

    ToParts(
        ChunkProcessor<T> processor, PartFormat<T> format, String partsDir, boolean recordIndex) {
      this.processor = processor;
      this.format = format;
      this.partsDir = partsDir;
      this.recordIndex = recordIndex;
    }

    @Override
    public Result expand(PCollection<InputFiles.Chunk> chunks) {
      PCollectionTuple outputs =
          chunks
              .apply(
                  "KeyByChunk",
                  WithKeys.<Long, InputFiles.Chunk>of(InputFiles.Chunk::id)
                      .withKeyType(TypeDescriptors.longs()))
              .setCoder(KvCoder.of(VarLongCoder.of(), SerializableCoder.of(InputFiles.Chunk.class)))
              .apply("DropSeenChunks", ParDo.of(new DropSeenFn()))
              .setCoder(SerializableCoder.of(InputFiles.Chunk.class))
              .apply("SpreadChunks", Reshuffle.viaRandomKey())
              .apply(
                  "Process",
                  ParDo.of(new ProcessFn<>(processor, format, partsDir, recordIndex))
                      .withOutputTags(PARTS, TupleTagList.of(FAILURES)));
      outputs.get(PARTS).setCoder(SerializableCoder.of(Part.class));
      outputs.get(FAILURES).setCoder(ChunkFailure.CODER);
      return new Result(outputs);
    }
  }

  /**
   * Passes each chunk on once, keyed by chunk so chunks spread over the workers and a chunk is only
   * ever processed by one of them. Why it matters on Flink: Beam 2.62's Flink source re-emits a
   * bounded input from the start when a job is restored (its split enumerator re-assigns every
   * split). The chunks a checkpoint did not cover come back from the checkpoint itself (the
   * reader's unfinished splits, and the in-flight chunks that unaligned checkpoints store); the
   * re-emitted copies are dropped here, by this state where the checkpoint has it, and otherwise by
   * Beam as late data (they arrive after the source's final watermark: the run summary counts them
   * as restore.replayed_inputs_dropped). A copy that still got through would only rewrite identical
   * parts, which the plan counts once.
   */
  static final class DropSeenFn extends DoFn<KV<Long, InputFiles.Chunk>, InputFiles.Chunk> {
    @StateId("seen")
    private final StateSpec<ValueState<Boolean>> seenSpec = StateSpecs.value(BooleanCoder.of());

    @ProcessElement
    public void process(
        @Element KV<Long, InputFiles.Chunk> chunk,
        @StateId("seen") ValueState<Boolean> seen,
        OutputReceiver<InputFiles.Chunk> out) {
      if (seen.read() != null) return;
      seen.write(true);
      out.output(chunk.getValue());
    }
  }

  static final class ProcessFn<T> extends DoFn<InputFiles.Chunk, Part> {
    private final ChunkProcessor<T> processor;
    private final PartFormat<T> format;
    private final String partsDir;
    private final boolean recordIndex;
    private final Counter records = Metrics.counter("write", "records_out");
    private final Counter failed = Metrics.counter("write", "failures_out");
    private final Counter bytesIn = Metrics.counter("read", "bytes_in");

    ProcessFn(
        ChunkProcessor<T> processor, PartFormat<T> format, String partsDir, boolean recordIndex) {
      this.processor = processor;
      this.format = format;
      this.partsDir = partsDir;
      this.recordIndex = recordIndex;
    }

    @ProcessElement
    public void process(@Element InputFiles.Chunk chunk, MultiOutputReceiver out)
        throws IOException {
      // Written in a private staging folder, then moved into place: a chunk processed twice (a
      // restored Flink job may see a chunk again) never leaves a half-written or interleaved part
      // under the final name.
      Path staging =
          Path.of(partsDir)
              .resolve(".staging")
              .resolve(chunk.id() + "-" + java.util.UUID.randomUUID());
      OutputReceiver<ChunkFailure> failures = out.get(FAILURES);
      ChunkOutput<T> o =
          new ChunkOutput<>(format, staging, chunk.id(), recordIndex, failures::output);
      long lines;
      try {
        lines = processor.process(chunk, o);
      } finally {
        o.close();
      }
      o.flushFailures();
      o.moveTo(Path.of(partsDir));
      records.inc(o.total);
      failed.inc(o.failures);
      long bytes = chunk.end() >= 0 ? chunk.end() - chunk.start() : Files.size(chunk.file());
      bytesIn.inc(bytes);
      OutputReceiver<Part> parts = out.get(PARTS);
      for (Part p : o.parts()) parts.output(p);
      parts.output(new Part(Part.DATA, null, chunk.id(), 0, 0, null, o.total, lines));
    }
  }

  /** The emitter of one chunk: opens a part per split on first use. */
  static final class ChunkOutput<T> implements ChunkProcessor.Emitter<T> {
    private final PartFormat<T> format;
    private final Path dir;
    private final long chunk;
    private final boolean recordIndex;
    private final Map<String, Open<T>> open = new LinkedHashMap<>();
    private final java.util.function.Consumer<ChunkFailure> failureOut;

    /**
     * Each failure goes out when the next one comes (or the chunk ends), so the last one can say it
     * is last.
     */
    private ChunkFailure pending;

    long total;
    long failures;

    ChunkOutput(
        PartFormat<T> format,
        Path dir,
        long chunk,
        boolean recordIndex,
        java.util.function.Consumer<ChunkFailure> failureOut) {
      this.format = format;
      this.dir = dir;
      this.chunk = chunk;
      this.recordIndex = recordIndex;
      this.failureOut = failureOut;
    }

    private static final class Open<T> implements Serializable {
      transient PartFormat.Writer<T> writer;
      transient IndexWriter index;
      Path base;
      long rows;
    }

    @Override
    public void record(String split, T record) {
      try {
        Open<T> o = open.get(split);
        if (o == null) {
          o = new Open<>();
          Path sub = dir.resolve(Part.DATA).resolve(safe(split));
          Files.createDirectories(sub);
          o.base = sub.resolve(Long.toString(chunk));
          o.writer = format.open(o.base);
          if (recordIndex) {
            o.index = new IndexWriter(Files.newOutputStream(Path.of(o.base + ".idx")));
          }
          open.put(split, o);
        }
        o.writer.write(record);
        if (o.index != null) o.index.add((int) total);
        o.rows++;
        total++;
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public void failure(Row failure) {
      if (pending != null) failureOut.accept(pending);
      pending = new ChunkFailure(chunk, failures++, false, failure);
    }

    /** Sends the chunk's last failure, marked as last (call once the chunk is processed). */
    void flushFailures() {
      if (pending != null)
        failureOut.accept(new ChunkFailure(chunk, pending.index(), true, pending.failure()));
      pending = null;
    }

    /** The parts, under their final names in {@code partsDir} (call after {@link #moveTo}). */
    List<Part> parts() {
      List<Part> out = new ArrayList<>();
      open.forEach(
          (split, o) ->
              out.add(
                  new Part(Part.DATA, split, chunk, o.rows, arrow(o), finalName(o.base), 0, 0)));
      return out;
    }

    private Path target;

    private String finalName(Path staged) {
      return target.resolve(dir.relativize(staged)).toString();
    }

    /**
     * Moves every file written (closed) into the same place under {@code partsDir}, each
     * atomically.
     */
    void moveTo(Path partsDir) throws IOException {
      target = partsDir;
      if (!Files.exists(dir)) return;
      try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Path to = partsDir.resolve(dir.relativize(f));
          Files.createDirectories(to.getParent());
          Files.move(
              f,
              to,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
      }
      Directories.deleteTree(dir);
    }

    private long arrow(Open<T> o) {
      return o.writer.arrowBytes();
    }

    void close() throws IOException {
      for (Open<T> o : open.values()) {
        o.writer.close();
        if (o.index != null) o.index.close();
      }
    }
  }

  /**
   * A part's record indices, big-endian ints, written in blocks (writeInt per record was 4
   * synchronized calls).
   */
  static final class IndexWriter implements java.io.Closeable {
    private final OutputStream out;
    private final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(1 << 16);

    IndexWriter(OutputStream out) {
      this.out = out;
    }

    void add(int index) throws IOException {
      if (!buffer.hasRemaining()) flush();
      buffer.putInt(index);
    }

    private void flush() throws IOException {
      out.write(buffer.array(), 0, buffer.position());
      buffer.clear();
    }

    @Override
    public void close() throws IOException {
      flush();
      out.close();
    }
  }

  static String safe(String split) {
    return split.replaceAll("[^A-Za-z0-9_.-]", "_");
  }
}
