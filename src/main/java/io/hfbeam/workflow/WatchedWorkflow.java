package io.hfbeam.workflow;

import io.hfbeam.dataset.AssembleDataset;
import io.hfbeam.dataset.AssemblePanes;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.PartFormat;
import io.hfbeam.dataset.ProcessChunks;
import io.hfbeam.dataset.WatchFiles;
import io.hfbeam.dataset.WriteFailures;
import io.hfbeam.format.files.InputFiles;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;
import org.joda.time.Duration;

/**
 * The continuous form of a file workflow, the same for every workflow that watches: files that
 * appear under a directory or glob are cut into chunks, processed into parts, and every commit
 * interval the parts that arrived become the next batches (numbered on from the dataset settings'
 * first batch) and the card is updated.
 *
 * <p>Steps: {@code watchStep} (WatchFiles) -> {@code processStep} (chunks to parts) ->
 * WriteFailures -> AssemblePanes. The step names are the workflow's own: Flink restores state by
 * step name.
 *
 * @param namePattern the file names watched in a directory, e.g. {@code *.pgn*}
 * @param chunkBytes the size of the ranges a new file is read in (0: whole files)
 * @param recordIndex see {@link ProcessChunks#of}
 */
public record WatchedWorkflow<T>(
    String watchStep,
    String processStep,
    String namePattern,
    long chunkBytes,
    ChunkProcessor<T> processor,
    PartFormat<T> format,
    AssembleDataset.Settings<T> dataset,
    boolean recordIndex) {

  /**
   * The glob watched for {@code source}: a glob as given, a directory with {@link #namePattern}
   * inside it.
   */
  public String glob(String source) {
    return WatchFiles.glob(source, namePattern);
  }

  /** Adds the watching pipeline; runs until stopped. */
  public PCollection<AssemblePanes.Pane> build(Pipeline p, WatchSettings watch) {
    return panes(
        p.apply(watchStep, WatchFiles.of(glob(watch.source()), watch.poll(), chunkBytes)),
        watch.commitInterval());
  }

  /** The panes made from any stream of chunks (a watched directory, or a test's TestStream). */
  public PCollection<AssemblePanes.Pane> panes(
      PCollection<InputFiles.Chunk> chunks, Duration commitInterval) {
    return chunks
        .apply(
            processStep, ProcessChunks.toParts(processor, format, dataset.partsDir(), recordIndex))
        .apply("WriteFailures", WriteFailures.withParts(dataset.partsDir()))
        .apply("AssemblePanes", AssemblePanes.every(commitInterval, dataset));
  }
}
