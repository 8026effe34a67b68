package io.hfbeam.dataset;

import io.hfbeam.format.files.InputFiles;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.io.FileIO;
import org.apache.beam.sdk.io.fs.MatchResult;
import org.apache.beam.sdk.io.fs.ResourceId;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.state.MapState;
import org.apache.beam.sdk.state.StateSpec;
import org.apache.beam.sdk.state.StateSpecs;
import org.apache.beam.sdk.state.ValueState;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Watch;
import org.apache.beam.sdk.transforms.WithKeys;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.TypeDescriptors;
import org.joda.time.Duration;

/**
 * Continuous input: files that appear under a glob are picked up within the poll interval and cut
 * into chunks, for {@link ProcessChunks#toParts}. Unbounded; the job runs until stopped.
 *
 * <p>Each file is read once, identified by its path: a file must be complete when it appears (write
 * it elsewhere or under a hidden name, then move it in; names starting with '.' are ignored). Files
 * are numbered in the order they are seen, which orders their rows in the dataset. The numbering
 * and the set of files seen are Flink state: a job restored from a checkpoint ({@code --resume})
 * does not read again a file the checkpoint covers, even though Beam's watch starts over on
 * restore.
 *
 * <p>Steps: MatchNewFiles -> KeyFiles -> NumberNewFiles.
 */
public final class WatchFiles extends PTransform<PBegin, PCollection<InputFiles.Chunk>> {
  private final String glob;
  private final Duration poll;
  private final long chunkBytes;
  private final boolean splittable;

  private WatchFiles(String glob, Duration poll, long chunkBytes, boolean splittable) {
    this.glob = glob;
    this.poll = poll;
    this.chunkBytes = chunkBytes;
    this.splittable = splittable;
  }

  /**
   * @param glob absolute file pattern, e.g. {@code /data/incoming/*.pgn}
   * @param chunkBytes byte range size for splittable files; {@code <= 0} reads every file whole
   */
  public static WatchFiles of(String glob, Duration poll, long chunkBytes) {
    return new WatchFiles(glob, poll, chunkBytes, chunkBytes > 0);
  }

  /**
   * The glob a watched directory or pattern stands for: a directory means every file in it with
   * that extension.
   */
  public static String glob(String spec, String namePattern) {
    Path p = Path.of(spec).toAbsolutePath().normalize();
    return java.nio.file.Files.isDirectory(p) ? p.resolve(namePattern).toString() : p.toString();
  }

  @Override
  public PCollection<InputFiles.Chunk> expand(PBegin input) {
    return input
        .apply(
            "MatchNewFiles",
            FileIO.match().filepattern(glob).continuously(poll, Watch.Growth.never()))
        .apply(
            "KeyFiles",
            WithKeys.<String, MatchResult.Metadata>of("files")
                .withKeyType(TypeDescriptors.strings()))
        .apply("NumberNewFiles", ParDo.of(new NumberFn(chunkBytes, splittable)))
        .setCoder(SerializableCoder.of(InputFiles.Chunk.class));
  }

  /** Numbers each new file, once, and emits its chunks. One key: the numbering is global. */
  static final class NumberFn extends DoFn<KV<String, MatchResult.Metadata>, InputFiles.Chunk> {
    private final long chunkBytes;
    private final boolean splittable;
    private final Counter newFiles = Metrics.counter("watch", "files_new");

    @StateId("next")
    private final StateSpec<ValueState<Integer>> nextSpec = StateSpecs.value(VarIntCoder.of());

    @StateId("seen")
    private final StateSpec<MapState<String, Integer>> seenSpec =
        StateSpecs.map(StringUtf8Coder.of(), VarIntCoder.of());

    NumberFn(long chunkBytes, boolean splittable) {
      this.chunkBytes = chunkBytes;
      this.splittable = splittable;
    }

    @ProcessElement
    public void process(
        @Element KV<String, MatchResult.Metadata> file,
        @StateId("next") ValueState<Integer> next,
        @StateId("seen") MapState<String, Integer> seen,
        OutputReceiver<InputFiles.Chunk> out) {
      ResourceId id = file.getValue().resourceId();
      String name = id.getFilename();
      if (name == null || name.startsWith(".")) return;
      String path = id.toString();
      if (seen.get(path).read() != null) return;
      Integer n = next.read();
      int index = n == null ? 0 : n;
      next.write(index + 1);
      seen.put(path, index);
      newFiles.inc();
      List<Path> one = List.of(Path.of(path));
      List<InputFiles.Chunk> chunks =
          splittable ? InputFiles.chunks(one, chunkBytes) : InputFiles.wholeFiles(one);
      for (InputFiles.Chunk c : chunks) {
        out.output(new InputFiles.Chunk(c.path(), index, c.index(), c.start(), c.end(), c.whole()));
      }
    }
  }
}
