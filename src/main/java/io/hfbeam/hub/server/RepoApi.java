package io.hfbeam.hub.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.server.Model.Commit;
import io.hfbeam.hub.server.Model.FileEntry;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Account and read endpoints: whoami, create, repo info, tree, paths-info, commits. */
final class RepoApi extends Endpoints {
  RepoApi(RepoStore store, LocalHubServer.Options options) {
    super(store, options);
  }

  void whoami(Exchange ex) throws IOException {
    Users.User me = requireUser(ex);
    Map<String, Object> user = new LinkedHashMap<>();
    user.put("type", "user");
    user.put("id", objectId("user", me.name()));
    user.put("name", me.name());
    user.put("fullname", me.name());
    user.put("email", me.name() + "@localhost");
    user.put("emailVerified", true);
    user.put("isPro", false);
    user.put("canPay", false);
    user.put("avatarUrl", "");
    user.put("periodEnd", null);
    user.put("billingMode", "prepaid");
    List<Map<String, Object>> orgs = new ArrayList<>();
    for (String org : me.orgs()) {
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("type", "org");
      o.put("id", objectId("org", org));
      o.put("name", org);
      o.put("fullname", org);
      o.put("email", null);
      o.put("canPay", false);
      o.put("avatarUrl", "");
      o.put("periodEnd", null);
      o.put("roleInOrg", "write");
      orgs.add(o);
    }
    user.put("orgs", orgs);
    // The JS client reads auth without a guard, so it must always be there.
    user.put(
        "auth",
        Map.of(
            "type",
            "access_token",
            "accessToken",
            Map.of(
                "displayName", "local", "role", "write", "createdAt", "2026-01-01T00:00:00.000Z")));
    ex.sendJson(200, user);
  }

  void create(Exchange ex) throws IOException {
    Users.User me = requireUser(ex);
    JsonNode body = ex.jsonBody();
    String name = body.path("name").asText("");
    String org =
        body.path("organization").isTextual() ? body.get("organization").asText() : me.name();
    String type = body.path("type").asText("model");
    String id = Names.repoId(org, name);
    if (!me.member(org)) throw forbidden(me, org);
    if (!REPO_TYPES.contains(type + "s")) throw HubError.badRequest("Invalid repo type: " + type);
    // huggingface_hub >= 1.10 and JS send visibility; older Python sends private.
    boolean isPrivate =
        "private".equals(body.path("visibility").asText()) || body.path("private").asBoolean(false);
    RepoMeta created = store.create(type, id, isPrivate, me.name());
    if (created == null) {
      // Python's create_repo(exist_ok=True) reads the url from the 409 body, as the real Hub sends
      // it.
      RepoMeta existing = store.repo(type, id).orElseThrow();
      throw new HubError(
          409,
          null,
          "You already created this " + type + " repo",
          Map.of("url", repoUrl(ex, existing)));
    }
    ex.sendJson(200, Map.of("url", repoUrl(ex, created), "name", id, "id", created.objectId()));
  }

