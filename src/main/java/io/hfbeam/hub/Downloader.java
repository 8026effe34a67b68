package io.hfbeam.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Downloads one file into the {@link HubCache}: a HEAD for commit, etag and size; then the bytes
 * into {@code blobs/{etag}.incomplete}, resumed with Range after a failure; then a content check
 * (sha256 for LFS files, git sha1 otherwise) before the blob is published and linked into the
 * snapshot.
 */
final class Downloader {
  private final HubHttp http;
  private final HubCache cache;

  Downloader(HubHttp http, HubCache cache) {
    this.http = http;
    this.cache = cache;
  }

  Path download(RepoId repo, String revision, String path) throws IOException {
    // Checked before anything touches the file system: each of these ends up in a cache path.
    HubCache.checkRepoPath(path, "path in the repo");
    HubCache.checkRepoPath(revision, "revision");
    String url =
        http.endpoint()
            + "/"
            + repo
            + "/resolve/"
            + URLEncoder.encode(revision, StandardCharsets.UTF_8)
            + "/"
            + encodePath(path);
    HubHttp.Call head =
        new HubHttp.Call(
            "HEAD",
            url,
            BodyPublishers.noBody(),
            Map.of("Accept-Encoding", "identity"),
            true,
            null);
    HttpResponse<byte[]> meta = http.send(head);
    HttpHeaders h = meta.headers();
    String commit =
        h.firstValue("X-Repo-Commit")
            .orElseThrow(
                () ->
                    new HubException(
                        meta.statusCode(),
                        null,
                        "The server at "
                            + http.endpoint()
                            + " sent no X-Repo-Commit for "
                            + path
                            + ": is HF_ENDPOINT a Hub?"));
    String etag =
        normalizeEtag(
            h.firstValue("X-Linked-Etag")
                .or(() -> h.firstValue("ETag"))
                .orElseThrow(
                    () ->
                        new HubException(
                            meta.statusCode(), null, "The server sent no ETag for " + path)));
    untrusted(() -> HubCache.checkCommit(commit, "X-Repo-Commit"), path);
    untrusted(() -> HubCache.checkBlobName(etag, "ETag"), path);
    long size =
        Long.parseLong(
            h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).orElse("-1"));
    // The Hub redirects to a CDN (LFS) or to a resolve-cache URL; the metadata is on the redirect
    // itself.
    String dataUrl =
        meta.statusCode() / 100 == 3
            ? URI.create(url).resolve(h.firstValue("Location").orElseThrow()).toString()
            : url;
    cache.writeRef(repo, revision, commit);
    Path snapshot = cache.snapshotFile(repo, commit, path);
    if (Files.exists(snapshot)) return snapshot;
    Path blob = cache.blob(repo, etag);
    if (!Files.exists(blob)) {
      try (CacheLock lock =
          CacheLock.acquire(
              cache
                  .root()
                  .resolve(".locks")
                  .resolve(repo.cacheFolderName())
                  .resolve(etag + ".lock"))) {
        if (!Files.exists(blob)) fetchBlob(dataUrl, blob, etag, size);
      }
    }
    return cache.link(repo, commit, path, etag);
  }

  /** Runs a check of a value the server sent; a failure blames the server, in one line. */
  void untrusted(Runnable check, String path) throws HubException {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new HubException(
          0,
          null,
          "refused the answer of "
              + http.endpoint()
              + " for "
              + HubCache.show(path)
              + ": "
              + e.getMessage()
              + "; nothing was written (is HF_ENDPOINT a Hub you trust?)");
    }
  }

  private void fetchBlob(String url, Path blob, String etag, long size) throws IOException {
    Files.createDirectories(blob.getParent());
    Path partial = blob.resolveSibling(etag + ".incomplete");
    RetryPolicy retry = http.retry();
    for (int attempt = 1; ; attempt++) {
      try {
        fetchRemaining(url, partial);
        break;
      } catch (IOException e) {
        // Mid-body failures are not seen by HubHttp's retries; resume from what reached the disk.
        if (e instanceof HubException || attempt >= retry.maxAttempts()) throw e;
        retry.sleep(retry.delay(attempt, null));
      }
    }
    long got = Files.size(partial);
    String actual = etag.length() == 64 ? GitOids.sha256(partial) : GitOids.gitBlobSha1(partial);
    if ((size >= 0 && got != size) || !actual.equals(etag)) {
      Files.delete(partial);
      throw new HubException(
          0,
          null,
          "Downloaded "
              + blob.getFileName()
              + " does not match its ETag/size ("
              + got
              + " bytes); the download was discarded, retry it");
    }
    HubCache.move(partial, blob);
  }

  private void fetchRemaining(String url, Path partial) throws IOException {
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    HubHttp.Call get = HubHttp.Call.get(url).withHeaders(Map.of("Accept-Encoding", "identity"));
    if (have > 0) get = get.withHeaders(Map.of("Range", "bytes=" + have + "-"));
    if (!sameHost(url)) get = get.withoutAuth();
    HttpResponse<InputStream> response;
    try {
      response = http.stream(get);
    } catch (HubException e) {
      if (e.status() != 416) throw e;
      return; // the partial file is already complete
    }
    boolean resumed = response.statusCode() == 206;
    try (InputStream in = response.body();
        OutputStream out =
            Files.newOutputStream(
                partial,
                StandardOpenOption.CREATE,
                resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
      in.transferTo(out);
    }
  }

  private boolean sameHost(String url) {
    return URI.create(url)
        .getAuthority()
        .equalsIgnoreCase(URI.create(http.endpoint()).getAuthority());
  }

  /** Python strips a weak marker and quotes from ETags; so do we, so both name blobs alike. */
  static String normalizeEtag(String etag) {
    String e = etag.startsWith("W/") ? etag.substring(2) : etag;
    return e.replace("\"", "");
  }

  static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    for (String part : path.split("/")) {
      if (out.length() > 0) out.append('/');
      out.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return out.toString();
  }
}
