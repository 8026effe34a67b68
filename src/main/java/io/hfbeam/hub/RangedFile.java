package io.hfbeam.hub;

import io.hfbeam.format.RangedSource;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
        if (Thread.currentThread().isInterrupted()) throw e; // a cancelled worker, not a network
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
   * One GET of {@code [from, from+len)}, its body written straight into {@code buf} as it arrives.
   * Returns how many bytes came when the body broke off or stalled after some, so the caller asks
   * again from there; throws a retryable IOException when none came.
   */
  private int readSome(long from, byte[] buf, int off, int len) throws IOException {
    long last = from + len - 1;
    HubHttp.Call get =
        HubHttp.Call.get(url)
            .withHeaders(
                Map.of("Range", "bytes=" + from + "-" + last, "Accept-Encoding", "identity"));
    requests.incrementAndGet();
    // Only an answer that passes every check may write into the caller's buffer; any other body
    // is kept (its start, for the message) apart.
    HttpResponse<Sink> response =
        http.send(
            get,
            info ->
                problem(info.statusCode(), info.headers(), from, last) == null
                    ? new Sink(buf, off, len, false)
                    : new Sink(new byte[4096], 0, 4096, true));
    Sink sink = response.body();
    String problem = problem(response.statusCode(), response.headers(), from, last);
    if (problem != null) {
      sink.stop();
      throw refused(problem);
    }
    long stallNanos = http.timeout().toNanos();
    int seen = sink.got();
    long lastProgress = System.nanoTime();
    boolean stalled = false;
    while (!sink.done.isDone()) {
      try {
        sink.done.get(Math.max(1, stallNanos / 4), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        if (sink.got() != seen) {
          seen = sink.got();
          lastProgress = System.nanoTime();
        } else if (System.nanoTime() - lastProgress >= stallNanos) {
          stalled = true;
          break;
        }
      } catch (InterruptedException e) {
        sink.stop();
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading " + name());
      } catch (ExecutionException e) {
        throw new IllegalStateException(e); // the future is only ever completed normally
      }
    }
    int got = sink.stop();
    bytesTransferred.addAndGet(got);
    if (sink.overflow) {
      throw refused("sent more than the " + len + " bytes of range " + from + "-" + last);
    }
    if (got > 0) return got; // all of it, or the part before a break or a stall
    if (stalled) {
      throw new HttpTimeoutException(
          "no bytes of range " + from + "-" + last + " for " + http.timeout().toSeconds() + " s");
    }
    if (sink.error != null) {
      throw sink.error instanceof IOException io ? io : new IOException(sink.error);
    }
    throw new EOFException("the body of range " + from + "-" + last + " was empty");
  }

  /**
   * Receives a body: in range mode into the caller's buffer (more than asked for is an overflow);
   * in collect mode only its first bytes, for the error message, after which it stops listening.
   */
  private static final class Sink implements HttpResponse.BodySubscriber<Sink> {
    private final byte[] buf;
    private final int off;
    private final int len;
    private final boolean collect;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    private Flow.Subscription subscription;
    private int got;
    private boolean stopped;
    volatile boolean overflow;
    volatile Throwable error;

    Sink(byte[] buf, int off, int len, boolean collect) {
      this.buf = buf;
      this.off = off;
      this.len = len;
      this.collect = collect;
    }

    synchronized int got() {
      return got;
    }

    /** No more bytes go into the buffer; returns how many did. */
    synchronized int stop() {
      if (!stopped) {
        stopped = true;
        if (subscription != null && !done.isDone()) subscription.cancel();
        done.complete(null);
      }
      return got;
    }

    @Override
    public synchronized void onSubscribe(Flow.Subscription s) {
      subscription = s;
      if (stopped) s.cancel();
      else s.request(1);
    }

    @Override
    public synchronized void onNext(List<ByteBuffer> items) {
      if (stopped) return;
      for (ByteBuffer b : items) {
        int n = b.remaining();
        if (n > len - got) {
          if (!collect) overflow = true;
          b.get(buf, off + got, len - got);
          got = len;
          stop();
          return;
        }
        b.get(buf, off + got, n);
        got += n;
      }
      subscription.request(1);
    }

    @Override
    public synchronized void onError(Throwable t) {
      if (!stopped) error = t;
      done.complete(null);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    @Override
    public CompletionStage<Sink> getBody() {
      // a range body is read by the caller as it arrives; an error body is complete first
      return collect ? done.thenApply(v -> this) : CompletableFuture.completedFuture(this);
    }

    @Override
    public synchronized String toString() {
      return collect ? new String(buf, 0, got, StandardCharsets.UTF_8) : "";
    }
  }

  /** What is wrong with an answer to a range request, or null when it may be used. */
  private String problem(int status, HttpHeaders h, long from, long last) {
    if (status == 200) {
      return "answered 200 with the whole file to a request for bytes "
          + from
          + "-"
          + last
          + " (the server ignores Range requests)";
    }
    if (status != 206) return "answered " + status + " to a range request";
    String range = h.firstValue("Content-Range").orElse(null);
    if (range == null) return "sent no Content-Range with its 206";
    Matcher m = CONTENT_RANGE.matcher(range.trim());
    if (!m.matches()
        || Long.parseLong(m.group(1)) != from
        || Long.parseLong(m.group(2)) != last
        || (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size)) {
      return "answered Content-Range '"
          + shorten(range)
          + "' to a request for bytes "
          + from
          + "-"
          + last
          + " of "
          + size;
    }
    String encoding = h.firstValue("Content-Encoding").orElse("identity");
    if (!encoding.equalsIgnoreCase("identity")) {
      return "sent the range with Content-Encoding '" + shorten(encoding) + "'";
    }
    var length = h.firstValue("Content-Length");
    if (length.isPresent() && !length.get().trim().equals(Long.toString(last - from + 1))) {
      return "sent Content-Length "
          + shorten(length.get())
          + " for a range of "
          + (last - from + 1)
          + " bytes";
    }
    // a CDN's own ETag is not the Hub's content hash; only the Hub's answers are compared
    if (!hubEtags) return null;
    var served =
        h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(Downloader::normalizeEtag);
    if (served.isPresent() && !served.get().equals(etag)) {
      return "now serves ETag "
          + shorten(served.get())
          + " where "
          + etag
          + " was resolved (the file changed)";
    }
    return null;
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