  /**
   * {@code GET /api/datasets} (and models, spaces): huggingface_hub's list_datasets. {@code search}
   * matches a substring of the id, case-insensitively (several values must all match); {@code
   * author} is the namespace; {@code limit} is the page size (the client stops when it has enough).
   * Private repos appear only to members of their namespace, as on the Hub.
   */
  void list(Exchange ex, String typePlural) throws IOException {
    String type = typePlural.substring(0, typePlural.length() - 1);
    Optional<Users.User> user = ex.user();
    List<String> searches =
        ex.query.getOrDefault("search", List.of()).stream()
            .map(q -> q.toLowerCase(java.util.Locale.ROOT))
            .toList();
    String author = ex.queryParam("author");
    int pageSize = options.treePageSize();
    String limit = ex.queryParam("limit");
    if (limit != null) {
      try {
        pageSize = Math.min(Integer.parseInt(limit), 1000);
        if (pageSize < 1) throw new NumberFormatException();
      } catch (NumberFormatException e) {
        throw HubError.badRequest("Invalid limit: " + Names.show(limit));
      }
      pageSize = Math.min(pageSize, options.treePageSize());
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (RepoMeta repo : store.list(type)) {
      String ns = namespace(repo.id());
      if (repo.privateRepo() && !user.map(u -> u.member(ns)).orElse(false)) continue;
      if (author != null && !author.equalsIgnoreCase(ns)) continue;
      String lower = repo.id().toLowerCase(java.util.Locale.ROOT);
      if (!searches.stream().allMatch(lower::contains)) continue;
      Commit head = revision(repo, "HEAD");
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("_id", repo.objectId());
      item.put("id", repo.id());
      item.put("author", ns);
      item.put("sha", head.id());
      item.put("createdAt", repo.createdAt());
      item.put("lastModified", head.date());
      item.put("private", repo.privateRepo());
      item.put("gated", gatedValue(repo));
      item.put("disabled", false);
      item.put("downloads", 0);
      item.put("likes", 0);
      item.put("tags", List.of());
      out.add(item);
    }
    sendPage(ex, out, pageSize);
  }

  void info(Exchange ex, String typePlural, String id, String rev) throws IOException {
    RepoMeta repo = repo(ex, typePlural, id);
    Commit head = revision(repo, rev);
    List<Map<String, Object>> siblings = new ArrayList<>();
    head.files()
        .forEach(
            (path, f) -> {
              Map<String, Object> s = new LinkedHashMap<>();
              s.put("rfilename", path);
              s.put("size", f.size());
              s.put("blobId", f.gitOid());
              if (f.lfs()) {
                s.put(
                    "lfs",
                    Map.of(
                        "size",
                        f.size(),
                        "sha256",
                        f.sha256(),
                        "pointerSize",
                        GitOids.lfsPointer(f.sha256(), f.size()).length()));
              }
              siblings.add(s);
            });
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("_id", repo.objectId());
    info.put("id", repo.id());
    info.put("author", repo.id().substring(0, repo.id().indexOf('/')));
    info.put("sha", head.id());
    info.put("createdAt", repo.createdAt());
    info.put("lastModified", head.date());
    info.put("private", repo.privateRepo());
    info.put("gated", gatedValue(repo));
    info.put("disabled", false);
    info.put("downloads", 0);
    info.put("likes", 0);
    info.put("tags", List.of());
    info.put("siblings", siblings);
    info.put("usedStorage", head.files().values().stream().mapToLong(FileEntry::size).sum());
    ex.sendJson(200, info);
  }

  void tree(Exchange ex, String typePlural, String id, String rev, String dir) throws IOException {
    RepoMeta repo = repo(ex, typePlural, id);
    Commit commit = revision(repo, rev);
    boolean recursive = ex.queryFlag("recursive");
    boolean expand = ex.queryFlag("expand");
    String prefix = dir.isEmpty() ? "" : Names.path(dir) + "/";
    if (!dir.isEmpty() && commit.files().keySet().stream().noneMatch(p -> p.startsWith(prefix))) {
      throw HubError.entryNotFound(dir);
    }
    // Sorted by path; directories sort before their own contents, as a tree walk would give them.
    TreeMap<String, Map<String, Object>> entries = new TreeMap<>();
    commit
        .files()
        .forEach(
            (path, f) -> {
              if (!path.startsWith(prefix)) return;
              String[] parts = path.substring(prefix.length()).split("/");
              int dirs = recursive ? parts.length - 1 : Math.min(1, parts.length - 1);
              StringBuilder d = new StringBuilder(prefix);
              for (int i = 0; i < dirs; i++) {
                d.append(parts[i]);
                String dirPath = d.toString();
                entries.computeIfAbsent(dirPath, k -> directoryEntry(k, commit));
                d.append('/');
              }
              if (recursive || parts.length == 1) entries.put(path, fileEntry(path, f));
            });
    List<Map<String, Object>> list = new ArrayList<>(entries.values());
    if (expand) list.forEach(e -> addLastCommit(repo, commit, e));
    sendPage(ex, list, options.treePageSize());
  }

  void pathsInfo(Exchange ex, String typePlural, String id, String rev) throws IOException {
    RepoMeta repo = repo(ex, typePlural, id);
    Commit commit = revision(repo, rev);
    List<String> paths = new ArrayList<>();
    boolean expand;
    String contentType = ex.header("Content-Type");
    if (contentType != null && contentType.startsWith("application/x-www-form-urlencoded")) {
      Map<String, List<String>> form =
          Exchange.parseForm(new String(ex.body(), StandardCharsets.UTF_8));
      paths.addAll(form.getOrDefault("paths", List.of()));
      expand = "true".equalsIgnoreCase(form.getOrDefault("expand", List.of("false")).get(0));
    } else {
      JsonNode body = ex.jsonBody();
      body.path("paths").forEach(p -> paths.add(p.asText()));
      expand = body.path("expand").asBoolean(false);
    }
    if (paths.size() > 1000) throw new HubError(413, null, "Too many paths, at most 1000 per call");
    List<Map<String, Object>> out = new ArrayList<>();
    for (String raw : paths) {
      String path = Names.path(raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw);
      FileEntry f = commit.files().get(path);
      Map<String, Object> entry = null;
      if (f != null) entry = fileEntry(path, f);
      else if (commit.files().keySet().stream().anyMatch(p -> p.startsWith(path + "/"))) {
        entry = directoryEntry(path, commit);
      }
      if (entry == null) continue; // missing paths are left out, not an error
      if (expand) addLastCommit(repo, commit, entry);
      out.add(entry);
    }
    ex.sendJson(200, out);
  }

  void commits(Exchange ex, String typePlural, String id, String rev) throws IOException {
    RepoMeta repo = repo(ex, typePlural, id);
    Commit head = revision(repo, rev);
    List<Map<String, Object>> list = new ArrayList<>();
    for (Commit c : store.history(repo, head)) {
      Map<String, Object> item = new LinkedHashMap<>();
      item.put("id", c.id());
      item.put("title", c.title());
      item.put("message", c.message());
      Map<String, Object> author = new HashMap<>();
      author.put("user", c.author());
      author.put("avatar", null);
      item.put("authors", List.of(author));
      item.put("date", c.date());
      list.add(item);
    }
    sendPage(ex, list, options.commitsPageSize());
  }

  /** The newest commit whose change touched the entry: walk back while the entry is unchanged. */
  private void addLastCommit(RepoMeta repo, Commit head, Map<String, Object> entry) {
    String path = (String) entry.get("path");
    Object oid = entry.get("oid");
    Commit last = head;
    for (Commit c : store.history(repo, head)) {
      FileEntry f = c.files().get(path);
      Object oidThen =
          f != null
              ? f.gitOid()
              : "directory".equals(entry.get("type")) ? directoryEntry(path, c).get("oid") : null;
      if (!oid.equals(oidThen)) break;
      last = c;
    }
    entry.put("lastCommit", commitSummary(last));
  }

  /**
   * One page of a list, with an absolute Link to the next page, the only form the JS client
   * follows.
   */
  private static void sendPage(Exchange ex, List<Map<String, Object>> all, int pageSize)
      throws IOException {
    int from = 0;
    String cursor = ex.queryParam("cursor");
    if (cursor != null) {
      try {
        from = Integer.parseInt(cursor);
      } catch (NumberFormatException e) {
        throw HubError.badRequest("Invalid cursor");
      }
    }
    int to = Math.min(all.size(), from + pageSize);
    if (to < all.size()) {
      StringBuilder next = new StringBuilder(ex.baseUrl()).append(ex.rawPath()).append('?');
      ex.query.forEach(
          (k, vs) -> {
            if (!k.equals("cursor")) {
              vs.forEach(v -> next.append(enc(k)).append('=').append(enc(v)).append('&'));
            }
          });
      next.append("cursor=").append(to);
      ex.header("Link", "<" + next + ">; rel=\"next\"");
    }
    ex.sendJson(200, all.subList(Math.min(from, all.size()), to));
  }

  /** Stable 24-hex ids, like the Hub's object ids. */
  private static String objectId(String kind, String name) {
    return HexFormat.of()
        .formatHex(
            GitOids.digest("SHA-1").digest((kind + ":" + name).getBytes(StandardCharsets.UTF_8)))
        .substring(0, 24);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** The Hub's {@code gated}: false, or "manual" for a repo the server gates. */
  private Object gatedValue(RepoMeta repo) {
    return options.gated().contains(repo.type() + "s/" + repo.id()) ? "manual" : false;
  }
}
