package io.hfbeam.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hub.HubClient;
import io.hfbeam.source.DatasetFiles;
import io.hfbeam.source.DatasetRef;
import io.hfbeam.source.HubDatasetFiles;
import io.hfbeam.source.LocalDatasetFiles;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation explorer: the page (static files from the jar, under {@code /}) and its JSON API
 * (under {@code /api/}) over a checkpoint set. Read-only: only GET and HEAD are answered.
 */
public final class ExplorerServer implements Closeable {
  private static final Logger LOG = LoggerFactory.getLogger(ExplorerServer.class);
  private static final Pattern ASSET = Pattern.compile("[a-z0-9][a-z0-9._-]{0,60}");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png",
          "txt", "text/plain; charset=utf-8");

  /** Where to listen; port 0 picks a free one. */
  public record Options(String host, int port, int cachedRowGroups) {
    public static Options defaults() {
      return new Options("127.0.0.1", 8080, 32);
    }

    public Options withHost(String h) {
      return new Options(h, port, cachedRowGroups);
    }

    public Options withPort(int p) {
      return new Options(host, p, cachedRowGroups);
    }
  }

  private final Server server;
  private final ServerConnector connector;
  private final String host;
  // set once the index is built; until then the API answers 503 (the port is bound first, so a
  // port in use fails before minutes of indexing)
  private volatile Checkpoints checkpoints;
  private volatile ExplorerIndex index;
  private volatile ExplorerApi api;

  private ExplorerServer(Options options) {
    QueuedThreadPool pool = new QueuedThreadPool(16, 2);
    pool.setName("explorer");
    pool.setDaemon(true);
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(options.host());
    connector.setPort(options.port());
    server.addConnector(connector);
    server.setHandler(new Pages(this));
    host = options.host();
  }

  /**
   * Binds the port, opens the checkpoint set (footers and the small index), then serves it. A stage
   * that is missing or damaged is reported by the page, not here.
   */
  public static ExplorerServer start(DatasetFiles files, Options options) throws IOException {
    ExplorerServer s = new ExplorerServer(options);
    try {
      s.server.start();
    } catch (Exception e) {
      s.close();
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) root = root.getCause();
      if (root instanceof java.net.BindException) {
        throw new IOException(
            "could not serve on "
                + options.host()
                + ":"
                + options.port()
                + ": "
                + root.getMessage()
                + " (choose another --port, or --port 0 for any free one)");
      }
      throw new IOException(
          "could not serve on " + options.host() + ":" + options.port() + ": " + e.getMessage(), e);
    }
    try {
      s.checkpoints = Checkpoints.open(files, options.cachedRowGroups());
      s.index = ExplorerIndex.build(s.checkpoints);
      s.api = new ExplorerApi(s.index);
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
    LOG.info("Explorer of {} at {}", files.describe(), s.url());
    return s;
  }

  /**
   * The checkpoint set a user names: a local directory, or {@code hf://datasets/owner/name[@rev]}
   * read with range requests (only footers, then the row groups and columns a view needs).
   */
  public static DatasetFiles files(String reference, HubClient.Settings hub) throws IOException {
    DatasetRef ref = DatasetRef.parse(reference);
    if (ref.directory().isPresent()) {
      return new LocalDatasetFiles(ref.directory().get().toAbsolutePath().normalize());
    }
    return HubDatasetFiles.open(hub, ref.repo().get(), ref.revision().orElse(null), true);
  }

  public String url() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    if (h.equals("0.0.0.0") || h.equals("[::]")) h = "127.0.0.1";
    return "http://" + h + ":" + port() + "/";
  }

  public int port() {
    return connector.getLocalPort();
  }

  /** Conversations in the index, and how long the index took to build. */
  public String summary() {
    long present = checkpoints.stages().stream().filter(Checkpoints.Stage::present).count();
    return index.size()
        + " conversations, "
        + index.nodes.size()
        + " clusters, "
        + present
        + " of "
        + checkpoints.stages().size()
        + " stages present, indexed in "
        + index.buildMillis
        + " ms";
  }

  /** The stages that are not there, each with the reason (for the command's output). */
  public List<String> missingStages() {
    List<String> out = new ArrayList<>();
    for (Checkpoints.Stage s : checkpoints.stages()) {
      if (!s.present()) out.add(s.name() + ": " + s.reason());
    }
    return out;
  }

  ExplorerIndex index() {
    return index;
  }

  public void join() throws InterruptedException {
    server.join();
  }

  @Override
  public void close() throws IOException {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Explorer did not stop cleanly: {}", e.toString());
    } finally {
      if (checkpoints != null) checkpoints.close();
    }
  }

  private static final class Pages extends Handler.Abstract {
    private final ExplorerServer owner;

    Pages(ExplorerServer owner) {
      this.owner = owner;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      String method = request.getMethod();
      try {
        if (!method.equals("GET") && !method.equals("HEAD")) {
          response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
          throw new ApiException(405, "read-only: " + method + " is not allowed");
        }
        if (path.startsWith("/api/")) {
          Map<String, List<String>> query = new LinkedHashMap<>();
          Fields fields = Request.extractQueryParameters(request);
          for (Fields.Field f : fields) query.put(f.getName(), f.getValues());
          ExplorerApi api = owner.api;
          if (api == null) throw new ApiException(503, "the checkpoints are still being indexed");
          send(response, callback, 200, "application/json", json(api.answer(path, query)));
          return true;
        }
        String name = path.equals("/") ? "index.html" : path.substring(1);
        if (!ASSET.matcher(name).matches() || name.contains("..")) {
          throw new ApiException(404, "no page " + path);
        }
        byte[] bytes;
        try (InputStream in = ExplorerServer.class.getResourceAsStream("/explorer/" + name)) {
          if (in == null) throw new ApiException(404, "no page " + path);
          bytes = in.readAllBytes();
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        send(response, callback, 200, TYPES.getOrDefault(ext, "application/octet-stream"), bytes);
      } catch (ApiException e) {
        sendError(response, callback, e.status, e.getMessage());
      } catch (org.eclipse.jetty.io.EofException e) {
        // the browser went away (a new view replaced the request): nothing to answer
        callback.failed(e);
      } catch (Exception e) {
        LOG.warn("{} failed: {}", path, e.toString());
        sendError(response, callback, 500, Checkpoints.oneLine(e));
      }
      return true;
    }

    private static byte[] json(JsonNode v) throws IOException {
      return Values.JSON.writeValueAsBytes(v);
    }

    private static void sendError(Response response, Callback callback, int status, String msg) {
      ObjectNode o = Values.NODES.objectNode();
      o.put("error", msg);
      try {
        send(response, callback, status, "application/json", json(o));
      } catch (IOException e) {
        callback.failed(e);
      }
    }

    private static void send(
        Response response, Callback callback, int status, String type, byte[] bytes)
        throws IOException {
      response.setStatus(status);
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      try (OutputStream out = Content.Sink.asOutputStream(response)) {
        out.write(bytes);
      }
      callback.succeeded();
    }
  }
}
