package io.hfbeam.bench;

import io.hfbeam.beam.HuggingFaceIO;
import io.hfbeam.hub.HubClient;
import io.hfbeam.runner.Checkpoints;
import io.hfbeam.runner.EmbeddedFlink;
import io.hfbeam.runner.RunnerProfiles;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.Row;

/**
 * The hf-beam side of bench/read.sh (issue 13). Three modes:
 *
 * <ul>
 *   <li>{@code read RUNNER DATASET [COLUMN]}: {@code HuggingFaceIO.read().from(DATASET)} and a
 *       count, on a runner profile ({@code flink-local} or {@code direct}) with parallelism 2, the
 *       Hub at HF_ENDPOINT; prints {@code {"rows": N, "seconds": S}} (S from pipeline build to its
 *       end, without JVM start). Run it in a JVM of its own: the caller measures wall time and peak
 *       RSS.
 *   <li>{@code plain DATASET}: the workers' read path without Beam ({@link ReadPlan#read} of every
 *       unit in turn, one thread), for reference and profiles.
 *   <li>{@code bytes DATASET HUB_URL PROXY_PORT COLUMN}: the bytes the Hub sends (status lines,
 *       headers and bodies, counted by a TCP proxy on 127.0.0.1:PROXY_PORT in front of HUB_URL)
 *       while a pipeline (DirectRunner) reads one column, and then all columns; prints them as
 *       JSON. The planning requests (file listing, footers) are included: they are part of what a
 *       read downloads.
 * </ul>
 */
