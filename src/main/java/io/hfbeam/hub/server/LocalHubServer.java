package io.hfbeam.hub.server;

import java.io.IOException;
import java.nio.file.Path;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.ConnectionStatistics;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Hugging Face Hub on loopback, faithful enough for huggingface_hub, @huggingface/hub and datasets to work
 * against it unmodified ({@code HF_ENDPOINT=url()}, any {@code hf_...} token). Repositories live under
 * {@code dataDir} and survive restarts.
 */
public final class LocalHubServer implements AutoCloseable {
  /**
   * @param user name whoami returns and commits are authored by
   * @param treePageSize entries per tree page before a Link to the next page
   * @param commitsPageSize commits per page of the commits listing
   * @param multipartThreshold LFS objects larger than this are uploaded in parts
   * @param multipartChunkSize part size of multipart uploads; 0 disables multipart
   */
  public record Options(String user, int treePageSize, int commitsPageSize, long multipartThreshold,
                        long multipartChunkSize) {
    public static Options defaults() {
      return new Options("hfbeam-local", 1000, 50, 64L << 20, 16L << 20);
    }

    public Options withUser(String name) {
      return new Options(name, treePageSize, commitsPageSize, multipartThreshold, multipartChunkSize);
    }

    public Options withPageSizes(int tree, int commits) {
      return new Options(user, tree, commits, multipartThreshold, multipartChunkSize);
    }

    public Options withMultipart(long threshold, long chunkSize) {
      return new Options(user, treePageSize, commitsPageSize, threshold, chunkSize);
    }
  }

  private static final int INPUT_BUFFER = 64 << 10;

  private final Server server;
  private final ServerConnector connector;
  private final Faults faults = new Faults();
  private final ConnectionStatistics traffic = new ConnectionStatistics();

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
    // Uploads are read in chunks of this size, each a blocking-read round trip in Jetty: 8 KB (the default)
    // made a 25 MB LFS upload take 3200 of them.
    factory.setInputBufferSize(INPUT_BUFFER);
    connector = new ServerConnector(server, factory);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    connector.addBean(traffic);
    server.addConnector(connector);
    server.setHandler(new HubHandler(new RepoStore(dataDir), options, faults));
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
      throw new IOException("Could not start the local Hub on port " + port + ": " + e.getMessage(), e);
    }
    return hub;
  }

  /** Base URL, e.g. {@code http://127.0.0.1:41234}, to use as HF_ENDPOINT. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public int port() {
    return connector.getLocalPort();
  }

  public Faults faults() {
    return faults;
  }

  /**
   * Bytes received from clients since start (request lines, headers and bodies): what clients uploaded, on
   * closed connections and on the ones still open (kept alive).
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
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("Could not stop the local Hub", e);
    }
  }
}
