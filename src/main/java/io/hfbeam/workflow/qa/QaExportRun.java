package io.hfbeam.workflow.qa;

import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.workflow.HubTarget;
import io.hfbeam.workflow.Launchable;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.values.PCollection;

/** qa-export as {@link io.hfbeam.workflow.WorkflowLauncher} runs it. */
public final class QaExportRun implements Launchable {
  private final QaExportWorkflow.Settings settings;
  private final List<Path> inputFiles;

  private QaExportRun(QaExportWorkflow.Settings settings) {
    this.settings = settings;
    this.inputFiles =
        settings.inputFiles(); // a missing input directory or file is a usage error, found up front
  }

  public static QaExportRun of(QaExportWorkflow.Settings settings) {
    return new QaExportRun(settings);
  }

  @Override
  public String name() {
    return "qa-export";
  }

  @Override
  public Path output() {
    return settings.output();
  }

  @Override
  public List<Path> inputDirs() {
    return List.of(); // fixed file names in one directory: nothing is searched
  }

  @Override
  public long inputBytes() {
    return InputFiles.totalBytes(inputFiles);
  }

  @Override
  public List<String> steps() {
    return QaExportWorkflow.STEPS;
  }

  @Override
  public PCollection<WrittenFile> build(Pipeline p, Optional<HubTarget> hub, PrintStream out) {
    return QaExportWorkflow.build(p, settings);
  }
}
