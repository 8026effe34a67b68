package io.hfbeam.hub.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Git LFS batch API with basic and multipart transfers, as the Hub speaks it. Upload hrefs point
 * back at this server under {@code /_lfs/} and, like the Hub's presigned URLs, need no
 * Authorization: they carry an HMAC of the oid, size and expiry instead, checked before any of the
 * body is read.
 */
final class LfsApi extends Endpoints {
  static final String LFS_JSON = "application/vnd.git-lfs+json";

  /**
   * Signs upload URLs; new at each start, so URLs of an earlier run no longer work (their uploads
   * expire too).
   */
  private final byte[] secret = new byte[32];

  LfsApi(RepoStore store, LocalHubServer.Options options) {
    super(store, options);
    new SecureRandom().nextBytes(secret);
  }

  void batch(Exchange ex, String typePlural, String id) throws IOException {
    RepoMeta repo = writableRepo(ex, typePlural, id);
    JsonNode body = ex.jsonBody();
    if (!"upload".equals(body.path("operation").asText())) {
      throw HubError.badRequest("Only the upload operation is supported by the local Hub");
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (JsonNode object : body.path("objects")) {
      String oid = object.path("oid").asText();
      long size = object.path("size").asLong(-1);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("oid", oid);
      out.put("size", size);
      if (!oid.matches("[0-9a-f]{64}") || size < 0) {
        out.put("error", Map.of("code", 422, "message", "Invalid oid or size"));
      } else if (!(store.usable(repo, oid) && store.touchObject(oid))) {
        // Also when another repo holds the object: uploading it proves its content is known.
        out.put("authenticated", true);
        out.put("actions", actions(ex, repo, oid, size));
      } // else: no actions, the client skips the upload (and the object's expiry starts again)
      objects.add(out);
    }
    byte[] bytes = Exchange.JSON.writeValueAsBytes(Map.of("transfer", "basic", "objects", objects));
    ex.sendBytes(200, LFS_JSON, bytes);
  }

  private Map<String, Object> actions(Exchange ex, RepoMeta repo, String oid, long size) {
    String base = ex.baseUrl() + "/_lfs/" + oid;
    long expires = System.currentTimeMillis() + options.uploadTtl().toMillis();
    String key = repoKey(repo);
    String signed =
        "?repo="
            + URLEncoder.encode(key, StandardCharsets.UTF_8)
            + "&size="
            + size
            + "&expires="
            + expires
            + "&sig="
            + sign(key, oid, size, expires);
    Map<String, Object> upload = new LinkedHashMap<>();
    upload.put("href", base + signed);
    long chunk = options.multipartChunkSize();
    if (size > options.multipartThreshold() && chunk > 0) {
      // Multipart: numbered part URLs plus chunk_size in the header; href becomes the completion
      // URL.
      Map<String, String> header = new LinkedHashMap<>();
      header.put("chunk_size", Long.toString(chunk));
      long parts = (size + chunk - 1) / chunk;
      for (int i = 1; i <= parts; i++)
        header.put(String.format("%05d", i), base + "/part/" + i + signed);
      upload.put("header", header);
      upload.put("href", base + "/complete" + signed);
    }
    return Map.of(
        "upload",
        upload,
        "verify",
        Map.of(
            "href",
            ex.baseUrl() + "/_lfs/verify?repo=" + URLEncoder.encode(key, StandardCharsets.UTF_8)));
  }

  private static String repoKey(RepoMeta repo) {
    return repo.type() + "/" + repo.id();
  }

  private String sign(String repo, String oid, long size, long expires) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of()
          .formatHex(
              mac.doFinal(
                  (repo + ":" + oid + ":" + size + ":" + expires)
                      .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a signed upload URL allows: an object of this size, for this repo. */
  private record Signed(long size, RepoMeta repo) {}

  /** The signed upload URL's terms: 401 without a signature, 403 for a wrong or expired one. */
  private Signed signed(Exchange ex, String oid) {
    if (!oid.matches("[0-9a-f]{64}")) throw HubError.badRequest("Invalid oid");
    String sig = ex.queryParam("sig");
    String size = ex.queryParam("size");
    String expires = ex.queryParam("expires");
    String repo = ex.queryParam("repo");
    if (sig == null || size == null || expires == null || repo == null) {
      throw new HubError(401, null, "Upload URLs come signed from the LFS batch endpoint");
    }
    long bytes;
    long until;
    try {
      bytes = Long.parseLong(size);
      until = Long.parseLong(expires);
    } catch (NumberFormatException e) {
      throw new HubError(403, null, "Invalid upload signature");
    }
    byte[] expected = sign(repo, oid, bytes, until).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, sig.getBytes(StandardCharsets.US_ASCII))) {
      throw new HubError(403, null, "Invalid upload signature");
    }
    if (System.currentTimeMillis() > until)
      throw new HubError(403, null, "Upload URL expired, ask the batch endpoint again");
    int slash = repo.indexOf('/');
    RepoMeta meta =
        store
            .repo(repo.substring(0, slash), repo.substring(slash + 1))
            .orElseThrow(HubError::repoNotFound);
    return new Signed(bytes, meta);
  }

  /** PUT /_lfs/{oid}?size=N&...: a basic upload, streamed to disk, never more than N bytes read. */
  void put(Exchange ex, String oid) throws IOException {
    Signed signed = signed(ex, oid);
    long size = signed.size();
    try (InputStream in = ex.bodyStream(size)) {
      store.putObject(in, oid, size);
    }
    store.grant(signed.repo().type(), signed.repo().id(), oid, options.uploadTtl());
    ex.sendBytes(200, "text/plain", new byte[0]);
  }

  /**
   * PUT /_lfs/{oid}/part/{n}?...: one multipart slice; the ETag is what the completion call must
   * name.
   */
  void putPart(Exchange ex, String oid, String part) throws IOException {
    long size = signed(ex, oid).size();
    long chunk = options.multipartChunkSize();
    if (!part.matches("[0-9]{1,5}") || chunk <= 0) throw HubError.badRequest("Invalid part");
    int number = Integer.parseInt(part);
    long parts = (size + chunk - 1) / chunk;
    if (number < 1 || number > parts)
      throw HubError.badRequest("Part " + number + " is not one of 1.." + parts);
    Path dir = store.partsDir(oid);
    Files.createDirectories(dir);
    Path file = dir.resolve(number + ".part");
    var md = GitOids.digest("SHA-256");
    try (InputStream in = ex.bodyStream(Math.min(chunk, size - (number - 1) * chunk));
        OutputStream out = Files.newOutputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    ex.header("ETag", "\"" + HexFormat.of().formatHex(md.digest()) + "\"");
    ex.sendBytes(200, "text/plain", new byte[0]);
  }

  /**
   * POST /_lfs/{oid}/complete?...: concatenates the parts named in the body, in order, and checks
   * the whole.
   */
  void complete(Exchange ex, String oid) throws IOException {
    Signed signed = signed(ex, oid);
    long size = signed.size();
    JsonNode body = ex.jsonBody();
    JsonNode parts = body.path("parts");
    if (!oid.equals(body.path("oid").asText()))
      throw HubError.badRequest("oid does not match the URL");
    List<InputStream> streams = new ArrayList<>();
    try {
      for (int i = 0; i < parts.size(); i++) {
        JsonNode p = parts.get(i);
        if (p.path("partNumber").asInt() != i + 1 || p.path("etag").asText("").isEmpty()) {
          throw HubError.badRequest("Parts must be listed in order, each with its etag");
        }
        Path file = store.partsDir(oid).resolve((i + 1) + ".part");
        if (!Files.exists(file)) throw HubError.badRequest("Part " + (i + 1) + " was not uploaded");
        streams.add(Files.newInputStream(file));
      }
      try (InputStream all = new SequenceInputStream(Collections.enumeration(streams))) {
        store.putObject(all, oid, size);
      }
    } finally {
      for (InputStream s : streams) s.close();
    }
    store.deleteParts(oid);
    store.grant(signed.repo().type(), signed.repo().id(), oid, options.uploadTtl());
    ex.sendBytes(200, LFS_JSON, "{}".getBytes());
  }

  /** POST /_lfs/verify {oid,size}: 404 unless the object is stored with that size. */
  void verify(Exchange ex) throws IOException {
    requireUser(ex);
    String repo = ex.queryParam("repo") == null ? "" : ex.queryParam("repo");
    int slash = repo.indexOf('/');
    RepoMeta meta =
        slash < 0
            ? null
            : writableRepo(ex, repo.substring(0, slash) + "s", repo.substring(slash + 1));
    JsonNode body = ex.jsonBody();
    String oid = body.path("oid").asText();
    if (meta == null
        || !store.usable(meta, oid)
        || store.objectSize(oid) != body.path("size").asLong(-1)) {
      throw new HubError(404, null, "Object " + oid + " not found or of another size");
    }
    ex.sendBytes(200, LFS_JSON, "{}".getBytes());
  }
}
