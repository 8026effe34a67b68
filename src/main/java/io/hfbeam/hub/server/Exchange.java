package io.hfbeam.hub.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request and its answer, with the few helpers every endpoint needs. Blocking I/O is fine here.
 */
final class Exchange {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Requests other than commits (capped by --max-body-mb) are small JSON (a preupload or LFS batch
   * of a few hundred files is ~200 KB).
   */
  static final long JSON_LIMIT = 4L << 20;

  final Request request;
  final Response response;
  final Callback callback;
  final String method;

  /**
   * The raw path split on "/", each segment percent-decoded: "%2F" inside a segment stays one
   * segment.
   */
  final List<String> segments;

  final Map<String, List<String>> query;
  private final Users users;
  private final String base;
  private final long jsonLimit;
  private byte[] body;
  private Optional<Users.User> user;

  /**
   * {@code base} is the scheme and authority absolute URLs start with, already checked against the
   * allowed hosts.
   */
  Exchange(
      Request request,
      Response response,
      Callback callback,
      Users users,
      String base,
      long maxBodyBytes) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.method = request.getMethod();
    this.users = users;
    this.base = base;
    this.jsonLimit = Math.min(JSON_LIMIT, maxBodyBytes);
    this.segments = split(rawPath());
    this.query = parseForm(request.getHttpURI().getQuery());
  }

  /**
   * Leading and trailing empty segments are dropped ("/x/" is "x"); empty ones inside are kept, so
   * that a file path with "//" reaches the path rules instead of being silently joined.
   */
  private static List<String> split(String path) {
    List<String> parts = new ArrayList<>(Arrays.asList(path.split("/", -1)));
    while (!parts.isEmpty() && parts.get(0).isEmpty()) parts.remove(0);
    while (!parts.isEmpty() && parts.get(parts.size() - 1).isEmpty())
      parts.remove(parts.size() - 1);
    return parts.stream().map(Exchange::decode).toList();
  }

  String rawPath() {
    return request.getHttpURI().getPath();
  }

  /**
   * Absolute base URL (the public URL, or an allowed Host the client used), for Link headers and
   * upload hrefs.
   */
  String baseUrl() {
    return base;
  }

  String header(String name) {
    return request.getHeaders().get(name);
  }

  String queryParam(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  boolean queryFlag(String name) {
    String value = queryParam(name);
    return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
  }

  /** The Bearer token, or null; only ever from this header, never from the URL. */
  private String token() {
    String auth = header("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String token = auth.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  /**
   * The caller's account; empty without a token, 401 for a token no user has (as the Hub, even on
   * public reads).
   */
  synchronized Optional<Users.User> user() {
    if (user == null) {
      String token = token();
      if (token == null) {
        user = Optional.empty();
      } else {
        user = users.authenticate(token);
        if (user.isEmpty())
          throw new HubError(401, null, "Invalid credentials in Authorization header");
      }
    }
    return user;
  }

  /**
   * The whole body, for the small JSON requests; 413 past {@code limit} bytes, refused before
   * reading if announced.
   */
  synchronized byte[] body(long limit) throws IOException {
    if (body == null) {
      try (InputStream in = bodyStream(limit)) {
        body = in.readAllBytes();
      }
    }
    return body;
  }

  byte[] body() throws IOException {
    return body(jsonLimit);
  }

  /**
   * The body as a stream of at most {@code limit} bytes: 413 before reading when Content-Length
   * says more.
   */
  InputStream bodyStream(long limit) throws IOException {
    if (body != null) return new java.io.ByteArrayInputStream(body);
    long announced = request.getLength();
    if (announced > limit) throw tooLarge(limit);
    return new LimitedInputStream(Content.Source.asInputStream(request), limit);
  }

  static HubError tooLarge(long limit) {
    return new HubError(413, null, "Request body larger than " + limit + " bytes");
  }

  /**
   * Counts what is read and stops with 413 one byte past the limit, for bodies sent without a
   * length.
   */
  private static final class LimitedInputStream extends java.io.FilterInputStream {
    private final long limit;
    private long count;

    LimitedInputStream(InputStream in, long limit) {
      super(in);
      this.limit = limit;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0 && ++count > limit) throw tooLarge(limit);
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, (int) Math.min(len, limit - count + 1));
      if (n > 0 && (count += n) > limit) throw tooLarge(limit);
      return n;
    }
  }

  JsonNode jsonBody() throws IOException {
    byte[] bytes = body();
    if (bytes.length == 0) return JSON.createObjectNode();
    try {
      return JSON.readTree(bytes);
    } catch (IOException e) {
      throw HubError.badRequest("Body is not valid JSON");
    }
  }

  void header(String name, String value) {
    response.getHeaders().put(name, value);
  }

  void sendJson(int status, Object value) throws IOException {
    sendBytes(status, "application/json; charset=utf-8", JSON.writeValueAsBytes(value));
  }

  void sendBytes(int status, String contentType, byte[] bytes) throws IOException {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
    try (OutputStream out = Content.Sink.asOutputStream(response)) {
      if (!"HEAD".equals(method)) out.write(bytes);
    }
    callback.succeeded();
  }

  void sendError(HubError error) throws IOException {
    if (error.errorCode != null) header("X-Error-Code", error.errorCode);
    // A path from the request can hold newlines; a header must not.
    if (body == null
        && (request.getLength() > 0
            || request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING))) {
      // The body was refused unread: close rather than read the rest of it to keep the connection.
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    header("X-Error-Message", error.getMessage().replaceAll("[^\\x20-\\x7e]", "?"));
    sendJson(error.status, error.body());
  }

  static Map<String, List<String>> parseForm(String encoded) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) return out;
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  /** Percent-decoding for a path segment: unlike form decoding, "+" stays a plus. */
  static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
