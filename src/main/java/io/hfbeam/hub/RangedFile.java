package io.hfbeam.hub;

import io.hfbeam.format.RangedSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One repo file read with HTTP range requests, pinned to the commit and ETag it resolved to when
 * opened (so it cannot change underneath a reader). Every answer is checked: a 200 (the server
 * ignored Range), a Content-Range other than the one asked for, a changed ETag or a body of the
 * wrong length is an error, never bytes handed on. A connection that breaks mid-body is resumed
 * from the first byte not yet delivered. Thread-safe; opened by {@link HubClient#openRange}.
 */
public final class RangedFile implements RangedSource {
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");

  private final HubHttp http;
  private final RepoId repo;
  private final String path;
  private final String commit;
  private final String etag;
  private final long size;
  private final String url;
  private final boolean hubEtags;
  private final AtomicLong bytesTransferred = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  RangedFile(
      HubHttp http,
      RepoId repo,
      String path,
      String commit,
      String etag,
      long size,
      String url,
      boolean hubEtags) {
    this.hubEtags = hubEtags;
    this.http = http;
    this.repo = repo;
    this.path = path;
    this.commit = commit;
    this.etag = etag;
    this.size = size;
    this.url = url;
  }

  /** {@code datasets/owner/name@commit:path}, for messages. */
  @Override
  public String name() {
    return repo + "@" + commit.substring(0, Math.min(12, commit.length())) + ":" + path;
  }

  public RepoId repo() {
    return repo;
  }

  public String path() {
    return path;
  }

  /** The commit the file was resolved at; every range is read from it. */
  public String commit() {
    return commit;
  }

  /** The content's ETag (sha256 for LFS files, the git blob id otherwise). */
  public String etag() {
    return etag;
  }

  @Override
  public long size() {
    return size;
  }

  /** Body bytes received so far, all reads of this file together (resumed ranges counted once). */
  public long bytesTransferred() {
    return bytesTransferred.get();
  }

  /** Range GETs sent so far, retries and resumptions included. */
  public long requests() {
    return requests.get();
  }

  @Override
  public void readFully(long offset, byte[] buf, int off, int len) throws IOException {
    checkRange(offset, len);
    if (off < 0 || off > buf.length - len)
      throw new IndexOutOfBoundsException("buffer of " + buf.length + " for " + off + "+" + len);
    int done = 0;
    RetryPolicy retry = http.retry();
    int failures = 0;
    while (done < len) {
      try {
        done += readSome(offset + done, buf, off + done, len - done);
        failures = 0;
      } catch (HubException e) {
        throw e;
      } catch (IOException e) {
        // HubHttp retries what fails before an answer; a body that breaks off is ours to resume.
        // Only failures in a row without progress count against the policy.
        failures++;
        if (!retry.isRetryableError(e) || failures >= retry.maxAttempts()) {
          throw new HubException(
              name()
                  + ": reading bytes "
                  + (offset + done)
                  + "-"
                  + (offset + len - 1)
                  + " failed "
                  + failures
                  + " time(s) in a row ("
                  + e.getClass().getSimpleName()
                  + (e.getMessage() != null ? ": " + e.getMessage().replaceAll("\\s+", " ") : "")
                  + ")",
              e);
        }
        retry.sleep(retry.delay(failures, null));
      }
    }
  }

  /**
   * One GET of {@code [from, from+len)}; copies what arrives into {@code buf} and returns how much
   * did when the body breaks off after some bytes, so the caller asks again from there.
   */
  private int readSome(long from, byte[] buf, int off, int len) throws IOException {
    long last = from + len - 1;
    HubHttp.Call get =
        HubHttp.Call.get(url)
            .withHeaders(
                Map.of("Range", "bytes=" + from + "-" + last, "Accept-Encoding", "identity"));
    requests.incrementAndGet();
    HttpResponse<InputStream> response = http.stream(get);
    int got = 0;
    try (InputStream in = response.body()) {
      check(response.statusCode(), response.headers(), from, last);
      while (got < len) {
        int n;
        try {
          n = in.read(buf, off + got, len - got);
        } catch (IOException e) {
          bytesTransferred.addAndGet(got);
          if (got > 0) return got; // progress: the caller asks again from here
          throw e;
        }
        if (n < 0) break;
        got += n;
      }
      bytesTransferred.addAndGet(got);
      if (got == len && in.read() >= 0) {
        throw refused("sent more than the " + len + " bytes of range " + from + "-" + last);
      }
    }
    if (got == 0) throw new EOFException("the body of range " + from + "-" + last + " was empty");
    return got;
  }

  private void check(int status, HttpHeaders h, long from, long last) throws HubException {
    if (status == 200) {
      throw refused(
          "answered 200 with the whole file to a request for bytes "
              + from
              + "-"
              + last
              + " (the server ignores Range requests)");
    }
    if (status != 206) throw refused("answered " + status + " to a range request");
    String range = h.firstValue("Content-Range").orElse(null);
    if (range == null) throw refused("sent no Content-Range with its 206");
    Matcher m = CONTENT_RANGE.matcher(range.trim());
    if (!m.matches()
        || Long.parseLong(m.group(1)) != from
        || Long.parseLong(m.group(2)) != last
        || (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size)) {
      throw refused(
          "answered Content-Range '"
              + shorten(range)
              + "' to a request for bytes "
              + from
              + "-"
              + last
              + " of "
              + size);
    }
    String encoding = h.firstValue("Content-Encoding").orElse("identity");
    if (!encoding.equalsIgnoreCase("identity")) {
      throw refused("sent the range with Content-Encoding '" + shorten(encoding) + "'");
    }
    var length = h.firstValue("Content-Length");
    if (length.isPresent() && !length.get().trim().equals(Long.toString(last - from + 1))) {
      throw refused(
          "sent Content-Length "
              + shorten(length.get())
              + " for a range of "
              + (last - from + 1)
              + " bytes");
    }
    // a CDN's own ETag is not the Hub's content hash; only the Hub's answers are compared
    if (!hubEtags) return;
    var served =
        h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(Downloader::normalizeEtag);
    if (served.isPresent() && !served.get().equals(etag)) {
      throw refused(
          "now serves ETag "
              + shorten(served.get())
              + " where "
              + etag
              + " was resolved (the file changed)");
    }
  }

  private HubException refused(String what) {
    return new HubException(
        0, null, http.endpoint() + " " + what + " for " + name() + "; nothing of it was used");
  }

  private static String shorten(String s) {
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 80 ? one.substring(0, 80) + "..." : one;
  }

  @Override
  public void close() {
    // stateless between requests: the HTTP client's connections belong to the HubClient
  }

  @Override
  public String toString() {
    return name();
  }
}