public final class ReadBench {
  private ReadBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 3 && args[0].equals("read")) {
      read(args[1], args[2], args.length > 3 ? args[3] : null);
    } else if (args.length == 2 && args[0].equals("plain")) {
      plain(args[1]);
    } else if (args.length == 5 && args[0].equals("bytes")) {
      bytes(args[1], URI.create(args[2]), Integer.parseInt(args[3]), args[4]);
    } else {
      System.err.println(
          "usage: ReadBench read RUNNER DATASET [COLUMN]\n"
              + "       ReadBench plain DATASET\n"
              + "       ReadBench bytes DATASET HUB_URL PROXY_PORT COLUMN");
      System.exit(2);
    }
    System.exit(0); // Flink's and the HTTP client's threads would keep the JVM up a while
  }

  private static void read(String runner, String dataset, String column) throws Exception {
    long t0 = System.nanoTime();
    Map<String, String> settings = RunnerProfiles.settings(runner, Map.of());
    settings.put(
        settings.get("runner").contains("Flink") ? "parallelism" : "targetParallelism", "2");
    settings.put("jobName", "hfbeam-read-bench");
    Optional<EmbeddedFlink> flink = EmbeddedFlink.startFor(settings);
    PipelineOptions options = RunnerProfiles.create(runner, settings);
    Path state = Path.of("target", "bench", "read", "flink-state").toAbsolutePath();
    Checkpoints.configure(options, state, false, null, null, System.err);
    flink.filter(f -> f.attach(options));
    Pipeline p = Pipeline.create(options);
    HuggingFaceIO.Read read = HuggingFaceIO.read().from(dataset);
    if (column != null) read = read.withColumns(column);
    count(p.apply("Read", read));
    p.run().waitUntilFinish();
    Checkpoints.clear(options);
    System.out.printf(
        "{\"rows\": %d, \"seconds\": %.3f}%n", PrintFn.take(), (System.nanoTime() - t0) / 1e9);
    System.out.flush();
  }

  /** The workers' read path without Beam: every unit of the plan, one after another, one thread. */
  private static void plain(String dataset) throws Exception {
    long t0 = System.nanoTime();
    ReadPlan plan = HuggingFaceIO.read().from(dataset).plan();
    long[] rows = {0};
    RowSink sink =
        new RowSink() {
          @Override
          public void row(Row row) {
            rows[0]++;
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            throw new IllegalStateException(where + ": " + reason);
          }
        };
    for (ReadUnit unit : plan.units()) plan.read(unit, sink);
    System.out.printf(
        "{\"rows\": %d, \"seconds\": %.3f}%n", rows[0], (System.nanoTime() - t0) / 1e9);
  }

  /**
   * Counts the rows in the step that reads them. Not {@code Count.globally()}: Flink's streaming
   * mode does not combine before the shuffle, so that would send every row to one key and measure
   * the shuffle (on 100 MB it took 1.7x as long). {@code READ_BENCH_COUNT=global} measures it.
   */
  private static void count(PCollection<Row> rows) {
    if ("global".equals(System.getenv("READ_BENCH_COUNT"))) {
      rows.apply("Count", Count.globally()).apply("Print", ParDo.of(new PrintFn()));
    } else {
      rows.apply("Tally", ParDo.of(new TallyFn()));
    }
  }

  /** Adds one per row to the count (every runner here runs its workers in this JVM). */
  static final class TallyFn extends DoFn<Row, Void> {
    @ProcessElement
    public void process(@Element Row r) {
      PrintFn.COUNT.increment();
    }
  }

  /** Keeps the count where main can print it (every runner here runs in this JVM). */
  static final class PrintFn extends DoFn<Long, Void> {
    static final LongAdder COUNT = new LongAdder();

    /** The count so far, set to 0 for the next pipeline. */
    static long take() {
      return COUNT.sumThenReset();
    }

    @ProcessElement
    public void process(@Element Long n) {
      COUNT.add(n);
    }
  }

  private static void bytes(String dataset, URI hub, int port, String column) throws Exception {
    try (CountingProxy proxy = new CountingProxy(port, hub)) {
      Map<String, String> env = new HashMap<>(System.getenv());
      env.put("HF_ENDPOINT", "http://127.0.0.1:" + port);
      HubClient.Settings client = HubClient.Settings.builder().environment(env).build();
      Map<String, Long> out = new LinkedHashMap<>();
      for (String c : new String[] {column, null}) {
        long before = proxy.downstream();
        Pipeline p =
            Pipeline.create(
                PipelineOptionsFactory.fromArgs(
                        "--runner=DirectRunner",
                        "--targetParallelism=2",
                        "--enforceImmutability=false",
                        "--enforceEncodability=false")
                    .create());
        HuggingFaceIO.Read read = HuggingFaceIO.read().from(dataset).withClient(client);
        if (c != null) read = read.withColumns(c);
        count(p.apply("Read", read));
        p.run().waitUntilFinish();
        out.put(c == null ? "all" : c, proxy.downstream() - before);
        out.put(c == null ? "all_rows" : "rows", PrintFn.take());
      }
      System.out.printf(
          "{\"column\": \"%s\", \"bytes_column\": %d, \"rows_column\": %d, \"bytes_all\": %d,"
              + " \"rows_all\": %d}%n",
          column, out.get(column), out.get("rows"), out.get("all"), out.get("all_rows"));
    }
  }

  /**
   * A TCP proxy on loopback that counts the bytes the server sends: everything a client downloads,
   * whatever the protocol does with them.
   */
  static final class CountingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final AtomicLong downstream = new AtomicLong();
    private final ExecutorService pumps =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "read-bench-proxy");
              t.setDaemon(true);
              return t;
            });

    CountingProxy(int port, URI target) throws IOException {
      this.target = new InetSocketAddress(target.getHost(), target.getPort());
      this.listener = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
      pumps.execute(this::accept);
    }

    long downstream() {
      return downstream.get();
    }

    private void accept() {
      while (!listener.isClosed()) {
        try {
          Socket client = listener.accept();
          Socket server = new Socket(target.getAddress(), target.getPort());
          pumps.execute(() -> pump(client, server, null));
          pumps.execute(() -> pump(server, client, downstream));
        } catch (IOException e) {
          if (!listener.isClosed()) System.err.println("proxy: " + e);
        }
      }
    }

    private static void pump(Socket from, Socket to, AtomicLong counter) {
      byte[] buf = new byte[1 << 16];
      try (InputStream in = from.getInputStream()) {
        OutputStream out = to.getOutputStream();
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          if (counter != null) counter.addAndGet(n);
        }
        to.shutdownOutput();
      } catch (IOException e) {
        // one side closed: close both
        try {
          from.close();
          to.close();
        } catch (IOException ignored) {
          // already closed
        }
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      pumps.shutdownNow();
    }
  }
}
