package io.hfbeam.hub.server;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The names the server answers for. A browser page on any site can make requests to 127.0.0.1 under
 * its own name (DNS rebinding); refusing unknown Host headers keeps such pages from reading repos,
 * and absolute URLs are only ever built from a known name.
 */
final class Hosts {
  private final String bindHost;
  private final IntSupplier port;

  /** Lower case; "name" matches on any port, "name:port" on that port only. */
  private final List<String> allowed;

  private final String publicUrl;

  Hosts(String bindHost, IntSupplier port, List<String> allowed, String publicUrl) {
    this.bindHost = bindHost;
    this.port = port;
    this.allowed = new ArrayList<>(allowed.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    this.publicUrl = publicUrl == null ? null : publicUrl.replaceAll("/+$", "");
    if (this.publicUrl != null) {
      URI uri = URI.create(this.publicUrl);
      if (uri.getHost() == null
          || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
        throw new IllegalArgumentException("the public URL must be http(s)://host[:port][/path]");
      }
      this.allowed.add(
          uri.getPort() < 0
              ? uri.getHost().toLowerCase(Locale.ROOT)
              : (uri.getHost() + ":" + uri.getPort()).toLowerCase(Locale.ROOT));
    }
  }

  /** The base of absolute URLs for this request, or null if its Host is not one we serve. */
  String baseUrl(Request request) {
    String host = request.getHeaders().get(HttpHeader.HOST);
    if (host == null) host = request.getHttpURI().getAuthority();
    if (host == null || !allowed(host.trim().toLowerCase(Locale.ROOT))) return null;
    return publicUrl != null ? publicUrl : "http://" + host.trim();
  }

  private boolean allowed(String host) {
    int p = port.getAsInt();
    for (String local : List.of("127.0.0.1", "localhost", bindHost)) {
      if (host.equals(local + ":" + p) || (p == 80 && host.equals(local))) return true;
    }
    int colon = host.lastIndexOf(':');
    String name = colon > host.lastIndexOf(']') ? host.substring(0, colon) : host;
    for (String a : allowed) {
      if (a.equals(host) || (a.indexOf(':') < 0 && a.equals(name))) return true;
    }
    return false;
  }

  String describe() {
    int p = port.getAsInt();
    // Not the configured names: whoever sends a wrong Host need not learn them.
    return "127.0.0.1:"
        + p
        + " and localhost:"
        + p
        + (allowed.isEmpty() ? "" : " and the configured names");
  }
}
