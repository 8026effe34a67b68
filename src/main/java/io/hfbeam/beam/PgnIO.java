package io.hfbeam.beam;

import io.hfbeam.chess.PgnError;
import io.hfbeam.chess.PgnFiles;
import io.hfbeam.chess.PgnGame;
import io.hfbeam.chess.PgnRanges;
import io.hfbeam.chess.PgnReader;
import io.hfbeam.chess.PgnRecord;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
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
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.Row;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;

/**
 * Reads PGN games into a pipeline: each game whose mainline replays legally, keyed by the name of
 * the file it came from, on {@link #GAMES}; a game that cannot be read or replayed becomes a
 * failure row ({@link Failures#SCHEMA}) on {@link #FAILURES}, and the rest of the file goes on.
 *
 * <pre>{@code
 * PCollectionTuple read = p.apply(PgnIO.read().from("games/*.pgn"));
 * PCollection<KV<String, PgnGame>> games = read.get(PgnIO.GAMES);
 * PCollection<Row> failures = read.get(PgnIO.FAILURES);
 * }</pre>
 *
 * <p>Plain PGN files are read as byte ranges in parallel ({@link PgnRanges}: a game belongs to the
 * range it starts in, so every game is read once whatever the cuts); {@code .gz}, {@code .bz2} and
 * {@code .zst} files are read whole. Steps: MatchFiles -> SplitRanges -> SpreadRanges -> ReadGames.
 */
public final class PgnIO {
  /** Games that replay, keyed by their file's name. */
  public static final TupleTag<KV<String, PgnGame>> GAMES = new TupleTag<>("games") {};

  /** Games that do not, as {@link Failures#SCHEMA} rows. */
  public static final TupleTag<Row> FAILURES = new TupleTag<>("failures") {};

  static final long DEFAULT_RANGE_BYTES = 64L << 20;
  private static final String PATTERN = "*.{pgn,pgn.gz,pgn.bz2,pgn.zst}";

  private PgnIO() {}

  /** Reads the files a path, directory or glob names; set it with {@link Read#from}. */
  public static Read read() {
    return new Read(null, DEFAULT_RANGE_BYTES);
  }

  /** Reads the files each element (a path, directory or glob) names. */
  public static ReadAll readAll() {
    return new ReadAll(DEFAULT_RANGE_BYTES);
  }

  /**
   * The failure row of a game that cannot be read or replayed (its game number counts from where
   * reading began).
   */
  public static Row failure(String source, PgnError e) {
    return Failures.of(
        source,
        null,
        e.byteOffset(),
        e.gameNumber(),
        "ReadPgn",
        e.reason()
            + (e.moveText() == null || e.moveText().isEmpty()
                ? ""
                : " (move '" + e.moveText() + "')"),
        describe(e.tags(), e.moveText()));
  }

  private static String describe(Map<String, String> tags, String move) {
    String site = tags == null ? null : tags.getOrDefault("Site", tags.get("Event"));
    return (site == null ? "" : site + " ") + (move == null ? "" : "at " + move);
  }

  /** {@link PgnIO#read()}. */
  public static final class Read extends PTransform<PBegin, PCollectionTuple> {
    private final String spec;
    private final long rangeBytes;

    private Read(String spec, long rangeBytes) {
      this.spec = spec;
      this.rangeBytes = rangeBytes;
    }

    /** A file, a directory (its PGN files) or a glob. */
    public Read from(String spec) {
      return new Read(spec, rangeBytes);
    }

    /** About how many bytes of a plain PGN file one worker reads at a time (default 64 MiB). */
    public Read withRangeBytes(long bytes) {
      return new Read(spec, bytes);
    }

    @Override
    public PCollectionTuple expand(PBegin input) {
      if (spec == null) throw new IllegalArgumentException("PgnIO.read() needs from(path or glob)");
      return input.apply("Inputs", Create.of(spec)).apply("ReadPgn", new ReadAll(rangeBytes));
    }
  }

  /** {@link PgnIO#readAll()}. */
  public static final class ReadAll extends PTransform<PCollection<String>, PCollectionTuple> {
    private final long rangeBytes;

    private ReadAll(long rangeBytes) {
      this.rangeBytes = rangeBytes;
    }

    public ReadAll withRangeBytes(long bytes) {
      if (bytes < 1) throw new IllegalArgumentException("range bytes must be >= 1, got " + bytes);
      return new ReadAll(bytes);
    }

    @Override
    public PCollectionTuple expand(PCollection<String> specs) {
      PCollectionTuple out =
          specs
              .apply("MatchFiles", ParDo.of(new MatchFn()))
              .apply("SplitRanges", ParDo.of(new RangesFn(rangeBytes)))
              .setCoder(SerializableCoder.of(InputFiles.Chunk.class))
              .apply("SpreadRanges", Reshuffle.viaRandomKey())
              .apply(
                  "ReadGames",
                  ParDo.of(new ReadFn()).withOutputTags(GAMES, TupleTagList.of(FAILURES)));
      out.get(GAMES).setCoder(KvCoder.of(StringUtf8Coder.of(), PgnGameCoder.of()));
      out.get(FAILURES).setCoder(SchemaCoder.of(Failures.SCHEMA));
      return out;
    }
  }

  static final class MatchFn extends DoFn<String, String> {
    @ProcessElement
    public void process(@Element String spec, OutputReceiver<String> out) {
      for (Path f : InputFiles.expand(List.of(spec), PATTERN)) out.output(f.toString());
    }
  }

  static final class RangesFn extends DoFn<String, InputFiles.Chunk> {
    private final long rangeBytes;

    RangesFn(long rangeBytes) {
      this.rangeBytes = rangeBytes;
    }

    @ProcessElement
    public void process(@Element String file, OutputReceiver<InputFiles.Chunk> out) {
      for (InputFiles.Chunk c : InputFiles.chunks(List.of(Path.of(file)), rangeBytes))
        out.output(c);
    }
  }

  static final class ReadFn extends DoFn<InputFiles.Chunk, KV<String, PgnGame>> {
    private final Counter games = Metrics.counter("ReadPgn", "records_in");
    private final Counter failed = Metrics.counter("ReadPgn", "records_failed");

    @ProcessElement
    public void process(@Element InputFiles.Chunk chunk, MultiOutputReceiver out)
        throws IOException {
      Path file = chunk.file();
      String name = file.getFileName().toString();
      PgnReader opened;
      try {
        opened =
            chunk.whole() ? PgnReader.open(file) : PgnRanges.read(file, chunk.start(), chunk.end());
      } catch (IOException | RuntimeException e) {
        if (PgnFiles.isSplittable(file)) throw e;
        games.inc();
        failed.inc();
        out.get(FAILURES)
            .output(
                Failures.of(
                    chunk.path(),
                    null,
                    0L,
                    1L,
                    "ReadPgn",
                    "not a readable compressed file: "
                        + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()),
                    null));
        return;
      }
      try (PgnReader reader = opened) {
        while (reader.hasNext()) {
          PgnRecord rec = reader.next();
          games.inc();
          if (rec instanceof PgnError e) {
            failed.inc();
            Row f = failure(chunk.path(), e);
            // a range's game numbers count from the range: only the byte offset locates the game in
            // the file
            out.get(FAILURES)
                .output(chunk.whole() ? f : Row.fromRow(f).withFieldValue("record", null).build());
          } else {
            out.get(GAMES).output(KV.of(name, (PgnGame) rec));
          }
        }
      }
    }
  }
}
