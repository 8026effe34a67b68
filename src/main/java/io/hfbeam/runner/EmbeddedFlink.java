package io.hfbeam.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.apache.beam.runners.flink.FlinkPipelineOptions;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobSubmissionResult;
import org.apache.flink.api.common.time.Time;
import org.apache.flink.client.deployment.executors.LocalExecutor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.metrics.MetricRegistryConfiguration;
import org.apache.flink.runtime.metrics.MetricRegistryImpl;
import org.apache.flink.runtime.metrics.ReporterSetup;
import org.apache.flink.runtime.metrics.TraceReporterSetup;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.MathUtils;

/**
 * The embedded Flink of a {@code flinkMaster: "[local]"} profile, started while the command still
 * validates its options and builds and translates the pipeline. Beam starts its MiniCluster only
 * when the job is submitted, after all of that; started on another thread, the cluster's own start
 * overlaps that work instead of following it.
 *
 * <p>The job runs as it would with {@code [local]}: the same configuration (the profile's {@code
 * flinkConfDir}, or FLINK_CONF_DIR, plus the two settings Beam adds for a local cluster), the same
 * slots, and Flink's own {@link LocalExecutor} and job client, which shut the cluster down when the
 * job ends; only the MiniCluster it gets was started earlier. Beam is pointed at it through Flink's
 * context environment ({@code flinkMaster: "[auto]"}), for one pipeline. Anything that does not
 * match (another parallelism, configuration or master after all) gets Beam's usual {@code [local]}
 * path, and the early cluster is closed.
 */
public final class EmbeddedFlink implements AutoCloseable {
  private final int parallelism;

  /** The configuration the cluster starts with, before the managed memory is sized. */
  private final Configuration base;

  /** The cluster, once started (or the failure to start it). */
  private final CompletableFuture<Early> cluster = new CompletableFuture<>();

  /**
   * OPEN until a job takes the cluster (GIVEN: its client closes it) or it is closed unused
   * (CLOSED).
   */
  private volatile State state = State.OPEN;

  /** Where the cluster's metric registry reports the counters progress shows. */
  private final JobCounters counters = new JobCounters();

  private enum State {
    OPEN,
    GIVEN,
    CLOSED
  }

  private EmbeddedFlink(int parallelism, Configuration base) {
    this.parallelism = parallelism;
    this.base = base;
  }

  /**
   * Starts the cluster in the background when a runner profile's settings (with the command's
   * flags, see {@link RunnerProfiles#settings}) run on embedded Flink in streaming mode; empty
   * otherwise.
   */
  public static Optional<EmbeddedFlink> startFor(Map<String, String> settings) {
    String runner = settings.getOrDefault("runner", "");
    if (!runner.equals("FlinkRunner") && !runner.endsWith(".FlinkRunner")) return Optional.empty();
    if (!"[local]".equals(settings.get("flinkMaster")) || !"true".equals(settings.get("streaming")))
      return Optional.empty();
    int p;
    try {
      p = Integer.parseInt(settings.getOrDefault("parallelism", "-1"));
    } catch (NumberFormatException e) {
      return Optional.empty(); // the options check reports it
    }
    if (p <= 0) p = StreamExecutionEnvironment.getDefaultLocalParallelism();
    EmbeddedFlink flink = new EmbeddedFlink(p, localConfiguration(settings.get("flinkConfDir")));
    int slots = p;
    Thread t =
        new Thread(
            () -> {
              try {
                Configuration conf = new Configuration(flink.base);
                // Beam's [local] setting: managed memory as a fraction of the heap that is free
                // now. Beam measures after a full GC (System.gc(), which stops every thread); the
                // estimate without one is as good for a size that this pipeline's operators never
                // use (they keep no RocksDB state and do no managed-memory sorts).
                if (!conf.containsKey(MANAGED)) {
                  long free = EnvironmentInformation.getSizeOfFreeHeapMemory();
                  conf.setString(
                      MANAGED,
                      String.valueOf(
                          (long) (free * conf.get(TaskManagerOptions.MANAGED_MEMORY_FRACTION))));
                }
                Early early = new Early(clusterSettings(conf, slots), flink.counters);
                early.startNow();
                flink.cluster.complete(early);
              } catch (Throwable e) {
                flink.cluster.completeExceptionally(e);
              }
            },
            "hfbeam-flink-start");
    t.setDaemon(true);
    t.start();
    return Optional.of(flink);
  }

