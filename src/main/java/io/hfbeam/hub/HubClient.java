package io.hfbeam.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.Serializable;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face Hub client over the JDK HttpClient, speaking the same HTTP protocol as
 * huggingface_hub and sharing its token file and download cache. Thread-safe. In a Beam DoFn, keep
 * the {@link Settings} (they are Serializable and hold no token) and create the client in
 * {@code @Setup}.
 */
public final class HubClient {
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");

  private final HubHttp http;
  private final HubCache cache;
  private final boolean offline;
  private final CommitProtocol commits;

  /**
   * How to build a client. No token field: the token is read when the client is created, on the
   * machine that uses it, from the process environment or token file. (A map given to {@link
   * Builder#environment} travels with the settings, token included, so pipelines leave it unset; it
   * is meant for tests and embedding.)
   */
  public static final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;
    private final String endpoint;
    private final HashMap<String, String> environment;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Duration commitTimeout;
    private final Duration connectTimeout;
    private final Duration noAnswerNotice;
    private final Duration noAnswerDeadline;

    /** Where "still waiting" lines go; not serialized: a worker's go to its stderr. */
    private final transient Consumer<String> notices;

    private Settings(Builder b) {
      this.endpoint = b.endpoint;
      this.environment = b.environment;
      this.retry = b.retry;
      this.requestTimeout = b.requestTimeout;
      this.commitTimeout = b.commitTimeout;
      this.connectTimeout = b.connectTimeout;
      this.noAnswerNotice = b.noAnswerNotice;
      this.noAnswerDeadline = b.noAnswerDeadline;
      this.notices = b.notices;
    }

    public Duration connectTimeout() {
      return connectTimeout;
    }

    public Duration noAnswerNotice() {
      return noAnswerNotice;
    }

    public Duration noAnswerDeadline() {
      return noAnswerDeadline;
    }

    public static Builder builder() {
      return new Builder();
    }

    public HubClient newClient() throws IOException {
      return new HubClient(this);
    }

    /**
     * The variables the client reads (HF_ENDPOINT, HF_HOME, ...): the map given to the builder,
     * else the process environment. Other caches (the {@code datasets} one) are found with them.
     */
    public Map<String, String> variables() {
      return environment != null
          ? java.util.Collections.unmodifiableMap(environment)
          : System.getenv();
    }

    HubEnvironment env() {
      return environment != null ? new HubEnvironment(environment) : HubEnvironment.system();
    }

    /**
     * Builder with the defaults: endpoint and token from the environment, {@link
     * RetryPolicy#defaults()}.
     */
    public static final class Builder {
      private String endpoint;
      private HashMap<String, String> environment;
      private RetryPolicy retry = RetryPolicy.defaults();
      private Duration requestTimeout = Duration.ofSeconds(60);
      private Duration commitTimeout = Duration.ofSeconds(120);
      private Duration connectTimeout = Duration.ofSeconds(10);
      private Duration noAnswerNotice = Duration.ofSeconds(5);
      private Duration noAnswerDeadline = Duration.ofSeconds(30);
      private Consumer<String> notices;

      /** Overrides HF_ENDPOINT. */
      public Builder endpoint(String url) {
        this.endpoint = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return this;
      }

      /**
       * Reads HF_* variables from this map instead of the process environment (tests, embedding).
       */
      public Builder environment(Map<String, String> env) {
        this.environment = new HashMap<>(env);
        return this;
      }

      public Builder retry(RetryPolicy policy) {
        this.retry = policy;
        return this;
      }

      public Builder requestTimeout(Duration timeout) {
        this.requestTimeout = timeout;
        return this;
      }

      /** How long to wait for a commit answer before checking whether it landed anyway. */
      public Builder commitTimeout(Duration timeout) {
        this.commitTimeout = timeout;
        return this;
      }

      /** How long one attempt to open a connection may take (default 10 s). */
      public Builder connectTimeout(Duration timeout) {
        this.connectTimeout = timeout;
        return this;
      }

      /**
       * After this long without an answer a call says what it waits for, to {@code sink} (default 5
       * s, stderr).
       */
      public Builder noAnswerNotice(Duration after, Consumer<String> sink) {
        this.noAnswerNotice = after;
        this.notices = sink;
        return this;
      }

