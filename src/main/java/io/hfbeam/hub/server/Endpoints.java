package io.hfbeam.hub.server;

import io.hfbeam.hub.GitOids;
import io.hfbeam.hub.server.Model.Commit;
import io.hfbeam.hub.server.Model.FileEntry;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** What every group of endpoints shares: the store, the options, auth rules and tree-entry JSON. */
abstract class Endpoints {
  static final Set<String> REPO_TYPES = Set.of("models", "datasets", "spaces");

  final RepoStore store;
  final LocalHubServer.Options options;

  Endpoints(RepoStore store, LocalHubServer.Options options) {
    this.store = store;
    this.options = options;
  }

  /** The caller, or 401; endpoints that write call this before reading any of the body. */
  static Users.User requireUser(Exchange ex) {
    return ex.user()
        .orElseThrow(
            () -> new HubError(401, null, "Authorization header is required for this endpoint"));
  }

  /**
   * The repo for reading, or the real Hub's answers: 401 (RepoNotFound) without a token, 404 with
   * one, for a repo that does not exist and for a private one of a namespace the caller is not in
   * alike.
   */
  RepoMeta repo(Exchange ex, String typePlural, String id) {
    String type = typePlural.substring(0, typePlural.length() - 1);
    Optional<Users.User> user = ex.user();
    RepoMeta repo = store.repo(type, Names.repoId(id)).orElse(null);
    if (repo == null
        || (repo.privateRepo() && !user.map(u -> u.member(namespace(id))).orElse(false))) {
      if (user.isEmpty()) throw new HubError(401, "RepoNotFound", "Repository not found");
      throw HubError.repoNotFound();
    }
    return repo;
  }

  /**
   * Refuses the files of a gated repo to whoever is not in its namespace, with the Hub's GatedRepo
   * answers.
   */
  void checkGate(Exchange ex, String typePlural, String id) {
    if (!options.gated().contains(typePlural + "/" + id)) return;
    Optional<Users.User> user = ex.user();
    if (user.map(u -> u.member(namespace(id))).orElse(false)) return;
    String what = typePlural.substring(0, typePlural.length() - 1) + " " + id;
    if (user.isEmpty()) {
      throw new HubError(
          401,
          "GatedRepo",
          "Access to "
              + what
              + " is restricted. You must have access to it and be authenticated"
              + " to access it. Please log in.");
    }
    throw new HubError(
        403,
        "GatedRepo",
        "Access to "
            + what
            + " is restricted and you are not in the authorized list. Visit the repo's page to"
            + " ask for access.");
  }

  /**
   * The repo for writing: 401 without a token, 404 if the caller cannot see it, 403 if it is not
   * theirs.
   */
  RepoMeta writableRepo(Exchange ex, String typePlural, String id) {
    Users.User user = requireUser(ex);
    RepoMeta repo = repo(ex, typePlural, id);
    if (!user.member(namespace(id))) throw forbidden(user, namespace(id));
    return repo;
  }

  static HubError forbidden(Users.User user, String namespace) {
    return new HubError(
        403,
        null,
        "You don't have the rights to write to the namespace "
            + namespace
            + " (you are "
            + user.name()
            + (user.orgs().isEmpty() ? "" : ", member of " + String.join(", ", user.orgs()))
            + ")");
  }

  static String namespace(String id) {
    return id.substring(0, id.indexOf('/'));
  }

  Commit revision(RepoMeta repo, String rev) {
    return store
        .resolve(repo, Names.revision(rev))
        .orElseThrow(() -> HubError.revisionNotFound(rev));
  }

  /** Base URL of a repo page: models have no type prefix on the real Hub. */
  static String repoUrl(Exchange ex, RepoMeta repo) {
    return ex.baseUrl()
        + ("model".equals(repo.type()) ? "" : "/" + repo.type() + "s")
        + "/"
        + repo.id();
  }

  static Map<String, Object> fileEntry(String path, FileEntry f) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", "file");
    e.put("oid", f.gitOid());
    e.put("size", f.size());
    e.put("path", path);
    if (f.lfs()) {
      e.put(
          "lfs",
          Map.of(
              "oid",
              f.sha256(),
              "size",
              f.size(),
              "pointerSize",
              GitOids.lfsPointer(f.sha256(), f.size()).length()));
    }
    return e;
  }

  /** Directory entry; its oid is a hash over the files below it, so it changes when they change. */
  static Map<String, Object> directoryEntry(String path, Commit commit) {
    var md = GitOids.digest("SHA-1");
    commit
        .files()
        .forEach(
            (p, f) -> {
              if (p.startsWith(path + "/"))
                md.update((p + " " + f.gitOid() + "\n").getBytes(StandardCharsets.UTF_8));
            });
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("type", "directory");
    e.put("oid", HexFormat.of().formatHex(md.digest()));
    e.put("size", 0);
    e.put("path", path);
    return e;
  }

  static Map<String, Object> commitSummary(Commit c) {
    return Map.of("id", c.id(), "title", c.title(), "date", c.date());
  }
}
