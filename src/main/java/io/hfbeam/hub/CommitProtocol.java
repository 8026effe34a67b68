package io.hfbeam.hub;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One commit, exactly once: preupload (dropping files the branch already has), LFS upload, then the
 * NDJSON commit with {@code parentCommit}. The commit POST is never retried blindly: after a
 * timeout, reset or 5xx it first looks for its own marker (a trailer in the description) among the
 * branch's newest commits, because the Hub may have finished a commit the client stopped waiting
 * for. On 409/412 it re-reads the branch head and goes on only while no file it touches was changed
 * by someone else.
 */
final class CommitProtocol {
  private static final Logger LOG = LoggerFactory.getLogger(CommitProtocol.class);
  static final String MARKER_KEY = "Hfbeam-Commit-Id: ";
  private static final int PREUPLOAD_BATCH = 256;

  private final HubClient client;
  private final HubHttp http;
  private final Duration commitTimeout;

  CommitProtocol(HubClient client, HubHttp http, Duration commitTimeout) {
    this.client = client;
    this.http = http;
    this.commitTimeout = commitTimeout;
  }

  CommitInfo commit(
      RepoId repo,
      String revision,
      List<CommitOperation> operations,
      String message,
      String parentCommit)
      throws IOException {
    Set<String> seen = new HashSet<>();
    for (CommitOperation op : operations) {
      if (!seen.add(op.path()))
        throw new IllegalArgumentException("path appears twice in one commit: " + op.path());
    }
    String marker = MARKER_KEY + UUID.randomUUID();
    String summary = message.lines().findFirst().orElse("").trim();
    if (summary.isEmpty()) throw new IllegalArgumentException("commit message must not be empty");
    String body = message.substring(message.indexOf(summary) + summary.length()).trim();
    String description = (body.isEmpty() ? "" : body + "\n\n") + marker;
    String parent = parentCommit != null ? parentCommit : client.repoInfo(repo, revision).sha();
    hashAll(operations);
    RetryPolicy retry = http.retry();
    for (int attempt = 1; ; attempt++) {
      List<CommitOperation> pending = stillNeeded(repo, revision, operations);
      if (pending.isEmpty()) {
        String head = client.repoInfo(repo, revision).sha();
        return new CommitInfo(head, commitUrl(repo, head), false, null);
      }
      Set<String> lfsPaths = uploadLfs(repo, revision, pending, false);
      byte[] payload = ndjson(summary, description, parent, pending, lfsPaths);
      String url =
          http.endpoint()
              + "/api/"
              + repo.type().plural
              + "/"
              + repo.id()
              + "/commit/"
              + enc(revision);
      HubHttp.Call call =
          new HubHttp.Call(
              "POST",
              url,
              BodyPublishers.ofByteArray(payload),
              Map.of("Content-Type", "application/x-ndjson"),
              true,
              commitTimeout);
      HttpHeaders failedHeaders = null;
      String why;
      try {
        HttpResponse<byte[]> r = http.once(call, HttpResponse.BodyHandlers.ofByteArray());
        int status = r.statusCode();
        if (status == 200) {
          var json = HubHttp.JSON.readTree(r.body());
          return new CommitInfo(
              json.path("commitOid").asText(), json.path("commitUrl").asText(), true, null);
        }
        if (status != 409 && status != 412 && !retry.isRetryableStatus(status)) {
          throw http.failure(
              call, status, r.headers(), new String(r.body(), StandardCharsets.UTF_8));
        }
        if (attempt >= retry.maxAttempts())
          throw http.failure(
              call, status, r.headers(), new String(r.body(), StandardCharsets.UTF_8));
        why = Integer.toString(status);
        failedHeaders = status == 429 ? r.headers() : null;
        if (status == 409 || status == 412) {
          Optional<CommitEntry> landed = findLanded(repo, revision, marker);
          if (landed.isPresent()) return found(repo, landed.get());
          String head = client.repoInfo(repo, revision).sha();
          ensureStillValid(repo, revision, parent, head, pending);
          parent = head;
        }
      } catch (HubException e) {
        throw e;
      } catch (IOException e) {
        if (!retry.isRetryableError(e) || attempt >= retry.maxAttempts()) {
          throw new HubException(
              "Commit to "
                  + repo
                  + "@"
                  + revision
                  + " failed: "
                  + e.getClass().getSimpleName()
                  + " after "
                  + attempt
                  + " attempt(s); it may still land, list the commits before retrying",
              e);
        }
        why = e.getClass().getSimpleName();
      }
      LOG.info("Commit to {}@{} not confirmed ({}), attempt {}", repo, revision, why, attempt);
      retry.sleep(retry.delay(attempt, failedHeaders));
      // The lost answer may have been a success: look before trying again.
      Optional<CommitEntry> landed = findLanded(repo, revision, marker);
      if (landed.isPresent()) return found(repo, landed.get());
    }
  }

