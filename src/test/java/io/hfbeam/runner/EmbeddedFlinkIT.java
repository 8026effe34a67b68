package io.hfbeam.runner;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.sameInstance;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.rpc.RpcSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded Flink cluster started ahead of the pipeline (flink-local), and the RPC system it
 * runs on.
 */
class EmbeddedFlinkIT {
  static final class CountFn extends DoFn<Integer, Integer> {
    private final Counter seen = Metrics.counter("test", "seen");

    @ProcessElement
    public void process(@Element Integer i, OutputReceiver<Integer> out) {
      seen.inc();
      out.output(i);
    }
  }

  @TempDir Path tmp;

  /** The flink-local profile's options, with the checkpoint directory the CLI would add. */
  private PipelineOptions flinkLocal() {
    PipelineOptions options = RunnerProfiles.options("flink-local", Map.of());
    options.as(FlinkPipelineOptions.class).setStateBackendStoragePath(tmp.toUri().toString());
    return options;
  }

  private static long run(PipelineOptions options) {
    Pipeline p = Pipeline.create(options);
    p.apply(Create.of(1, 2, 3, 4, 5)).apply(ParDo.of(new CountFn()));
    PipelineResult result = p.run();
    assertThat(result.waitUntilFinish(), equalTo(PipelineResult.State.DONE));
    return result
        .metrics()
        .queryMetrics(
            MetricsFilter.builder().addNameFilter(MetricNameFilter.named("test", "seen")).build())
        .getCounters()
        .iterator()
        .next()
        .getAttempted();
  }

  @Test
  void aFlinkLocalRunUsesTheClusterStartedAhead() {
    Optional<EmbeddedFlink> early =
        EmbeddedFlink.startFor(RunnerProfiles.settings("flink-local", Map.of()));
    assertThat(early.isPresent(), equalTo(true));
    try (EmbeddedFlink flink = early.get()) {
      PipelineOptions options = flinkLocal();
      assertThat(flink.attach(options), equalTo(true));
      assertThat(run(options), equalTo(5L));
      assertThat("the job ran on the cluster started ahead", flink.usedByJob(), equalTo(true));
    }
    // the context environment served one pipeline: the next one starts its own cluster, as Beam's
    // [local] does
    assertThat(run(flinkLocal()), equalTo(5L));
  }

  @Test
  void aRunningJobsProgressComesFromTheCountersItsClusterReports() {
    ProgressTest.clearPrinted();
    Optional<EmbeddedFlink> early =
        EmbeddedFlink.startFor(RunnerProfiles.settings("flink-local", Map.of()));
    try (EmbeddedFlink flink = early.orElseThrow()) {
      PipelineOptions options = flinkLocal();
      assertThat(flink.attach(options), equalTo(true));
      Pipeline p = Pipeline.create(options);
      // the exchange lets the counting step finish its bundle (and report) while the next step
      // holds the job
      p.apply("Numbers", Create.of(1, 2, 3, 4, 5))
          .apply("Count", ParDo.of(new ProgressTest.CountFn()))
          .apply("Exchange", Reshuffle.viaRandomKey())
          .apply("Hold", ParDo.of(new ProgressTest.HoldFn("progress: 5 records")));
      WorkflowRun.run(
          p, 100, () -> null, ProgressTest.printedStream(), List.of(), Optional.of(flink), 100);
    }
    assertThat(ProgressTest.printed(), containsString("progress: 5 records"));
    assertThat(ProgressTest.printed(), containsString("50.0% of input read"));
  }

  @Test
  void anotherParallelismGetsBeamsOwnLocalCluster() {
    Optional<EmbeddedFlink> early =
        EmbeddedFlink.startFor(RunnerProfiles.settings("flink-local", Map.of("parallelism", "1")));
    try (EmbeddedFlink flink = early.orElseThrow()) {
      PipelineOptions options = flinkLocal(); // parallelism 2
      assertThat(flink.attach(options), equalTo(false));
      assertThat(options.as(FlinkPipelineOptions.class).getFlinkMaster(), equalTo("[local]"));
      assertThat(run(options), equalTo(5L));
      assertThat(flink.usedByJob(), equalTo(false));
    }
  }

  @Test
  void onlyEmbeddedStreamingFlinkStartsEarly() {
    assertThat(
        EmbeddedFlink.startFor(RunnerProfiles.settings("direct", Map.of())).isPresent(),
        equalTo(false));
    assertThat(
        EmbeddedFlink.startFor(
                Map.of(
                    "runner", "FlinkRunner", "flinkMaster", "localhost:8081", "streaming", "true"))
            .isPresent(),
        equalTo(false));
    assertThat(
        EmbeddedFlink.startFor(
                Map.of("runner", "FlinkRunner", "flinkMaster", "[local]", "streaming", "false"))
            .isPresent(),
        equalTo(false));
  }

  @Test
  void theRpcSystemComesFromTheApplicationClassPath() throws Exception {
    // Flink's own loader would copy flink-rpc-akka.jar to a temporary file and load it in a class
    // loader of its own
    try (RpcSystem rpc = RpcSystem.load(new Configuration())) {
      assertThat(
          rpc.getClass().getClassLoader(),
          sameInstance(ClasspathRpcSystemLoader.class.getClassLoader()));
    }
  }
}
