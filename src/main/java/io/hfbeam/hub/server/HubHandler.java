package io.hfbeam.hub.server;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes Hub URLs to the endpoint groups, after giving fault injection its turn. */
final class HubHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(HubHandler.class);

  private final Faults faults;
  private final Hosts hosts;
  private final Users users;
  private final long maxBodyBytes;
  private final RepoApi repos;
  private final CommitApi commits;
  private final LfsApi lfs;
  private final FileApi files;

  HubHandler(RepoStore store, LocalHubServer.Options options, Faults faults, Hosts hosts) {
    this.faults = faults;
    this.hosts = hosts;
    this.users = options.users();
    this.maxBodyBytes = options.maxBodyBytes();
    this.repos = new RepoApi(store, options);
    this.commits = new CommitApi(store, options);
    this.lfs = new LfsApi(store, options);
    this.files = new FileApi(store, options);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String base = hosts.baseUrl(request);
    if (base == null) {
      // A name we do not serve: a DNS-rebinding page or a misdirected client. Nothing of the
      // request is used.
      new Exchange(request, response, callback, Users.none(), "", 0)
          .sendError(
              new HubError(
                  421,
                  null,
                  "Misdirected request: this Hub answers only for "
                      + hosts.describe()
                      + " (hub serve --allowed-host NAME or --public-url URL to add one)"));
      return true;
    }
    Exchange ex;
    try {
      ex = new Exchange(request, response, callback, users, base, maxBodyBytes);
    } catch (IllegalArgumentException e) {
      Response.writeError(
          request, response, callback, 400, "Malformed percent-encoding in the URL");
      return true;
    }
    try {
      Optional<Fault> fault = faults.pick(ex.rawPath());
      if (fault.isPresent() && injected(ex, fault.get())) return true;
      route(ex);
    } catch (HubError e) {
      ex.sendError(e);
    } catch (IllegalArgumentException e) {
      ex.sendError(HubError.badRequest(e.getMessage()));
    } catch (RuntimeException | IOException e) {
      LOG.warn("{} {} failed", ex.method, ex.rawPath(), e);
      ex.sendError(new HubError(500, null, "Internal error: " + e.getClass().getSimpleName()));
    }
    return true;
  }

  /** Applies a fault; true when the request is fully answered (or aborted) by it. */
  private boolean injected(Exchange ex, Fault fault) throws IOException, InterruptedException {
    switch (fault.kind()) {
      case STATUS_429 -> {
        ex.header("Retry-After", "1");
        ex.header("RateLimit", "\"api\";r=0;t=1");
        ex.header("RateLimit-Policy", "\"fixed window\";\"api\";q=1000;w=300");
        ex.sendJson(
            429,
            Map.of(
                "error",
                "You have exceeded our hourly quotas for action: api. We invite you to retry later."));
        return true;
      }
      case STATUS_503 -> {
        ex.sendJson(503, Map.of("error", "Service temporarily unavailable (injected)"));
        return true;
      }
      case RESET -> {
        EndPoint endPoint = ex.request.getConnectionMetaData().getConnection().getEndPoint();
        if (endPoint.getTransport() instanceof NetworkChannel channel) {
          channel.setOption(StandardSocketOptions.SO_LINGER, 0); // RST rather than an orderly close
        }
        endPoint.close();
        // Nothing can be written on a closed connection; completing quietly avoids a logged error
        // page.
        ex.callback.succeeded();
        return true;
      }
      case SLOW -> {
        ex.body(maxBodyBytes); // read first: the work still happens if the client gives up while we
        // wait
        Thread.sleep(fault.millis());
        return false;
      }
      default -> throw new IllegalStateException("unknown fault " + fault);
    }
  }

  private void route(Exchange ex) throws IOException {
    List<String> s = ex.segments;
    String m = ex.method;
    int n = s.size();
    if (n >= 2 && s.get(0).equals("api")) {
      if (n == 2 && s.get(1).equals("whoami-v2") && m.equals("GET")) {
        repos.whoami(ex);
        return;
      }
      if (n == 3 && s.get(1).equals("repos") && s.get(2).equals("create") && m.equals("POST")) {
        repos.create(ex);
        return;
      }
      if (n == 2 && s.get(1).equals("validate-yaml") && m.equals("POST")) {
        commits.validateYaml(ex);
        return;
      }
      // exactly /api/datasets: "/api/datasets//" is an empty repo id, not the listing
      if (n == 2
          && Endpoints.REPO_TYPES.contains(s.get(1))
          && m.equals("GET")
          && ex.rawPath().equals("/api/" + s.get(1))) {
        repos.list(ex, s.get(1));
        return;
      }
      if (n >= 4 && Endpoints.REPO_TYPES.contains(s.get(1))) {
        routeRepoApi(ex, s.get(1), Names.repoId(s.get(2), s.get(3)), s.subList(4, n));
        return;
      }
    } else if (n >= 2 && s.get(0).equals("_lfs")) {
      if (n == 2 && s.get(1).equals("verify") && m.equals("POST")) {
        lfs.verify(ex);
        return;
      }
      if (n == 2 && m.equals("PUT")) {
        lfs.put(ex, s.get(1));
        return;
      }
      if (n == 4 && s.get(2).equals("part") && m.equals("PUT")) {
        lfs.putPart(ex, s.get(1), s.get(3));
        return;
      }
      if (n == 3 && s.get(2).equals("complete") && m.equals("POST")) {
        lfs.complete(ex, s.get(1));
        return;
      }
    } else if (n >= 3) {
      boolean typed = s.get(0).equals("datasets") || s.get(0).equals("spaces");
      String type = typed ? s.get(0) : "models";
      int at = typed ? 1 : 0;
      if (n >= at + 3) {
        String ns = s.get(at);
        String name = s.get(at + 1);
        List<String> rest = s.subList(at + 2, n);
        if (name.endsWith(".git")
            && rest.equals(List.of("info", "lfs", "objects", "batch"))
            && m.equals("POST")) {
          lfs.batch(ex, type, Names.repoId(ns, name.substring(0, name.length() - 4)));
          return;
        }
        boolean read = m.equals("GET") || m.equals("HEAD");
        if (read
            && rest.size() >= 3
            && (rest.get(0).equals("resolve") || rest.get(0).equals("raw"))) {
          files.serve(
              ex,
              type,
              Names.repoId(ns, name),
              rest.get(1),
              Names.path(String.join("/", rest.subList(2, rest.size()))),
              rest.get(0).equals("raw"));
          return;
        }
      }
    }
    throw new HubError(404, null, "Not found: " + m + " " + Names.show(ex.rawPath()));
  }

  private void routeRepoApi(Exchange ex, String type, String id, List<String> rest)
      throws IOException {
    String m = ex.method;
    if (rest.isEmpty() && m.equals("GET")) {
      repos.info(ex, type, id, "HEAD");
      return;
    }
    if (rest.size() < 2) throw new HubError(404, null, "Not found: " + m + " " + ex.rawPath());
    String op = rest.get(0);
    String rev = rest.get(1);
    switch (op + " " + m) {
      case "revision GET" -> repos.info(ex, type, id, rev);
      case "tree GET" ->
          repos.tree(ex, type, id, rev, String.join("/", rest.subList(2, rest.size())));
      case "paths-info POST" -> repos.pathsInfo(ex, type, id, rev);
      case "commits GET" -> repos.commits(ex, type, id, rev);
      case "branch POST" -> commits.createBranch(ex, type, id, rev);
      case "preupload POST" -> commits.preupload(ex, type, id, rev);
      case "commit POST" -> commits.commit(ex, type, id, rev);
      default -> throw new HubError(404, null, "Not found: " + m + " " + ex.rawPath());
    }
  }
}