  /**
   * Opens a pull request against {@code revision} with the operations. A PR lands on a new {@code
   * refs/pr/N} that only the answer names, so a lost answer cannot be checked: only a 429, which is
   * never applied, is retried; a timeout or reset ends in an exception that says so.
   */
  CommitInfo pullRequest(
      RepoId repo, String revision, List<CommitOperation> operations, String message)
      throws IOException {
    String summary = message.lines().findFirst().orElse("").trim();
    if (summary.isEmpty()) throw new IllegalArgumentException("commit message must not be empty");
    String description = message.substring(message.indexOf(summary) + summary.length()).trim();
    String parent = client.repoInfo(repo, revision).sha();
    List<CommitOperation> pending = stillNeeded(repo, revision, operations);
    if (pending.isEmpty()) return new CommitInfo(parent, commitUrl(repo, parent), false, null);
    byte[] payload =
        ndjson(summary, description, parent, pending, uploadLfs(repo, revision, pending, true));
    String url =
        http.endpoint()
            + "/api/"
            + repo.type().plural
            + "/"
            + repo.id()
            + "/commit/"
            + enc(revision)
            + "?create_pr=1";
    HubHttp.Call call =
        new HubHttp.Call(
            "POST",
            url,
            BodyPublishers.ofByteArray(payload),
            Map.of("Content-Type", "application/x-ndjson"),
            true,
            commitTimeout);
    RetryPolicy retry = http.retry();
    for (int attempt = 1; ; attempt++) {
      HttpResponse<byte[]> r;
      try {
        r = http.once(call, HttpResponse.BodyHandlers.ofByteArray());
      } catch (IOException e) {
        throw new HubException(
            "Pull request on "
                + repo
                + "@"
                + revision
                + " not confirmed ("
                + e.getClass().getSimpleName()
                + "); check the repo's discussions before opening it again",
            e);
      }
      if (r.statusCode() == 200) {
        var json = HubHttp.JSON.readTree(r.body());
        return new CommitInfo(
            json.path("commitOid").asText(),
            json.path("commitUrl").asText(),
            true,
            json.path("pullRequestUrl").asText(null));
      }
      if (r.statusCode() != 429 || attempt >= retry.maxAttempts()) {
        throw http.failure(
            call, r.statusCode(), r.headers(), new String(r.body(), StandardCharsets.UTF_8));
      }
      retry.sleep(retry.delay(attempt, r.headers()));
    }
  }

  /**
   * Adds whose content the branch already has at that path, and deletes of absent files, are
   * dropped.
   */
  private List<CommitOperation> stillNeeded(
      RepoId repo, String revision, List<CommitOperation> operations) throws IOException {
    Map<String, String> remote = new HashMap<>();
    for (RepoFile f :
        client.pathsInfo(repo, revision, operations.stream().map(CommitOperation::path).toList())) {
      if (!f.directory()) remote.put(f.path(), f.contentOid());
    }
    List<CommitOperation> pending = new ArrayList<>();
    for (CommitOperation op : operations) {
      String there = remote.get(op.path());
      if (op instanceof CommitOperation.Delete
          ? there != null
          : !isSame((CommitOperation.Add) op, there)) pending.add(op);
    }
    return pending;
  }