      /**
       * A call that gets no answer at all (refused, timed out) is retried only this long (default
       * 30 s).
       */
      public Builder noAnswerDeadline(Duration deadline) {
        this.noAnswerDeadline = deadline;
        return this;
      }

      public Settings build() {
        return new Settings(this);
      }
    }
  }

  private HubClient(Settings settings) throws IOException {
    HubEnvironment env = settings.env();
    String endpoint = settings.endpoint != null ? settings.endpoint : env.endpoint();
    this.http =
        new HubHttp(
            endpoint,
            env.token().orElse(null),
            settings.retry,
            settings.requestTimeout,
            settings.connectTimeout,
            settings.noAnswerNotice,
            settings.noAnswerDeadline,
            settings.notices != null ? settings.notices : System.err::println);
    this.cache = new HubCache(env.hubCache());
    this.offline = env.offline();
    this.commits = new CommitProtocol(this, http, settings.commitTimeout);
  }

  /** A client configured from the process environment, as huggingface_hub would be. */
  public static HubClient fromEnvironment() throws IOException {
    return Settings.builder().build().newClient();
  }

  public String endpoint() {
    return http.endpoint();
  }

  public boolean hasToken() {
    return http.hasToken();
  }

  public HubCache cache() {
    return cache;
  }

  public WhoAmI whoami() throws IOException {
    JsonNode me = http.json(HubHttp.Call.get(http.endpoint() + "/api/whoami-v2"));
    List<String> orgs = new ArrayList<>();
    me.path("orgs").forEach(o -> orgs.add(o.path("name").asText()));
    return new WhoAmI(
        me.path("name").asText(),
        me.path("type").asText(),
        orgs,
        me.path("auth").path("accessToken").path("role").asText(null));
  }

  /**
   * Creates the repo; with {@code existOk} an existing repo is fine (409 is swallowed). Returns its
   * URL.
   */
  public String createRepo(RepoId repo, boolean isPrivate, boolean existOk) throws IOException {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", repo.name());
    body.put("organization", repo.namespace());
    body.put("type", repo.type().apiName());
    body.put("visibility", isPrivate ? "private" : "public");
    try {
      return http.json(HubHttp.Call.json("POST", http.endpoint() + "/api/repos/create", body))
          .path("url")
          .asText();
    } catch (HubException e) {
      if (e.status() == 409 && existOk) return http.endpoint() + "/" + repo;
      if (e.status() == 409) {
        throw new HubException(
            409,
            null,
            repo + " already exists on " + http.endpoint() + "; pass --exist-ok to reuse it");
      }
      throw e;
    }
  }

  /**
   * Creates branch {@code branch} at {@code startingPoint} (null: the head of the default branch),
   * as huggingface_hub's create_branch; with {@code existOk} an existing branch is fine. A name
   * with slashes ({@code refs/convert/parquet}) is sent percent-encoded, as one path segment.
   */
  public void createBranch(RepoId repo, String branch, String startingPoint, boolean existOk)
      throws IOException {
    HubCache.checkRepoPath(branch, "branch");
    Map<String, Object> body = new LinkedHashMap<>();
    if (startingPoint != null) body.put("startingPoint", startingPoint);
    try {
      http.send(HubHttp.Call.json("POST", api(repo) + "/branch/" + enc(branch), body));
    } catch (HubException e) {
      if (e.status() == 409 && existOk) return;
      throw e;
    }
  }

  public RepoInfo repoInfo(RepoId repo, String revision) throws IOException {
    JsonNode info = http.json(HubHttp.Call.get(api(repo) + "/revision/" + enc(revision)));
    List<String> files = new ArrayList<>();
    info.path("siblings").forEach(s -> files.add(s.path("rfilename").asText()));
    return new RepoInfo(
        info.path("id").asText(),
        info.path("sha").asText(),
        info.path("private").asBoolean(),
        info.path("lastModified").asText(null),
        files);
  }

  /**
   * Datasets whose id contains {@code query} (null: all), of namespace {@code author} (null: any),
   * at most {@code limit} (0 or less: all), in the Hub's order: huggingface_hub's {@code
   * list_datasets(search=, author=, limit=)}, following the {@code Link} pages.
   */
  public List<DatasetSummary> searchDatasets(String query, String author, int limit)
      throws IOException {
    StringBuilder url = new StringBuilder(http.endpoint()).append("/api/datasets");
    List<String> params = new ArrayList<>();
    if (query != null && !query.isEmpty()) params.add("search=" + enc(query));
    if (author != null && !author.isEmpty()) params.add("author=" + enc(author));
    if (limit > 0) params.add("limit=" + limit);
    if (!params.isEmpty()) url.append('?').append(String.join("&", params));
    List<DatasetSummary> out = new ArrayList<>();
    for (JsonNode n : pages(url.toString(), limit > 0 ? limit : Integer.MAX_VALUE)) {
      out.add(datasetSummary(n));
    }
    return out;
  }

  /** One listing item, checked: a Hub that sends no usable id gets a one-line refusal. */
  private DatasetSummary datasetSummary(JsonNode n) throws HubException {
    String id = n.path("id").isTextual() ? n.get("id").asText() : null;
    try {
      RepoId.dataset(id);
    } catch (IllegalArgumentException e) {
      throw new HubException(
          0,
          null,
          http.endpoint()
              + " listed a dataset without a valid id ("
              + HubCache.show(String.valueOf(n.path("id")))
              + "): is HF_ENDPOINT a Hub?");
    }
    List<String> tags = new ArrayList<>();
    n.path("tags").forEach(t -> tags.add(t.asText()));
    JsonNode gated = n.path("gated");
    return new DatasetSummary(
        id,
        n.path("author").isTextual() ? n.get("author").asText() : id.substring(0, id.indexOf('/')),
        n.path("lastModified").isTextual() ? n.get("lastModified").asText() : null,
        n.path("downloads").asLong(0),
        n.path("likes").asLong(0),
        n.path("private").asBoolean(false),
        gated.isMissingNode() || gated.isNull() ? "false" : gated.asText(),
        tags);
  }

  /** Files and directories under {@code path} ("" for the root), following every page. */
  public List<RepoFile> listFiles(RepoId repo, String revision, String path, boolean recursive)
      throws IOException {
    String url =
        api(repo)
            + "/tree/"
            + enc(revision)
            + (path.isEmpty() ? "" : "/" + Downloader.encodePath(path))
            + "?recursive="
            + recursive
            + "&expand=false";
    List<RepoFile> out = new ArrayList<>();
    for (JsonNode n : pages(url, Integer.MAX_VALUE)) out.add(RepoFile.fromJson(n));
    return out;
  }

  /** Entries for the given paths at a revision; paths that do not exist are left out. */
  public List<RepoFile> pathsInfo(RepoId repo, String revision, List<String> paths)
      throws IOException {
    List<RepoFile> out = new ArrayList<>();
    for (int from = 0; from < paths.size(); from += 500) {
      List<String> chunk = paths.subList(from, Math.min(paths.size(), from + 500));
      JsonNode entries =
          http.json(
              HubHttp.Call.json(
                  "POST",
                  api(repo) + "/paths-info/" + enc(revision),
                  Map.of("paths", chunk, "expand", false)));
      entries.forEach(n -> out.add(RepoFile.fromJson(n)));
    }
    return out;
  }

  /** The whole history of a revision, newest first. */
  public List<CommitEntry> listCommits(RepoId repo, String revision) throws IOException {
    return listCommits(repo, revision, Integer.MAX_VALUE);
  }

  /** At most {@code max} of the newest commits (fetching only the pages needed). */
  public List<CommitEntry> listCommits(RepoId repo, String revision, int max) throws IOException {
    List<CommitEntry> out = new ArrayList<>();
    for (JsonNode n : pages(api(repo) + "/commits/" + enc(revision), max)) {
      out.add(
          new CommitEntry(
              n.path("id").asText(),
              n.path("title").asText(),
              n.path("message").asText(),
              n.path("date").asText()));
    }
    return out;
  }

  /**
   * Downloads one file into the shared cache and returns its path under {@code snapshots/}. With
   * HF_HUB_OFFLINE=1 it only looks in the cache, where Python's downloads count too.
   */
  public Path download(RepoId repo, String revision, String path) throws IOException {
    if (offline) return cached(repo, revision, path);
    return new Downloader(http, cache).download(repo, revision, path);
  }

  /**
   * Opens {@code path} at {@code revision} for reading with HTTP range requests, without
   * downloading it: one HEAD resolves the commit, ETag and size, and every later range is read from
   * that commit. The Beam source reads remote Parquet this way (footer, then only the row groups
   * and columns asked for). A range whose body stops arriving for the request timeout is cut and
   * resumed from the first byte not yet received, as a broken connection is.
   */
  public RangedFile openRange(RepoId repo, String revision, String path) throws IOException {
    HubCache.checkRepoPath(path, "path in the repo");
    HubCache.checkRepoPath(revision, "revision");
    HubHttp.Call head =
        new HubHttp.Call(
            "HEAD",
            resolveUrl(repo, revision, path),
            java.net.http.HttpRequest.BodyPublishers.noBody(),
            Map.of("Accept-Encoding", "identity"),
            true,
            null);
    HttpResponse<byte[]> meta = http.send(head);
    java.net.http.HttpHeaders h = meta.headers();
    String where = repo + "@" + revision + ":" + HubCache.show(path);
    String commit = h.firstValue("X-Repo-Commit").orElse(null);
    String etag =
        h.firstValue("X-Linked-Etag")
            .or(() -> h.firstValue("ETag"))
            .map(Downloader::normalizeEtag)
            .orElse(null);
    String sizeText =
        h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).orElse(null);
    if (commit == null || etag == null || sizeText == null) {
      throw new HubException(
          meta.statusCode(),
          null,
          http.endpoint()
              + " sent no "
              + (commit == null ? "X-Repo-Commit" : etag == null ? "ETag" : "size")
              + " for "
              + where
              + ": is HF_ENDPOINT a Hub?");
    }
    Downloader check = new Downloader(http, cache);
    check.untrusted(() -> HubCache.checkCommit(commit, "X-Repo-Commit"), path);
    check.untrusted(() -> HubCache.checkBlobName(etag, "ETag"), path);
    long size;
    try {
      size = Long.parseLong(sizeText.trim());
      if (size < 0) throw new NumberFormatException();
    } catch (NumberFormatException e) {
      throw new HubException(
          0,
          null,
          http.endpoint()
              + " sent the size "
              + HubCache.show(sizeText)
              + " for "
              + where
              + "; expected a byte count");
    }
    // Pinned to the commit, so a push during a long read cannot mix two versions; an absolute
    // redirect (the Hub's CDN for LFS files) is used as given, without the token.
    boolean cdn = meta.statusCode() / 100 == 3 && h.firstValue("Location").isPresent();
    String data =
        cdn
            ? java.net.URI.create(head.url()).resolve(h.firstValue("Location").get()).toString()
            : resolveUrl(repo, commit, path);
    return new RangedFile(http, repo, path, commit, etag, size, data, !cdn);
  }

  private String resolveUrl(RepoId repo, String revision, String path) {
    return http.endpoint()
        + "/"
        + repo
        + "/resolve/"
        + enc(revision)
        + "/"
        + Downloader.encodePath(path);
  }

  /** Downloads every file of a revision; returns {@code snapshots/{commit}}. */
  public Path snapshotDownload(RepoId repo, String revision) throws IOException {
    if (offline) {
      String commit =
          cache.commitFor(repo, revision).orElseThrow(() -> notCached(repo, revision, ""));
      Path dir = cache.snapshotDir(repo, commit);
      if (!Files.isDirectory(dir)) throw notCached(repo, revision, "");
      return dir;
    }
    HubCache.checkRepoPath(revision, "revision");
    String commit = repoInfo(repo, revision).sha();
    Downloader downloader = new Downloader(http, cache);
    downloader.untrusted(() -> HubCache.checkCommit(commit, "the repo's sha"), revision);
    List<RepoFile> files = listFiles(repo, commit, "", true);
    // every listed path is checked before the first download, so a hostile listing leaves no
    // partial snapshot
    for (RepoFile f : files) {
      try {
        HubCache.checkRepoPath(f.path(), "listed path");
      } catch (IllegalArgumentException e) {
        throw new HubException(
            0,
            null,
            "refused the file list of "
                + http.endpoint()
                + " for "
                + repo
                + "@"
                + revision
                + ": "
                + e.getMessage()
                + "; nothing was downloaded (is HF_ENDPOINT a Hub you trust?)");
      }
    }
    for (RepoFile f : files) {
      if (!f.directory()) downloader.download(repo, commit, f.path());
    }
    cache.writeRef(repo, revision, commit);
    Files.createDirectories(cache.snapshotDir(repo, commit));
    return cache.snapshotDir(repo, commit);
  }

  /**
   * Commits {@code operations} to branch {@code revision} on top of {@code parentCommit} (null: the
   * current head), exactly once even across timeouts and retries. Files the branch already has are
   * not uploaded again, and when nothing is left to change no commit is made ({@link
   * CommitInfo#created()} is false).
   */
  public CommitInfo createCommit(
      RepoId repo,
      String revision,
      List<CommitOperation> operations,
      String message,
      String parentCommit)
      throws IOException {
    return commits.commit(repo, revision, operations, message, parentCommit);
  }

  /**
   * Opens a pull request against branch {@code revision} with the operations (the Hub's {@code
   * create_pr}); {@link CommitInfo#pullRequestUrl()} ends in {@code /discussions/N} and the commit
   * is on {@code refs/pr/N}.
   */
  public CommitInfo createPullRequest(
      RepoId repo, String revision, List<CommitOperation> operations, String message)
      throws IOException {
    return commits.pullRequest(repo, revision, operations, message);
  }

  private Path cached(RepoId repo, String revision, String path) throws IOException {
    Optional<String> commit = cache.commitFor(repo, revision);
    if (commit.isPresent() && Files.exists(cache.snapshotFile(repo, commit.get(), path))) {
      return cache.snapshotFile(repo, commit.get(), path);
    }
    throw notCached(repo, revision, path);
  }

  private HubException notCached(RepoId repo, String revision, String path) {
    return new HubException(
        0,
        null,
        repo
            + "@"
            + revision
            + (path.isEmpty() ? "" : " " + path)
            + " is not in the cache "
            + cache.root()
            + " and HF_HUB_OFFLINE is set; unset it to download");
  }

  /**
   * Follows {@code Link: <...>; rel="next"} until the end or until {@code max} items. The Link
   * comes from the server, so it is followed only to the endpoint's own scheme, host and port (the
   * token goes with it); a page that is not a JSON array is refused in one line.
   */
  private List<JsonNode> pages(String firstUrl, int max) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    String url = firstUrl;
    while (url != null && out.size() < max) {
      HttpResponse<byte[]> r = http.send(HubHttp.Call.get(url));
      JsonNode page;
      try {
        page = HubHttp.JSON.readTree(r.body());
      } catch (IOException e) {
        page = null;
      }
      if (page == null || !page.isArray()) {
        throw new HubException(
            r.statusCode(),
            null,
            http.endpoint()
                + " answered GET "
                + HubHttp.path(url)
                + " with "
                + (page == null ? "something that is not JSON" : "JSON that is not a list")
                + ": is HF_ENDPOINT a Hub?");
      }
      for (JsonNode n : page) {
        if (out.size() < max) out.add(n);
      }
      String next =
          r.headers()
              .firstValue("Link")
              .map(NEXT_LINK::matcher)
              .filter(Matcher::find)
              .map(m -> m.group(1))
              .orElse(null);
      url = next != null && out.size() < max ? checkNextPage(url, next) : null;
    }
    return out;
  }

  private String checkNextPage(String current, String next) throws HubException {
    java.net.URI hub = java.net.URI.create(http.endpoint());
    java.net.URI target;
    try {
      target = java.net.URI.create(current).resolve(next);
    } catch (IllegalArgumentException e) {
      target = null;
    }
    boolean same =
        target != null
            && hub.getScheme().equalsIgnoreCase(String.valueOf(target.getScheme()))
            && hub.getHost() != null
            && hub.getHost().equalsIgnoreCase(String.valueOf(target.getHost()))
            && port(hub) == port(target);
    if (!same) {
      throw new HubException(
          0,
          null,
          http.endpoint()
              + " sent a next-page link to "
              + HubCache.show(next)
              + ", outside "
              + http.endpoint()
              + "; refused (is HF_ENDPOINT a Hub you trust?)");
    }
    return target.toString();
  }

  private static int port(java.net.URI uri) {
    if (uri.getPort() >= 0) return uri.getPort();
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private String api(RepoId repo) {
    return http.endpoint() + "/api/" + repo.type().plural + "/" + repo.id();
  }

  private static String enc(String revision) {
    return URLEncoder.encode(revision, StandardCharsets.UTF_8);
  }
}
