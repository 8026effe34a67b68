package io.hfbeam.workflow;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.hfbeam.cli.Cli;
import io.hfbeam.mapping.FieldMapping;
import io.hfbeam.runner.WorkflowRun;
import io.hfbeam.testing.Files2;
import io.hfbeam.workflow.qa.QaExportRun;
import io.hfbeam.workflow.qa.QaExportWorkflow;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A workflow run without picocli, as a test or a Beam user's main starts it, writes what the CLI
 * writes.
 */
class WorkflowLauncherTest {
  @TempDir Path tmp;

  private static QaExportWorkflow.Settings qa(Path out) {
    return QaExportWorkflow.Settings.builder()
        .input(Path.of("samples/qa"))
        .output(out)
        .mapping(FieldMapping.load(Path.of("config/qa-export-mapping.yaml")))
        .build();
  }

  @Test
  void runWithSettingsWritesTheSameDatasetAsTheCli() throws Exception {
    Path viaCli = tmp.resolve("cli");
    Cli cli = Cli.run("qa-export", "--input", "samples/qa", "--output", viaCli.toString());
    assertThat(cli.toString(), cli.exitCode, is(0));

    Path direct = tmp.resolve("direct");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    WorkflowRun.Outcome outcome =
        WorkflowLauncher.run(
            QaExportRun.of(qa(direct)),
            RunSettings.defaults(),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    assertThat(outcome.ok(), is(true));
    assertThat(outcome.records(), equalTo(52L));
    assertThat(printed.toString(StandardCharsets.UTF_8), containsString("MapFields"));
    assertThat(Files2.hashes(direct), equalTo(Files2.hashes(viaCli)));
  }

  /** A workflow that counts what the launcher asks of it after the pipeline. */
  static final class Counting implements Launchable {
    final Launchable inner;
    final java.util.Optional<String> refusal;
    final java.util.List<Boolean> afterRuns = new java.util.ArrayList<>();
    int rejections;

    Counting(Launchable inner, java.util.Optional<String> refusal) {
      this.inner = inner;
      this.refusal = refusal;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Path output() {
      return inner.output();
    }

    @Override
    public java.util.List<Path> inputDirs() {
      return inner.inputDirs();
    }

    @Override
    public long inputBytes() {
      return inner.inputBytes();
    }

    @Override
    public java.util.List<String> steps() {
      return inner.steps();
    }

    @Override
    public org.apache.beam.sdk.values.PCollection<io.hfbeam.dataset.WrittenFile> build(
        org.apache.beam.sdk.Pipeline p, java.util.Optional<HubTarget> hub, PrintStream out)
        throws java.io.IOException {
      return inner.build(p, hub, out);
    }

    @Override
    public java.util.Optional<String> rejection() {
      rejections++;
      return refusal.isPresent() ? refusal : inner.rejection();
    }

    @Override
    public void afterRun(boolean accepted) {
      afterRuns.add(accepted);
    }
  }

  @Test
  void theAfterRunHookIsCalledOnceWithTheVerdict() throws Exception {
    PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    Counting ok = new Counting(QaExportRun.of(qa(tmp.resolve("ok"))), java.util.Optional.empty());
    assertThat(WorkflowLauncher.run(ok, RunSettings.defaults(), quiet).ok(), is(true));
    assertThat(ok.afterRuns, equalTo(java.util.List.of(true)));

    Counting refused =
        new Counting(QaExportRun.of(qa(tmp.resolve("refused"))), java.util.Optional.of("no"));
    assertThat(WorkflowLauncher.run(refused, RunSettings.defaults(), quiet).ok(), is(false));
    assertThat(refused.afterRuns, equalTo(java.util.List.of(false)));
    // the verdict is asked once and is a query: asking again changes nothing
    assertThat(refused.rejections, is(1));
  }

  @Test
  void anOutputInsideTheInputIsRefusedBeforeAnythingRuns() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                WorkflowLauncher.checkOutsideInput(
                    tmp.resolve("in/out"), java.util.List.of(tmp.resolve("in"))));
    assertThat(e.getMessage(), containsString("inside the input directory"));
  }

  @Test
  void runSettingsRejectAFractionOutsideZeroToOne() {
    assertThrows(
        IllegalArgumentException.class, () -> RunSettings.defaults().withMaxErrorRate(1.5));
    assertThrows(IllegalArgumentException.class, () -> RunSettings.defaults().withParallelism(0));
  }

  @Test
  void aWorkflowsDirectRunnerThreadsApplyUnlessParallelismIsGiven() {
    java.util.Map<String, String> direct =
        io.hfbeam.runner.RunnerProfiles.settings("direct", java.util.Map.of());
    java.util.Map<String, String> flink =
        io.hfbeam.runner.RunnerProfiles.settings("flink-local", java.util.Map.of());
    java.util.Optional<Integer> one = java.util.Optional.of(1);
    java.util.Optional<Integer> none = java.util.Optional.empty();

    assertThat(
        WorkflowLauncher.runnerSettings(direct, null, one, "sft-generate").get("targetParallelism"),
        equalTo("1"));
    // --parallelism wins over what the workflow asks for
    assertThat(
        WorkflowLauncher.runnerSettings(direct, 3, one, "sft-generate").get("targetParallelism"),
        equalTo("3"));
    // a workflow that asks for nothing keeps the profile's threads
    assertThat(
        WorkflowLauncher.runnerSettings(direct, null, none, "qa-export").get("targetParallelism"),
        equalTo(direct.get("targetParallelism")));
    // Flink is not the DirectRunner: its parallelism stays the profile's
    java.util.Map<String, String> f = WorkflowLauncher.runnerSettings(flink, null, one, "x");
    assertThat(f.get("parallelism"), equalTo(flink.get("parallelism")));
    assertThat(f.containsKey("targetParallelism"), is(false));
    assertThat(f.get("jobName"), equalTo("hfbeam-x"));
  }
}
