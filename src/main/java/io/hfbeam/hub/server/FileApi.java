package io.hfbeam.hub.server;

import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.server.Model.Commit;
import io.hfbeam.hub.server.Model.FileEntry;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/**
 * {@code /resolve/} and {@code /raw/}: answers 200 (or 206) directly, with the headers the clients
 * need instead of the Hub's CDN redirects, which huggingface_hub and @huggingface/hub both accept.
 */
final class FileApi extends Endpoints {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");

  FileApi(RepoStore store, LocalHubServer.Options options) {
    super(store, options);
  }

  void serve(Exchange ex, String typePlural, String id, String rev, String path, boolean raw)
      throws IOException {
    RepoMeta repo = repo(ex, typePlural, id);
    checkGate(ex, typePlural, id);
    Commit commit = revision(repo, rev);
    ex.header("X-Repo-Commit", commit.id()); // also on 404s, so Python can cache the miss
    FileEntry f = commit.files().get(path);
    if (f == null) throw HubError.entryNotFound(path);
    byte[] pointer =
        f.lfs() && raw
            ? GitOids.lfsPointer(f.sha256(), f.size()).getBytes(StandardCharsets.UTF_8)
            : null;
    long size = pointer != null ? pointer.length : f.size();
    ex.header("ETag", "\"" + (f.lfs() && !raw ? f.sha256() : f.gitOid()) + "\"");
    if (f.lfs() && !raw) {
      ex.header("X-Linked-Etag", "\"" + f.sha256() + "\"");
      ex.header("X-Linked-Size", Long.toString(f.size()));
    }
    ex.header("Accept-Ranges", "bytes");
    long start = 0;
    long end = size - 1;
    int status = 200;
    String range = ex.header("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range.trim());
      if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
        if (m.group(1).isEmpty()) {
          start = Math.max(0, size - Long.parseLong(m.group(2)));
        } else {
          start = Long.parseLong(m.group(1));
          if (!m.group(2).isEmpty()) end = Math.min(end, Long.parseLong(m.group(2)));
        }
        if (start >= size || start > end) {
          ex.header("Content-Range", "bytes */" + size);
          throw new HubError(416, null, "Requested range not satisfiable");
        }
        status = 206;
        ex.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
      }
    }
    long length = size == 0 ? 0 : end - start + 1;
    ex.response.setStatus(status);
    ex.response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
    ex.response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
    try (OutputStream out = Content.Sink.asOutputStream(ex.response)) {
      if (!"HEAD".equals(ex.method) && length > 0) {
        if (pointer != null) {
          out.write(pointer, (int) start, (int) length);
        } else {
          try (InputStream in = Files.newInputStream(store.objectPath(f.sha256()))) {
            in.skipNBytes(start);
            copy(in, out, length);
          }
        }
      }
    }
    ex.callback.succeeded();
  }

  private static void copy(InputStream in, OutputStream out, long length) throws IOException {
    byte[] buf = new byte[1 << 16];
    long left = length;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) throw new IOException("stored object shorter than recorded");
      out.write(buf, 0, n);
      left -= n;
    }
  }
}