  /**
   * Hashes the files to add on all cores up front: the LFS batch call needs every oid before the
   * first upload, and hashing on one thread, in series with the transfer, adds to every upload's
   * time.
   */
  private static void hashAll(List<CommitOperation> operations) throws IOException {
    try {
      operations.parallelStream()
          .filter(CommitOperation.Add.class::isInstance)
          .forEach(
              op -> {
                try {
                  ((CommitOperation.Add) op).sha256();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              });
    } catch (java.io.UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private static boolean isSame(CommitOperation.Add add, String remoteOid) throws IOException {
    return remoteOid != null
        && (remoteOid.length() == 64 ? add.sha256() : add.gitSha1()).equals(remoteOid);
  }

  /**
   * Preupload decides per file; LFS files go up before the commit that names them. Returns their
   * paths.
   */
  private Set<String> uploadLfs(
      RepoId repo, String revision, List<CommitOperation> pending, boolean pullRequest)
      throws IOException {
    List<CommitOperation.Add> adds =
        pending.stream()
            .filter(CommitOperation.Add.class::isInstance)
            .map(CommitOperation.Add.class::cast)
            .toList();
    Set<String> lfsPaths = new HashSet<>();
    for (int from = 0; from < adds.size(); from += PREUPLOAD_BATCH) {
      List<Map<String, Object>> files = new ArrayList<>();
      for (CommitOperation.Add a :
          adds.subList(from, Math.min(adds.size(), from + PREUPLOAD_BATCH))) {
        files.add(
            Map.of(
                "path",
                a.path(),
                "size",
                a.size(),
                "sample",
                Base64.getEncoder().encodeToString(a.sample())));
      }
      String url =
          http.endpoint()
              + "/api/"
              + repo.type().plural
              + "/"
              + repo.id()
              + "/preupload/"
              + enc(revision)
              + (pullRequest ? "?create_pr=1" : "");
      for (var f :
          http.json(HubHttp.Call.json("POST", url, Map.of("files", files))).path("files")) {
        if ("lfs".equals(f.path("uploadMode").asText())) lfsPaths.add(f.path("path").asText());
      }
    }
    List<CommitOperation.Add> lfs =
        adds.stream().filter(a -> lfsPaths.contains(a.path()) && a.size() > 0).toList();
    new LfsUploader(http).upload(repo, pullRequest ? null : revision, lfs);
    return lfsPaths;
  }

  private static byte[] ndjson(
      String summary,
      String description,
      String parent,
      List<CommitOperation> ops,
      Set<String> lfsPaths)
      throws IOException {
    StringBuilder out = new StringBuilder();
    Map<String, Object> header =
        new HashMap<>(Map.of("summary", summary, "description", description));
    if (parent != null) header.put("parentCommit", parent);
    line(out, "header", header);
    for (CommitOperation op : ops) {
      if (op instanceof CommitOperation.Delete d) {
        line(out, "deletedFile", Map.of("path", d.path()));
      } else {
        CommitOperation.Add a = (CommitOperation.Add) op;
        if (lfsPaths.contains(a.path()) && a.size() > 0) {
          line(
              out,
              "lfsFile",
              Map.of("path", a.path(), "algo", "sha256", "oid", a.sha256(), "size", a.size()));
        } else {
          line(
              out,
              "file",
              Map.of(
                  "path",
                  a.path(),
                  "encoding",
                  "base64",
                  "content",
                  Base64.getEncoder().encodeToString(a.bytes())));
        }
      }
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder out, String key, Object value) throws IOException {
    out.append(HubHttp.JSON.writeValueAsString(Map.of("key", key, "value", value))).append('\n');
  }

  private Optional<CommitEntry> findLanded(RepoId repo, String revision, String marker)
      throws IOException {
    return client.listCommits(repo, revision, 50).stream()
        .filter(c -> c.message().contains(marker))
        .findFirst();
  }

  private CommitInfo found(RepoId repo, CommitEntry landed) {
    LOG.info("Commit {} to {} had landed; not committing again", landed.id(), repo);
    return new CommitInfo(landed.id(), commitUrl(repo, landed.id()), true, null);
  }

  /**
   * After the branch moved from {@code parent} to {@code head}: fail if another commit changed a
   * path we touch to something other than what we want, since committing would silently overwrite
   * that change.
   */
  private void ensureStillValid(
      RepoId repo, String revision, String parent, String head, List<CommitOperation> pending)
      throws IOException {
    List<String> paths = pending.stream().map(CommitOperation::path).toList();
    Map<String, String> before = oids(client.pathsInfo(repo, parent, paths));
    Map<String, String> after = oids(client.pathsInfo(repo, head, paths));
    for (CommitOperation op : pending) {
      String was = before.get(op.path());
      String now = after.get(op.path());
      if (java.util.Objects.equals(was, now)) continue;
      boolean alreadyOurs =
          op instanceof CommitOperation.Delete
              ? now == null
              : isSame((CommitOperation.Add) op, now);
      if (!alreadyOurs) {
        throw new HubException(
            409,
            null,
            "Conflict on "
                + repo
                + "@"
                + revision
                + ": "
                + op.path()
                + " was changed by another commit since "
                + shortId(parent)
                + "; re-read the branch and commit again");
      }
    }
  }

  private static Map<String, String> oids(List<RepoFile> files) {
    Map<String, String> out = new HashMap<>();
    for (RepoFile f : files) if (!f.directory()) out.put(f.path(), f.contentOid());
    return out;
  }

  private String commitUrl(RepoId repo, String oid) {
    return http.endpoint() + "/" + repo + "/commit/" + oid;
  }

  private static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  static String enc(String revision) {
    return URLEncoder.encode(revision, StandardCharsets.UTF_8);
  }
}
