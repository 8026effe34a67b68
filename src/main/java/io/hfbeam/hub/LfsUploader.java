package io.hfbeam.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Uploads LFS objects: the batch call, then a basic PUT or, when the server asks with {@code
 * chunk_size}, a multipart upload and its completion, then verify when offered. Objects the Hub
 * already has are skipped.
 */
final class LfsUploader {
  static final String LFS_JSON = "application/vnd.git-lfs+json";
  private static final int BATCH = 256;

  private final HubHttp http;

  LfsUploader(HubHttp http) {
    this.http = http;
  }

  /**
   * Uploads what the Hub lacks; returns the number of bytes sent. {@code ref} is null for a pull
   * request.
   */
  long upload(RepoId repo, String ref, List<CommitOperation.Add> files) throws IOException {
    Map<String, CommitOperation.Add> byOid = new LinkedHashMap<>();
    for (CommitOperation.Add f : files) byOid.putIfAbsent(f.sha256(), f);
    List<CommitOperation.Add> unique = new ArrayList<>(byOid.values());
    long sent = 0;
    for (int from = 0; from < unique.size(); from += BATCH) {
      List<CommitOperation.Add> chunk = unique.subList(from, Math.min(unique.size(), from + BATCH));
      List<Map<String, Object>> objects = new ArrayList<>();
      for (CommitOperation.Add f : chunk) objects.add(Map.of("oid", f.sha256(), "size", f.size()));
      Map<String, Object> body =
          new LinkedHashMap<>(
              Map.of(
                  "operation",
                  "upload",
                  "transfers",
                  List.of("basic", "multipart"),
                  "objects",
                  objects,
                  "hash_algo",
                  "sha256"));
      if (ref != null) body.put("ref", Map.of("name", ref));
      HubHttp.Call call =
          HubHttp.Call.json(
                  "POST", http.endpoint() + "/" + repo + ".git/info/lfs/objects/batch", body)
              .withHeaders(Map.of("Content-Type", LFS_JSON, "Accept", LFS_JSON));
      for (JsonNode object : http.json(call).path("objects")) {
        CommitOperation.Add file = byOid.get(object.path("oid").asText());
        if (file == null)
          throw new HubException(
              0, null, "LFS batch answered for an object that was not asked for");
        if (object.has("error")) {
          throw new HubException(
              object.path("error").path("code").asInt(),
              null,
              "LFS upload of "
                  + file.path()
                  + " refused: "
                  + object.path("error").path("message").asText());
        }
        JsonNode actions = object.path("actions");
        if (!actions.has("upload")) continue; // already stored on the Hub
        sent += transfer(file, actions.get("upload"));
        if (actions.has("verify")) verify(file, actions.get("verify"));
      }
    }
    return sent;
  }

  private long transfer(CommitOperation.Add file, JsonNode upload) throws IOException {
    Map<String, String> header = new HashMap<>();
    upload
        .path("header")
        .fields()
        .forEachRemaining(e -> header.put(e.getKey(), e.getValue().asText()));
    String href = upload.path("href").asText();
    if (header.containsKey("chunk_size")) return multipart(file, href, header);
    BodyPublisher body =
        file.file() != null
            ? BodyPublishers.ofFile(file.file())
            : BodyPublishers.ofByteArray(file.bytes());
    // Presigned URL: the Hub token must not travel to storage.
    http.send(new HubHttp.Call("PUT", href, body, header, false, null));
    return file.size();
  }

  private long multipart(CommitOperation.Add file, String completionUrl, Map<String, String> header)
      throws IOException {
    long chunk = Long.parseLong(header.get("chunk_size"));
    TreeMap<Integer, String> partUrls = new TreeMap<>();
    header.forEach(
        (k, v) -> {
          if (k.matches("\\d+")) partUrls.put(Integer.parseInt(k), v);
        });
    long size = file.size();
    if (partUrls.size() != (size + chunk - 1) / chunk) {
      throw new HubException(
          0,
          null,
          "LFS multipart for "
              + file.path()
              + ": the server sent "
              + partUrls.size()
              + " part URLs for "
              + size
              + " bytes in chunks of "
              + chunk);
    }
    List<Map<String, Object>> parts = new ArrayList<>();
    for (Map.Entry<Integer, String> part : partUrls.entrySet()) {
      long from = (part.getKey() - 1) * chunk;
      byte[] slice = file.slice(from, (int) Math.min(chunk, size - from));
      HttpResponse<byte[]> r =
          http.send(
              new HubHttp.Call(
                  "PUT",
                  part.getValue(),
                  BodyPublishers.ofByteArray(slice),
                  Map.of(),
                  false,
                  null));
      String etag = r.headers().firstValue("ETag").orElse("");
      if (etag.isEmpty())
        throw new HubException(0, null, "LFS multipart: part " + part.getKey() + " got no ETag");
      parts.add(Map.of("partNumber", part.getKey(), "etag", etag));
    }
    http.send(
        HubHttp.Call.json("POST", completionUrl, Map.of("oid", file.sha256(), "parts", parts))
            .withHeaders(Map.of("Content-Type", LFS_JSON, "Accept", LFS_JSON))
            .withoutAuth());
    return size;
  }

  private void verify(CommitOperation.Add file, JsonNode verify) throws IOException {
    Map<String, String> header = new HashMap<>();
    verify
        .path("header")
        .fields()
        .forEachRemaining(e -> header.put(e.getKey(), e.getValue().asText()));
    http.send(
        HubHttp.Call.json(
                "POST",
                verify.path("href").asText(),
                Map.of("oid", file.sha256(), "size", file.size()))
            .withHeaders(header)
            .withHeaders(Map.of("Content-Type", LFS_JSON, "Accept", LFS_JSON)));
  }
}
