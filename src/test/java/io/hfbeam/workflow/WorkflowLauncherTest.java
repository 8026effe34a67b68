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
