package io.hfbeam.bench;

import com.sun.net.httpserver.HttpServer;
import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.hub.CommitEntry;
import io.hfbeam.hub.CommitInfo;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubPublish;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.RetryPolicy;
import io.hfbeam.hub.server.Fault;
import io.hfbeam.hub.server.LocalHubServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.MetricNameFilter;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.apache.beam.sdk.transforms.Create;

/**
 * The figures of issue 4, measured against a {@link LocalHubServer} started in this JVM on
 * loopback: commits per 1,000 files published through {@link HubPublish} (the pipelines' grouping,
 * 50 files per commit), bytes and commits of an unchanged re-run, upload throughput of {@link
 * HubClient#createCommit} next to a plain loopback HTTP PUT of the same bytes, and a publish with
 * 20% of requests failing. Prints a markdown table.
 *
 * <p>usage: {@code HubBench WORK_DIR [small_files=1000] [small_kb=10] [big_files=20] [big_mb=25]
 * [reps=3]}
 */
public final class HubBench {
  static final String TOKEN = "hf_" + "testtokenxxxxxxxxxxxxxxxxxxxxxxxxxx";
  private static final PrintStream OUT = System.out;

  private final Path work;

  private HubBench(Path work) {
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: HubBench WORK_DIR [small_files=1000] [small_kb=10] [big_files=20] [big_mb=25] [reps=3]");
      System.exit(2);
    }
    Path work = Path.of(args[0]);
    int smallFiles = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
    int smallKb = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    int bigFiles = args.length > 3 ? Integer.parseInt(args[3]) : 20;
    int bigMb = args.length > 4 ? Integer.parseInt(args[4]) : 25;
    int reps = args.length > 5 ? Integer.parseInt(args[5]) : 3;
    deleteTree(work);
    Files.createDirectories(work);
    HubBench bench = new HubBench(work);
    OUT.println("| figure | measured | goal |");
    OUT.println("| --- | ---: | ---: |");
    bench.publishAndRerun(smallFiles, smallKb);
    bench.throughput(bigFiles, bigMb, reps);
    bench.faulty(smallFiles, smallKb);
    deleteTree(work);
  }

  // ---- 1 and 2: commits per 1,000 files, and the unchanged re-run

  private void publishAndRerun(int n, int kb) throws Exception {
    List<WrittenFile> files = smallFiles(work.resolve("small"), n, kb);
    try (LocalHubServer hub = LocalHubServer.start(0, work.resolve("hub-publish"), benchHub())) {
      Map<String, String> env = env(hub, "hf-publish");
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      RepoId repo = RepoId.dataset("bench/publish");

      long in0 = hub.receivedBytes();
      long objects0 = objectBytes(work.resolve("hub-publish"));
      long t0 = System.nanoTime();
      Counters first = publish(files, repo, HubClient.Settings.builder().environment(env).build());
      double firstSecs = (System.nanoTime() - t0) / 1e9;
      int commits = client.listCommits(repo, "main").size() - 1; // minus the repo's initial commit
      long in1 = hub.receivedBytes();
      long objects1 = objectBytes(work.resolve("hub-publish"));
      row(
          String.format(
              "commits per %,d files published (HubPublish, DirectRunner, 50 files/commit)", n),
          String.format(
              "**%d** (%.1f s, %,d files of %d KB, %s received by the server, %s new objects)",
              commits, firstSecs, n, kb, mb(in1 - in0), mb(objects1 - objects0)),
          "<= 20");
      check(
          first.commits == commits,
          "publish counter says " + first.commits + " commits, the server has " + commits);
      check(
          verify(client, repo, files),
          "first publish: the server's files differ from the local ones");

      t0 = System.nanoTime();
      Counters again = publish(files, repo, HubClient.Settings.builder().environment(env).build());
      double againSecs = (System.nanoTime() - t0) / 1e9;
      int commitsAfter = client.listCommits(repo, "main").size() - 1;
      long in2 = hub.receivedBytes();
      long objects2 = objectBytes(work.resolve("hub-publish"));
      row(
          "unchanged re-run: file bytes uploaded / commits made",
          String.format(
              "**%d B / %d** (%.1f s; %,d files skipped; server stored %d new bytes; %s of API requests"
                  + " received: paths-info, tree, commits)",
              again.bytesUploaded,
              commitsAfter - commits,
              againSecs,
              again.filesSkipped,
              objects2 - objects1,
              mb(in2 - in1)),
          "0 / 0");
    }
  }

  private record Counters(long commits, long bytesUploaded, long filesSkipped) {}

  private static Counters publish(List<WrittenFile> files, RepoId repo, HubClient.Settings client) {
    Pipeline p = Pipeline.create(PipelineOptionsFactory.fromArgs("--runner=DirectRunner").create());
    p.apply("Files", Create.of(files).withCoder(SerializableCoder.of(WrittenFile.class)))
        .apply("Publish", HubPublish.to(repo.id()).client(client).build());
    PipelineResult result = p.run();
    result.waitUntilFinish();
    return new Counters(
        counter(result, "commits"),
        counter(result, "bytes_uploaded"),
        counter(result, "files_skipped"));
  }

  private static long counter(PipelineResult result, String name) {
    MetricQueryResults q =
        result
            .metrics()
            .queryMetrics(
                MetricsFilter.builder()
                    .addNameFilter(MetricNameFilter.named("publish", name))
                    .build());
    long sum = 0;
    for (MetricResult<Long> c : q.getCounters()) sum += c.getAttempted();
    return sum;
  }

  // ---- 3: throughput against a plain loopback copy

  private void throughput(int n, int mbEach, int reps) throws Exception {
    Path src = work.resolve("big");
    Files.createDirectories(src);
    Random random = new Random(42);
    byte[] buf = new byte[mbEach << 20];
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      random.nextBytes(buf);
      files.add(Files.write(src.resolve(String.format("part-%03d.parquet", i)), buf));
    }
    long total = (long) n * buf.length;
    buf = null;

    List<Double> plain = new ArrayList<>();
    List<Double> hub = new ArrayList<>();
    List<Double> hash = new ArrayList<>();
    List<Double> plainCpu = new ArrayList<>();
    List<Double> hubCpu = new ArrayList<>();
    for (int rep = 0; rep < reps; rep++) {
      // alternate the order so that neither side always runs on a warmer page cache or JIT
      for (int side = 0; side < 2; side++) {
        long c0 = cpuNanos();
        if ((side == 0) == (rep % 2 == 0)) {
          plain.add(plainCopy(files));
          plainCpu.add((cpuNanos() - c0) / 1e9);
        } else {
          hub.add(hubUpload(files, rep));
          hubCpu.add((cpuNanos() - c0) / 1e9);
        }
      }
      long t0 = System.nanoTime();
      for (Path f : files) GitOids.sha256(f);
      hash.add((System.nanoTime() - t0) / 1e9);
    }
    double plainBest = plain.stream().min(Double::compare).orElseThrow();
    double hubBest = hub.stream().min(Double::compare).orElseThrow();
    double mbTotal = total / 1e6;
    row(
        String.format(
            "plain loopback HTTP PUT of %d x %d MB (JDK HttpClient -> JDK HttpServer -> file), best of %d",
            n, mbEach, reps),
        String.format("%.0f MB/s (runs: %s)", mbTotal / plainBest, rates(mbTotal, plain)),
        "");
    row(
        String.format(
            "HubClient.createCommit of the same files to the local Hub (LFS), best of %d", reps),
        String.format("%.0f MB/s (runs: %s)", mbTotal / hubBest, rates(mbTotal, hub)),
        "");
    row(
        "upload throughput ratio, Hub / plain copy (best against best; median against median)",
        String.format("**%.2fx** (%.2fx)", plainBest / hubBest, median(plain) / median(hub)),
        ">= 0.7x");
    row(
        "CPU seconds of this process (client and server) per run, median: plain copy / Hub",
        String.format(
            "%.2f s / %.2f s (%.2fx)",
            median(plainCpu), median(hubCpu), median(plainCpu) / median(hubCpu)),
        "");
    row(
        "for reference: sha256 of the same bytes alone, one thread",
        String.format("%.0f MB/s", mbTotal / hash.stream().min(Double::compare).orElseThrow()),
        "");
    deleteTree(src);
  }

  /**
   * PUTs each file to a throwaway JDK HttpServer on loopback that writes the body to a file;
   * seconds taken.
   */
  private double plainCopy(List<Path> files) throws IOException, InterruptedException {
    Path dest = work.resolve("plain-dest");
    Files.createDirectories(dest);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/",
        ex -> {
          Path target =
              dest.resolve(Path.of(ex.getRequestURI().getPath()).getFileName().toString());
          try (InputStream in = ex.getRequestBody();
              OutputStream out = Files.newOutputStream(target)) {
            in.transferTo(out);
          }
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    server.start();
    try {
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
      long t0 = System.nanoTime();
      for (Path f : files) {
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(URI.create(base + f.getFileName()))
                    .PUT(HttpRequest.BodyPublishers.ofFile(f))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        check(r.statusCode() == 200, "plain PUT answered " + r.statusCode());
      }
      return (System.nanoTime() - t0) / 1e9;
    } finally {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
      deleteTree(dest);
    }
  }

  /**
   * One commit of all files to a fresh local Hub (objects are content-addressed, so each run starts
   * empty).
   */
  private double hubUpload(List<Path> files, int rep) throws IOException {
    Path data = work.resolve("hub-throughput-" + rep);
    try (LocalHubServer hub = LocalHubServer.start(0, data, benchHub())) {
      HubClient client =
          HubClient.Settings.builder().environment(env(hub, "hf-throughput")).build().newClient();
      RepoId repo = RepoId.dataset("bench/throughput");
      client.createRepo(repo, false, true);
      List<CommitOperation> ops = new ArrayList<>();
      for (Path f : files) ops.add(CommitOperation.add("data/" + f.getFileName(), f));
      long t0 = System.nanoTime();
      CommitInfo info =
          client.createCommit(repo, "main", ops, "Add " + files.size() + " files", null);
      double secs = (System.nanoTime() - t0) / 1e9;
      check(info.created(), "throughput commit was not made");
      return secs;
    } finally {
      deleteTree(data);
    }
  }

  // ---- 4: 20% of requests failing

  private void faulty(int n, int kb) throws Exception {
    List<WrittenFile> files = smallFiles(work.resolve("small"), n, kb);
    try (LocalHubServer hub = LocalHubServer.start(0, work.resolve("hub-faulty"), benchHub())) {
      Map<String, String> env = env(hub, "hf-faulty");
      RepoId repo = RepoId.dataset("bench/faulty");
      int batches = (n + 49) / 50;
      hub.faults().random(0.2, ".*", 7, Fault.STATUS_429, Fault.STATUS_503, Fault.RESET);
      long t0 = System.nanoTime();
      publish(
          files,
          repo,
          HubClient.Settings.builder()
              .environment(env)
              .retry(
                  RetryPolicy.of(15, Duration.ofMillis(5), Duration.ofMillis(50))
                      .withMaxRetryAfter(Duration.ofMillis(20)))
              .build());
      double secs = (System.nanoTime() - t0) / 1e9;
      int injected = hub.faults().injected();
      hub.faults().clear();
      HubClient client = HubClient.Settings.builder().environment(env).build().newClient();
      List<CommitEntry> commits = client.listCommits(repo, "main");
      boolean exact = verify(client, repo, files);
      row(
          String.format(
              "%,d files with 20%% of requests failing (429, 503, reset; seed 7; retries 5-50 ms)",
              n),
          String.format(
              "**files %s, %d commits for %d batches** (%,d faults injected, %.1f s)",
              exact ? "== expected (sha256)" : "DIFFER",
              commits.size() - 1,
              batches,
              injected,
              secs),
          "exact files, 1 commit/batch");
    }
  }

  // ---- helpers

  /** A local Hub where TOKEN is the user "bench", owner of the repos the benchmarks write. */
  private static LocalHubServer.Options benchHub() {
    return LocalHubServer.Options.defaults().withToken(TOKEN, "bench");
  }

  private Map<String, String> env(LocalHubServer hub, String home) {
    return Map.of(
        "HF_ENDPOINT",
        hub.url(),
        "HF_TOKEN",
        TOKEN,
        "HF_HOME",
        work.resolve(home).toString(),
        "HF_HUB_DISABLE_XET",
        "1",
        "HF_HUB_DISABLE_TELEMETRY",
        "1");
  }

  /**
   * {@code n} Parquet-like binary files of {@code kb} KB (random bytes behind a PAR1 magic), made
   * once.
   */
  private static List<WrittenFile> smallFiles(Path dir, int n, int kb) throws IOException {
    Random random = new Random(1);
    List<WrittenFile> out = new ArrayList<>();
    boolean make = !Files.isDirectory(dir);
    Files.createDirectories(dir.resolve("train"));
    for (int i = 0; i < n; i++) {
      String path = String.format("train/batch_%04d.parquet", i);
      Path f = dir.resolve(path);
      if (make) {
        byte[] b = new byte[kb * 1024];
        random.nextBytes(b);
        System.arraycopy("PAR1".getBytes(), 0, b, 0, 4);
        System.arraycopy("PAR1".getBytes(), 0, b, b.length - 4, 4);
        Files.write(f, b);
      }
      out.add(new WrittenFile("train", path, f.toString(), 1, Files.size(f), 0));
    }
    return out;
  }

  /**
   * Every published file is on the server with the local sha256 (downloaded and hashed), and
   * nothing else.
   */
  private static boolean verify(HubClient client, RepoId repo, List<WrittenFile> files)
      throws IOException {
    Map<String, String> expected = new TreeMap<>();
    for (WrittenFile f : files) expected.put(f.path(), GitOids.sha256(Path.of(f.localPath())));
    Map<String, String> actual = new TreeMap<>();
    for (RepoFile f : client.listFiles(repo, "main", "", true)) {
      if (f.directory() || f.path().equals(".gitattributes")) continue;
      actual.put(f.path(), GitOids.sha256(client.download(repo, "main", f.path())));
    }
    return expected.equals(actual);
  }

  private static long objectBytes(Path dataDir) throws IOException {
    Path objects = dataDir.resolve("objects");
    if (!Files.isDirectory(objects)) return 0;
    try (Stream<Path> s = Files.walk(objects)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> !p.getParent().getFileName().toString().equals("tmp"))
          .mapToLong(p -> p.toFile().length())
          .sum();
    }
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static String rates(double mb, List<Double> secs) {
    List<String> out = new ArrayList<>();
    for (double s : secs) out.add(String.format(Locale.ROOT, "%.0f", mb / s));
    return String.join(", ", out);
  }

  private static double median(List<Double> xs) {
    List<Double> s = new ArrayList<>(xs);
    s.sort(Comparator.naturalOrder());
    return s.size() % 2 == 1
        ? s.get(s.size() / 2)
        : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.2f MB", bytes / 1e6);
  }

  private static void row(String figure, String measured, String goal) {
    OUT.println("| " + figure + " | " + measured + " | " + goal + " |");
    OUT.flush();
  }

  private static void check(boolean ok, String what) {
    if (!ok) throw new IllegalStateException(what);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
