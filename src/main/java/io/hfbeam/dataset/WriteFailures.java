package io.hfbeam.dataset;

import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.state.BagState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * Writes the failures of {@link ProcessChunks} as error parts, one per chunk that had failures,
 * which {@link AssembleDataset} and {@link AssemblePanes} merge into {@code _errors/errors.jsonl}
 * (chunk order, then emission order, lines counted from the file's start). A chunk's failures are
 * collected in keyed state until its last one is in, so the part is written once and complete, in
 * batch and in streaming alike (no trigger involved); a chunk seen again (a restored Flink job may
 * replay one) is dropped, as its data parts are. The records never pass here: a run without
 * failures sends nothing through this step. In streaming an error part reaches {@link
 * AssemblePanes} one keyed hop after its chunk's data parts, so a pane that fires in between puts
 * the chunk's failures in the next pane's errors file.
 *
 * <p>Steps: KeyByChunk -> WriteChunkFailures.
 */
public final class WriteFailures extends PTransform<PCollection<ChunkFailure>, PCollection<Part>> {
  private final String partsDir;

  private WriteFailures(String partsDir) {
    this.partsDir = partsDir;
  }

  /** Error parts go to {@code partsDir/errors/<chunk>.jsonl}. */
  public static WriteFailures to(Path partsDir) {
    return new WriteFailures(partsDir.toAbsolutePath().normalize().toString());
  }

  /** The chunks' parts together with the error parts of their failures: what assembly takes. */
  public static WithParts withParts(Path partsDir) {
    return new WithParts(to(partsDir));
  }

  @Override
  public PCollection<Part> expand(PCollection<ChunkFailure> failures) {
    return failures
        .apply(
            "KeyByChunk",
            WithKeys.<Long, ChunkFailure>of(ChunkFailure::chunk)
                .withKeyType(TypeDescriptors.longs()))
        .setCoder(KvCoder.of(VarLongCoder.of(), ChunkFailure.CODER))
        .apply("WriteChunkFailures", ParDo.of(new WriteFn(partsDir)))
        .setCoder(SerializableCoder.of(Part.class));
  }

  /** Steps: WriteFailures -> PartsAndErrors. */
  public static final class WithParts extends PTransform<ProcessChunks.Result, PCollection<Part>> {
    private final WriteFailures write;

    private WithParts(WriteFailures write) {
      this.write = write;
    }

    @Override
    public PCollection<Part> expand(ProcessChunks.Result result) {
      PCollection<Part> errors = result.failures().apply("WriteFailures", write);
      return PCollectionList.of(result.parts())
          .and(errors)
          .apply("PartsAndErrors", Flatten.pCollections());
    }
  }

  static final class WriteFn extends DoFn<KV<Long, ChunkFailure>, Part> {
    private final String partsDir;

    @StateId("failures")
    private final StateSpec<BagState<ChunkFailure>> failuresSpec =
        StateSpecs.bag(ChunkFailure.CODER);

    /** How many the chunk had (known once its last failure is in). */
    @StateId("count")
    private final StateSpec<ValueState<Long>> countSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("received")
    private final StateSpec<ValueState<Long>> receivedSpec = StateSpecs.value(VarLongCoder.of());

    @StateId("done")
    private final StateSpec<ValueState<Boolean>> doneSpec = StateSpecs.value(BooleanCoder.of());

    WriteFn(String partsDir) {
      this.partsDir = partsDir;
    }

    @ProcessElement
    public void process(
        @Element KV<Long, ChunkFailure> element,
        @StateId("failures") BagState<ChunkFailure> failures,
        @StateId("count") ValueState<Long> count,
        @StateId("received") ValueState<Long> received,
        @StateId("done") ValueState<Boolean> done,
        OutputReceiver<Part> out)
        throws IOException {
      if (done.read() != null) return;
      ChunkFailure f = element.getValue();
      failures.add(f);
      long got = (received.read() == null ? 0 : received.read()) + 1;
      received.write(got);
      if (f.last()) count.write(f.index() + 1);
      Long n = count.read();
      if (n == null || got < n) return;
      // a replayed chunk may have sent some failures twice: the same index is the same failure
      Map<Long, Row> byIndex = new TreeMap<>();
      for (ChunkFailure c : failures.read()) byIndex.putIfAbsent(c.index(), c.failure());
      if (byIndex.size() < n) return;
      out.output(write(f.chunk(), byIndex));
      failures.clear();
      count.clear();
      received.clear();
      done.write(true);
    }

    /**
     * Writes the part under a hidden name, then moves it into place: a reader never sees half of
     * it.
     */
    private Part write(long chunk, Map<Long, Row> rows) throws IOException {
      Path dir = Path.of(partsDir).resolve(Part.ERRORS);
      Files.createDirectories(dir);
      Path base = dir.resolve(Long.toString(chunk));
      Path tmp = dir.resolve(".tmp-" + chunk + "-" + UUID.randomUUID());
      try (JsonlRowWriter w =
          new JsonlRowWriter(
              new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16),
              Features.fromBeamSchema(Failures.SCHEMA))) {
        for (Row r : rows.values()) w.write(r);
      }
      Files.move(
          tmp,
          Path.of(base + ".jsonl"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      return new Part(Part.ERRORS, "errors", chunk, rows.size(), 0, base.toString(), 0, 0);
    }
  }
}
