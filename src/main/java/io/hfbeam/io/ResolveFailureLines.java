package io.hfbeam.io;

import io.hfbeam.transform.RecordKey;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.Row;

/**
 * Gives line-based failures their 1-based line number in the file. Readers only know a line's place inside its
 * chunk; the line counts of the chunks before it (a small side input) complete the number. Failures are then
 * numbered for the errors file: split {@code errors}, batch 1, in input order.
 */
public final class ResolveFailureLines
    extends PTransform<PCollection<KV<RecordKey, Row>>, PCollection<KV<RecordKey, Row>>> {
  public static final String SPLIT = "errors";
  private final PCollection<KV<Long, Long>> chunkLines;

  private ResolveFailureLines(PCollection<KV<Long, Long>> chunkLines) {
    this.chunkLines = chunkLines;
  }

  /** {@code chunkLines}: (chunk id, lines in chunk) from the reader; may be null for sources without lines. */
  public static ResolveFailureLines using(PCollection<KV<Long, Long>> chunkLines) {
    return new ResolveFailureLines(chunkLines);
  }

  @Override
  public PCollection<KV<RecordKey, Row>> expand(PCollection<KV<RecordKey, Row>> failures) {
    PCollectionView<Map<Long, Long>> view = chunkLines.apply("ChunkLinesAsMap", View.asMap());
    return failures
        .apply("NumberLines", ParDo.of(new NumberFn(view)).withSideInputs(view))
        .setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(Failures.SCHEMA)));
  }

  static final class NumberFn extends DoFn<KV<RecordKey, Row>, KV<RecordKey, Row>> {
    private final PCollectionView<Map<Long, Long>> view;
    private transient Map<Long, Long> cachedFor;
    private transient Map<Long, Long> firstLine;

    NumberFn(PCollectionView<Map<Long, Long>> view) {
      this.view = view;
    }

    @ProcessElement
    public void process(ProcessContext c) {
      KV<RecordKey, Row> e = c.element();
      Row failure = e.getValue();
      Long before = firstLines(c.sideInput(view)).get(e.getKey().chunk());
      if (failure.getInt64("line") == null && before != null) {
        failure = Failures.withLine(failure, before + e.getKey().ordinal() + 1);
      }
      c.output(KV.of(e.getKey().withSplit(SPLIT).withBatch(1), failure));
    }

    /** Lines before each chunk within its file. */
    private Map<Long, Long> firstLines(Map<Long, Long> counts) {
      if (cachedFor != counts) {
        Map<Integer, TreeMap<Long, Long>> byFile = new HashMap<>();
        counts.forEach((chunk, n) -> byFile.computeIfAbsent(InputFiles.Chunk.fileIndexOf(chunk), f -> new TreeMap<>()).put(chunk, n));
        Map<Long, Long> first = new HashMap<>();
        for (TreeMap<Long, Long> chunks : byFile.values()) {
          long acc = 0;
          for (Map.Entry<Long, Long> ch : chunks.entrySet()) {
            first.put(ch.getKey(), acc);
            acc += ch.getValue();
          }
        }
        firstLine = first;
        cachedFor = counts;
      }
      return firstLine;
    }
  }
}