  private static final String MANAGED = "taskmanager.memory.managed.size";

  /**
   * Points the pipeline these options build at this cluster when they ask for the same one
   * (embedded streaming Flink, same parallelism, same configuration apart from a checkpoint to
   * restore); otherwise closes it, and the run starts its own as usual.
   *
   * @return whether the run will use this cluster
   */
  public boolean attach(PipelineOptions options) {
    if (!RunnerProfiles.isFlink(options)) {
      close();
      return false;
    }
    FlinkPipelineOptions flink = options.as(FlinkPipelineOptions.class);
    int p =
        flink.getParallelism() > 0
            ? flink.getParallelism()
            : StreamExecutionEnvironment.getDefaultLocalParallelism();
    // the job's configuration: --resume's configuration directory adds the checkpoint to restore
    Configuration job = localConfiguration(flink.getFlinkConfDir());
    if (!"[local]".equals(flink.getFlinkMaster())
        || !flink.isStreaming()
        || p != parallelism
        || !withoutRestore(job).equals(withoutRestore(base))) {
      close();
      return false;
    }
    job.set(DeploymentOptions.TARGET, "local");
    job.set(DeploymentOptions.ATTACHED, true);
    flink.setFlinkMaster("[auto]");
    OneJob.install(
        () -> {
          StreamExecutionEnvironment env =
              new StreamExecutionEnvironment(new Executors(this::handOver), job, null);
          env.setParallelism(StreamExecutionEnvironment.getDefaultLocalParallelism());
          return env;
        });
    return true;
  }

  /**
   * What the job running on this cluster has counted so far (records written, input bytes read);
   * empty before a job took the cluster.
   */
  public Optional<Progress.Counts> jobCounts() {
    return state == State.GIVEN ? Optional.of(counters.counts()) : Optional.empty();
  }

  /** Whether a job was given this cluster (rather than starting its own). */
  boolean usedByJob() {
    return state == State.GIVEN;
  }

  /** Closes the cluster unless a job took it (the job's client closes it when the job ends). */
  @Override
  public void close() {
    OneJob.clear();
    if (state == State.OPEN) {
      state = State.CLOSED;
      cluster.thenAccept(MiniCluster::closeAsync);
    }
  }

  /**
   * Given to the job in place of the cluster Flink would start, when that is the same cluster.
   * Waits for its start to finish; one that failed leaves Flink's own start to report the problem.
   */
  private MiniCluster handOver(MiniClusterConfiguration wanted) {
    Early early = cluster.exceptionally(e -> null).join();
    boolean same =
        state == State.OPEN
            && early != null
            && wanted.getNumTaskManagers() == early.settings.getNumTaskManagers()
            && wanted
                .getConfiguration()
                .get(TaskManagerOptions.NUM_TASK_SLOTS)
                .equals(early.settings.getConfiguration().get(TaskManagerOptions.NUM_TASK_SLOTS));
    if (!same) {
      close();
      return new MiniCluster(wanted);
    }
    state = State.GIVEN;
    return early;
  }

  /**
   * A configuration without the checkpoint to restore (a setting of the job, not of the cluster).
   */
  private static Configuration withoutRestore(Configuration c) {
    Configuration copy = new Configuration(c);
    copy.removeKey("execution.savepoint.path");
    return copy;
  }

  /**
   * What Beam's [local] master configures (the Flink configuration directory, class-loader leak
   * check off), and no delegation tokens unless configured: an embedded cluster has no Kerberos to
   * renew tokens for, and looking for it (Hadoop's login and configuration) slows the cluster's
   * start.
   */
  private static Configuration localConfiguration(String confDir) {
    Configuration c =
        confDir == null || confDir.isEmpty()
            ? GlobalConfiguration.loadConfiguration()
            : GlobalConfiguration.loadConfiguration(confDir);
    if (!c.containsKey("classloader.check-leaked-classloader"))
      c.setBoolean("classloader.check-leaked-classloader", false);
    if (!c.contains(SecurityOptions.DELEGATION_TOKENS_ENABLED))
      c.set(SecurityOptions.DELEGATION_TOKENS_ENABLED, false);
    return c;
  }

