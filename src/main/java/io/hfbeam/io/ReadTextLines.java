package io.hfbeam.io;

import io.hfbeam.runner.Progress;
import io.hfbeam.transform.RecordKey;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.schemas.SchemaCoder;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads text files line by line, in parallel byte ranges. A line belongs to the range holding its first byte.
 * Blank lines are skipped (not errors) but keep their place in the numbering. Emits each line keyed by its
 * position, plus the line count of every chunk so that later steps can turn positions into file line numbers.
 */
public final class ReadTextLines extends PTransform<PBegin, PCollectionTuple> {
  public static final TupleTag<KV<RecordKey, Row>> LINES = new TupleTag<>("lines") {};
  public static final TupleTag<KV<Long, Long>> CHUNK_LINES = new TupleTag<>("chunkLines") {};

  private final List<InputFiles.Chunk> chunks;

  private ReadTextLines(List<InputFiles.Chunk> chunks) {
    this.chunks = chunks;
  }

  public static ReadTextLines of(List<InputFiles.Chunk> chunks) {
    return new ReadTextLines(chunks);
  }

  @Override
  public PCollectionTuple expand(PBegin input) {
    PCollectionTuple out =
        input
            .apply("PlanChunks", Create.of(chunks).withCoder(SerializableCoder.of(InputFiles.Chunk.class)))
            .apply("SpreadChunks", Reshuffle.viaRandomKey())
            .apply("ReadLines", ParDo.of(new ReadChunkFn()).withOutputTags(LINES, TupleTagList.of(CHUNK_LINES)));
    out.get(LINES).setCoder(KvCoder.of(RecordKey.Coder.of(), SchemaCoder.of(SourceLine.SCHEMA)));
    out.get(CHUNK_LINES).setCoder(KvCoder.of(VarLongCoder.of(), VarLongCoder.of()));
    return out;
  }

  static final class ReadChunkFn extends DoFn<InputFiles.Chunk, KV<RecordKey, Row>> {
    private final Counter lines = Metrics.counter("read", "records_in");
    private final Counter bytes = Metrics.counter("read", "bytes_in");

    @ProcessElement
    public void process(@Element InputFiles.Chunk chunk, MultiOutputReceiver out) throws IOException {
      Path path = Path.of(chunk.path());
      long n = 0;
      long read;
      try (InputStream in = open(path, chunk)) {
        LineReader reader = new LineReader(in, chunk.whole() ? 0 : Math.max(0, chunk.start() - 1));
        if (!chunk.whole() && chunk.start() > 0 && !reader.skipLine()) {
          out.get(CHUNK_LINES).output(KV.of(chunk.id(), 0L));
          return;
        }
        long firstOffset = reader.offset();
        String text;
        while ((chunk.whole() || reader.offset() < chunk.end()) && (text = reader.readLine()) != null) {
          if (!text.isBlank()) {
            out.get(LINES).output(KV.of(RecordKey.of(chunk.id(), n), SourceLine.of(chunk.path(), reader.lineOffset(), text)));
            lines.inc();
            Progress.addRecords(1);
          }
          n++;
        }
        read = reader.offset() - firstOffset;
      }
      bytes.inc(chunk.whole() ? Files.size(path) : read);
      Progress.addBytes(chunk.whole() ? Files.size(path) : read);
      out.get(CHUNK_LINES).output(KV.of(chunk.id(), n));
    }

    private static InputStream open(Path path, InputFiles.Chunk chunk) throws IOException {
      if (chunk.whole()) return Compressions.open(path);
      SeekableByteChannel ch = Files.newByteChannel(path);
      ch.position(Math.max(0, chunk.start() - 1));
      return new java.io.BufferedInputStream(Channels.newInputStream(ch), 1 << 16);
    }
  }
}
