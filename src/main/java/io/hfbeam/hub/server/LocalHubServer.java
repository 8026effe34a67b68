package io.hfbeam.hub.server;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hugging Face Hub on loopback, faithful enough for huggingface_hub, @huggingface/hub and
 * datasets to work against it unmodified ({@code HF_ENDPOINT=url()}, a token of {@link
 * Options#users()}). Repositories live under {@code dataDir} and survive restarts.
 */
public final class LocalHubServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalHubServer.class);

  /**
   * @param users the accounts and their tokens; without any, public repos can be read and nothing
   *     written
   * @param treePageSize entries per tree page (and per page of a repo listing, /api/datasets)
   *     before a Link to the next page
   * @param commitsPageSize commits per page of the commits listing
   * @param multipartThreshold LFS objects larger than this are uploaded in parts
   * @param multipartChunkSize part size of multipart uploads; 0 disables multipart
   * @param maxBodyBytes largest commit (NDJSON, inline files base64) body; larger gets 413
   * @param uploadTtl how long an LFS upload (or part) not yet in any commit is kept, and its upload
   *     URLs valid
   * @param allowedHosts Host header values answered besides 127.0.0.1 and localhost on the port
   *     served: a name (any port) or name:port
   * @param publicUrl base of every absolute URL the server returns, when clients reach it through a
   *     proxy; null for the Host the client used
   */
  public record Options(
      Users users,
      int treePageSize,
      int commitsPageSize,
      long multipartThreshold,
      long multipartChunkSize,
      long maxBodyBytes,
      Duration uploadTtl,
      List<String> allowedHosts,
      String publicUrl,
      java.util.Set<String> gated) {
    public Options {
      allowedHosts = List.copyOf(allowedHosts);
      gated = java.util.Set.copyOf(gated);
    }

    public static Options defaults() {
      return new Options(
          Users.none(),
          1000,
          50,
          64L << 20,
          16L << 20,
          64L << 20,
          Duration.ofHours(24),
          List.of(),
          null,
          java.util.Set.of());
    }

    public Options withUsers(Users all) {
      return new Options(
          all,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          uploadTtl,
          allowedHosts,
          publicUrl,
          gated);
    }

    /**
     * Makes a repo ({@code type/owner/name}, e.g. {@code datasets/alice/x}) gated: its files are
     * served only to members of its namespace; everyone else gets the Hub's GatedRepo answer (401
     * without a token, 403 with one), while its info and file list stay visible, as on the Hub.
     */
    public Options withGated(String typeAndId) {
      java.util.Set<String> g = new java.util.HashSet<>(gated);
      g.add(typeAndId);
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          uploadTtl,
          allowedHosts,
          publicUrl,
          g);
    }

    /** Adds an account reached with {@code token}, member of {@code orgs}. */
    public Options withToken(String token, String user, String... orgs) {
      return withUsers(users.with(token, user, orgs));
    }

    public Options withPageSizes(int tree, int commits) {
      return new Options(
          users,
          tree,
          commits,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          uploadTtl,
          allowedHosts,
          publicUrl,
          gated);
    }

    public Options withMultipart(long threshold, long chunkSize) {
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          threshold,
          chunkSize,
          maxBodyBytes,
          uploadTtl,
          allowedHosts,
          publicUrl,
          gated);
    }

    public Options withMaxBodyBytes(long bytes) {
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          bytes,
          uploadTtl,
          allowedHosts,
          publicUrl,
          gated);
    }

    public Options withUploadTtl(Duration ttl) {
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          ttl,
          allowedHosts,
          publicUrl,
          gated);
    }

    public Options withAllowedHosts(List<String> hosts) {
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          uploadTtl,
          hosts,
          publicUrl,
          gated);
    }

    public Options withPublicUrl(String url) {
      return new Options(
          users,
          treePageSize,
          commitsPageSize,
          multipartThreshold,
          multipartChunkSize,
          maxBodyBytes,
          uploadTtl,
          allowedHosts,
          url,
          gated);
    }
  }

  private static final int INPUT_BUFFER = 64 << 10;
  private static final String BIND_HOST = "127.0.0.1";

  private final Server server;
  private final ServerConnector connector;
  private final Faults faults = new Faults();
  private final ConnectionStatistics traffic = new ConnectionStatistics();
  private final RepoStore store;
  private final Duration uploadTtl;
  private final ScheduledExecutorService sweeper;

  private LocalHubServer(int port, Path dataDir, Options options) throws IOException {
    QueuedThreadPool threads = new QueuedThreadPool(64, 4);
    threads.setName("local-hub");
    threads.setDaemon(true);
    server = new Server(threads);
    HttpConfiguration http = new HttpConfiguration();
    // Python sends repo paths with "/" encoded as %2F; Jetty's default rejects that as ambiguous.
    http.setUriCompliance(UriCompliance.LEGACY);
    http.setSendServerVersion(false);
    HttpConnectionFactory factory = new HttpConnectionFactory(http);
    // Uploads are read in chunks of this size, each a blocking-read round trip in Jetty: the 8 KB
    // default makes a large LFS upload thousands of them.
    factory.setInputBufferSize(INPUT_BUFFER);
    connector = new ServerConnector(server, factory);
    connector.setHost(BIND_HOST);
    connector.setPort(port);
    connector.addBean(traffic);
    server.addConnector(connector);
    store = new RepoStore(dataDir);
    Hosts hosts =
        new Hosts(BIND_HOST, connector::getLocalPort, options.allowedHosts(), options.publicUrl());
    server.setHandler(new HubHandler(store, options, faults, hosts));
    uploadTtl = options.uploadTtl();
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "local-hub-sweeper");
              t.setDaemon(true);
              return t;
            });
    // Often enough that an upload outlives its TTL by at most half of it; at start too, for
    // leftovers of a past run.
    long period =
        Math.max(50, Math.min(uploadTtl.toMillis() / 2, Duration.ofMinutes(10).toMillis()));
    sweeper.scheduleWithFixedDelay(this::sweepUploads, 0, period, TimeUnit.MILLISECONDS);
  }

  /** Deletes LFS uploads and parts that no commit names and that are older than the upload TTL. */
  int sweepUploads() {
    try {
      return store.sweepUploads(uploadTtl);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not sweep expired uploads: {}", e.toString());
      return 0;
    }
  }

  /** Starts on {@code port} (0 picks a free one) on 127.0.0.1. */
  public static LocalHubServer start(int port, Path dataDir) throws IOException {
    return start(port, dataDir, Options.defaults());
  }

  public static LocalHubServer start(int port, Path dataDir, Options options) throws IOException {
    LocalHubServer hub = new LocalHubServer(port, dataDir, options);
    try {
      hub.server.start();
    } catch (Exception e) {
      hub.close();
      throw new IOException(
          "Could not start the local Hub on port " + port + ": " + e.getMessage(), e);
    }
    return hub;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:41234}, to use as HF_ENDPOINT. */
  public String url() {
    return "http://" + BIND_HOST + ":" + port();
  }

  public int port() {
    return connector.getLocalPort();
  }

  public Faults faults() {
    return faults;
  }

  /**
   * Bytes received from clients since start (request lines, headers and bodies): what clients
   * uploaded, on closed connections and on the ones still open (kept alive).
   */
  public long receivedBytes() {
    long open = 0;
    for (EndPoint e : connector.getConnectedEndPoints()) {
      Connection c = e.getConnection();
      if (c != null) open += c.getBytesIn();
    }
    return traffic.getReceivedBytes() + open;
  }

  /** Blocks until the server stops (for {@code hub serve}). */
  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Could not stop the local Hub", e);
    }
  }
}