  /**
   * The cluster Flink's local executor would start for a job of this parallelism
   * (PerJobMiniClusterFactory).
   */
  private static MiniClusterConfiguration clusterSettings(Configuration conf, int parallelism) {
    Configuration c = new Configuration(conf);
    if (!c.contains(RestOptions.BIND_PORT)) c.set(RestOptions.BIND_PORT, "0");
    int taskManagers = c.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS);
    int slots =
        c.getOptional(TaskManagerOptions.NUM_TASK_SLOTS)
            .orElse(MathUtils.divideRoundUp(parallelism, taskManagers));
    return new MiniClusterConfiguration.Builder()
        .setConfiguration(c)
        .setNumTaskManagers(taskManagers)
        .setRpcServiceSharing(RpcServiceSharing.SHARED)
        .setNumSlotsPerTaskManager(slots)
        .build();
  }

  /**
   * A MiniCluster started ahead: Flink's executor calls {@link #start()} again, which then has
   * nothing to do.
   */
  private static final class Early extends MiniCluster {
    final MiniClusterConfiguration settings;
    private final JobCounters counters;

    Early(MiniClusterConfiguration settings, JobCounters counters) {
      super(settings);
      this.settings = settings;
      this.counters = counters;
    }

    /** The registry MiniCluster makes, with the reporter of the counters progress shows added. */
    @Override
    protected MetricRegistryImpl createMetricRegistry(
        Configuration config, long maximumMessageSizeInBytes) {
      List<ReporterSetup> reporters =
          new ArrayList<>(ReporterSetup.fromConfiguration(config, settings.getPluginManager()));
      reporters.add(ReporterSetup.forReporter("hfbeam-progress", counters));
      return new MetricRegistryImpl(
          MetricRegistryConfiguration.fromConfiguration(config, maximumMessageSizeInBytes),
          reporters,
          TraceReporterSetup.fromConfiguration(config, settings.getPluginManager()));
    }

    void startNow() throws Exception {
      super.start();
    }

    @Override
    public void start() {}

    @Override
    public CompletableFuture<JobSubmissionResult> submitJob(JobGraph job) {
      CompletableFuture<JobSubmissionResult> submitted = super.submitJob(job);
      if (job.isCheckpointingEnabled()) {
        submitted.thenAccept(r -> FailedCheckpointRetry.watch(watched(r.getJobID()), 100, 1000));
      }
      return submitted;
    }

    private FailedCheckpointRetry.Job watched(JobID id) {
      Time timeout = Time.seconds(10);
      return new FailedCheckpointRetry.Job() {
        @Override
        public boolean running() {
          return !getJobStatus(id).join().isGloballyTerminalState();
        }

        @Override
        public long failedCheckpoints() {
          try {
            return getDispatcherGatewayFuture()
                .thenCompose(g -> g.requestCheckpointStats(id, timeout))
                .join()
                .getCounts()
                .getNumberOfFailedCheckpoints();
          } catch (CompletionException e) {
            return 0; // not running yet (or any more): no checkpoint to retry
          }
        }

        @Override
        public void triggerCheckpoint() {
          Early.this.triggerCheckpoint(id, CheckpointType.CONFIGURED);
        }
      };
    }
  }

  /** Flink's local executor, with a given cluster in place of the one it would start. */
  private record Executors(Function<MiniClusterConfiguration, MiniCluster> clusters)
      implements PipelineExecutorServiceLoader {
    @Override
    public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
      return new PipelineExecutorFactory() {
        @Override
        public String getName() {
          return LocalExecutor.NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration c) {
          return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration c) {
          return LocalExecutor.createWithFactory(c, clusters);
        }
      };
    }

    @Override
    public Stream<String> getExecutorNames() {
      return Stream.of(LocalExecutor.NAME);
    }
  }

  /**
   * Flink's context environment for the next pipeline only (Beam's "[auto]" master asks for it
   * once).
   */
  private static final class OneJob extends StreamExecutionEnvironment {
    static void install(java.util.function.Supplier<StreamExecutionEnvironment> env) {
      initializeContextEnvironment(
          conf -> {
            resetContextEnvironment();
            return env.get();
          });
    }

    static void clear() {
      resetContextEnvironment();
    }
  }
}
