package io.hfbeam.workflow;

import io.hfbeam.dataset.Batch;
import io.hfbeam.format.files.InputFiles;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the runs of the file workflows share: the inputs as given (the output must stay out of the
 * directories they search), a watched source instead of fixed files, and whether the first batch
 * was chosen (when not, a publishing run continues the repo's numbering and a watching run the
 * output's).
 */
public abstract class FileRun implements Launchable.Watchable {
  protected final List<String> inputSpecs;
  protected final boolean firstBatchFixed;
  protected final Optional<WatchSettings> watch;

  protected FileRun(
      List<String> inputSpecs, boolean firstBatchFixed, Optional<WatchSettings> watch) {
    this.inputSpecs = List.copyOf(inputSpecs);
    this.firstBatchFixed = firstBatchFixed;
    this.watch = watch;
  }

  /** The input files a batch run reads. */
  protected abstract List<Path> inputFiles();

  /** The batch settings of the run. */
  protected abstract Batch.Settings batch();

  @Override
  public List<Path> inputDirs() {
    return InputFiles.searchedDirs(inputSpecs);
  }

  @Override
  public long inputBytes() {
    return InputFiles.totalBytes(inputFiles());
  }

  @Override
  public Optional<WatchSettings> watch() {
    return watch;
  }

  @Override
  public Optional<Integer> firstBatch() {
    return firstBatchFixed ? Optional.of(batch().firstBatch()) : Optional.empty();
  }
}
