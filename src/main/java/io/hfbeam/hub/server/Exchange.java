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
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** One request and its answer, with the few helpers every endpoint needs. Blocking I/O is fine here. */
final class Exchange {
  static final ObjectMapper JSON = new ObjectMapper();

  final Request request;
  final Response response;
  final Callback callback;
  final String method;
  /** The raw path split on "/", each segment percent-decoded: "%2F" inside a segment stays one segment. */
  final List<String> segments;
  final Map<String, List<String>> query;
  private byte[] body;

  Exchange(Request request, Response response, Callback callback) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.method = request.getMethod();
    this.segments = Arrays.stream(rawPath().split("/")).filter(s -> !s.isEmpty()).map(Exchange::decode).toList();
    this.query = parseForm(request.getHttpURI().getQuery());
  }

  String rawPath() {
    return request.getHttpURI().getPath();
  }

  /** Absolute base URL as the client reached us, for Link headers and upload hrefs. */
  String baseUrl() {
    String host = request.getHeaders().get(HttpHeader.HOST);
    return "http://" + (host != null ? host : request.getHttpURI().getAuthority());
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

  /** The Bearer token, or null. */
  String token() {
    String auth = header("Authorization");
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    return auth.substring(7).trim();
  }

  synchronized byte[] body() throws IOException {
    if (body == null) {
      try (InputStream in = Content.Source.asInputStream(request)) {
        body = in.readAllBytes();
      }
    }
    return body;
  }

  InputStream bodyStream() throws IOException {
    return body != null ? new java.io.ByteArrayInputStream(body) : Content.Source.asInputStream(request);
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
    header("X-Error-Message", error.getMessage());
    sendJson(error.status, error.body());
  }

  static Map<String, List<String>> parseForm(String encoded) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (encoded == null || encoded.isEmpty()) return out;
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
    }
    return out;
  }

  /** Percent-decoding for a path segment: unlike form decoding, "+" stays a plus. */
  static String decode(String segment) {
    return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
