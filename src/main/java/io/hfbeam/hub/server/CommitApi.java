package io.hfbeam.hub.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.hfbeam.hub.server.Model.AddLfs;
import io.hfbeam.hub.server.Model.AddRegular;
import io.hfbeam.hub.server.Model.Change;
import io.hfbeam.hub.server.Model.Commit;
import io.hfbeam.hub.server.Model.DeleteFile;
import io.hfbeam.hub.server.Model.DeleteFolder;
import io.hfbeam.hub.server.Model.FileEntry;
import io.hfbeam.hub.server.Model.RepoMeta;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The write path: validate-yaml, preupload (regular or LFS per file) and the NDJSON commit. */
final class CommitApi extends Endpoints {
  /** The Hub sends files above 10MB through LFS. */
  static final long LFS_THRESHOLD = 10L * 1024 * 1024;

  /**
   * Inline files are long base64 strings; the body cap bounds them, not Jackson's default string
   * limit.
   */
  private final ObjectMapper ndjson;

  CommitApi(RepoStore store, LocalHubServer.Options options) {
    super(store, options);
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxStringLength((int) Math.min(Integer.MAX_VALUE, options.maxBodyBytes()))
                    .build())
            .build();
    this.ndjson = new ObjectMapper(factory);
  }

  /** Python calls this before any commit touching README.md; bad YAML front matter gives 400. */
  void validateYaml(Exchange ex) throws IOException {
    requireUser(ex);
    String content = ex.jsonBody().path("content").asText("");
    if (content.startsWith("---")) {
      int end = content.indexOf("\n---", 3);
      if (end < 0) throw yamlError("The YAML front matter is not closed with ---");
      try {
        JsonNode node = new YAMLMapper().readTree(content.substring(3, end));
        if (node != null && !node.isNull() && !node.isObject())
          throw yamlError("The YAML front matter must be a map");
      } catch (IOException e) {
        throw yamlError("Invalid YAML: " + e.getMessage().lines().findFirst().orElse(""));
      }
    }
    ex.sendJson(200, Map.of("errors", List.of(), "warnings", List.of()));
  }

  private static YamlError yamlError(String message) {
    return new YamlError(message);
  }

  /** Carries the {@code errors} array that Python prints. */
  static final class YamlError extends HubError {
    YamlError(String message) {
      super(400, null, message);
    }

    @Override
    Object body() {
      return Map.of(
          "error",
          getMessage(),
          "errors",
          List.of(Map.of("message", getMessage())),
          "warnings",
          List.of());
    }
  }

  /**
   * {@code POST /api/{type}s/{id}/branch/{branch}} with an optional {@code startingPoint}
   * (huggingface_hub's create_branch; the default is the head of main). A slash in the name comes
   * percent-encoded ({@code refs%2Fconvert%2Fparquet}), so it is one path segment.
   */
  void createBranch(Exchange ex, String typePlural, String id, String branch) throws IOException {
    RepoMeta repo = writableRepo(ex, typePlural, id);
    String name = Names.revision(branch);
    if (name.equals("HEAD")
        || name.startsWith("refs/pr/")
        || HEX_REVISION.matcher(name).matches()) {
      throw HubError.badRequest("Invalid branch name '" + Names.show(name) + "'");
    }
    byte[] raw = ex.body();
    JsonNode body = raw.length == 0 ? null : ex.jsonBody();
    String from =
        body != null && body.path("startingPoint").isTextual()
            ? body.get("startingPoint").asText()
            : "HEAD";
    Commit start = revision(repo, Names.revision(from));
    store.createBranch(repo, name, start.id());
    ex.sendJson(200, Map.of());
  }

  private static final java.util.regex.Pattern HEX_REVISION =
      java.util.regex.Pattern.compile("[0-9a-f]{40}");

  void preupload(Exchange ex, String typePlural, String id, String rev) throws IOException {
    RepoMeta repo = writableRepo(ex, typePlural, id);
    Commit head = revision(repo, rev);
    JsonNode body = ex.jsonBody();
    List<String> lfsPatterns = lfsPatterns(head, body.path("gitAttributes").asText(null));
    List<Map<String, Object>> files = new ArrayList<>();
    for (JsonNode file : body.path("files")) {
      String path = Names.path(file.path("path").asText());
      long size = file.path("size").asLong();
      byte[] sample = Base64.getDecoder().decode(file.path("sample").asText(""));
      boolean lfs =
          size > 0 && (size > LFS_THRESHOLD || matches(lfsPatterns, path) || looksBinary(sample));
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("path", path);
      out.put("uploadMode", lfs ? "lfs" : "regular");
      out.put("shouldIgnore", false); // Python reads this key without a default
      FileEntry existing = head.files().get(path);
      if (existing != null) out.put("oid", existing.lfs() ? existing.sha256() : existing.gitOid());
      files.add(out);
    }
    ex.sendJson(200, Map.of("files", files, "commitOid", head.id()));
  }

  void commit(Exchange ex, String typePlural, String id, String rev) throws IOException {
    Users.User me = requireUser(ex);
    RepoMeta repo = writableRepo(ex, typePlural, id);
    String title = null;
    String description = "";
    String parentCommit = null;
    List<Change> changes = new ArrayList<>();
    // Parsed as it arrives: the raw body is never held whole, only the decoded inline files.
    try (InputStream in = ex.bodyStream(options.maxBodyBytes());
        MappingIterator<JsonNode> lines = ndjson.readerFor(JsonNode.class).readValues(in)) {
      while (lines.hasNextValue()) {
        JsonNode node = lines.nextValue();
        JsonNode value = node.path("value");
        switch (node.path("key").asText()) {
          case "header" -> {
            title = value.path("summary").asText(null);
            description = value.path("description").asText("");
            parentCommit =
                value.path("parentCommit").isTextual() ? value.get("parentCommit").asText() : null;
          }
          case "file" -> {
            String path = Names.path(value.path("path").asText());
            String content = value.path("content").asText("");
            byte[] bytes =
                "base64".equals(value.path("encoding").asText("base64"))
                    ? Base64.getDecoder().decode(content)
                    : content.getBytes(StandardCharsets.UTF_8);
            changes.add(new AddRegular(path, bytes));
          }
          case "lfsFile" ->
              changes.add(
                  new AddLfs(
                      Names.path(value.path("path").asText()),
                      value.path("oid").asText(),
                      value.has("size") ? value.get("size").asLong() : null));
          case "deletedFile" ->
              changes.add(new DeleteFile(Names.path(value.path("path").asText())));
          case "deletedFolder" -> {
            String folder = value.path("path").asText();
            // Python names a folder to delete with a trailing "/".
            changes.add(
                new DeleteFolder(
                    Names.path(
                        folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder)));
          }
          default ->
              throw HubError.badRequest(
                  "Unknown commit line key: " + Names.show(node.path("key").asText()));
        }
      }
    } catch (JsonProcessingException e) {
      throw HubError.badRequest("Invalid NDJSON line in commit payload");
    }
    if (title == null || title.isBlank())
      throw HubError.badRequest("The commit header with a summary is required");
    if (parentCommit != null && !parentCommit.matches("[A-Fa-f0-9]{5,40}")) {
      throw HubError.badRequest("Invalid parentCommit: " + parentCommit);
    }
    String message = description.isEmpty() ? title : title + "\n\n" + description;
    boolean createPr = ex.queryFlag("create_pr");
    RepoStore.Applied applied =
        store.apply(
            repo, Names.revision(rev), parentCommit, createPr, changes, title, message, me.name());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("success", true);
    out.put("commitOid", applied.commit().id());
    out.put("commitUrl", repoUrl(ex, repo) + "/commit/" + applied.commit().id());
    out.put("hookOutput", "");
    if (createPr)
      out.put("pullRequestUrl", repoUrl(ex, repo) + "/discussions/" + applied.pullRequest());
    ex.sendJson(200, out);
  }

  private List<String> lfsPatterns(Commit head, String extraAttributes) throws IOException {
    List<String> patterns = new ArrayList<>();
    FileEntry attributes = head.files().get(".gitattributes");
    if (attributes != null) {
      addLfsPatterns(
          patterns,
          Files.readString(store.objectPath(attributes.sha256()), StandardCharsets.UTF_8));
    }
    if (extraAttributes != null) addLfsPatterns(patterns, extraAttributes);
    return patterns;
  }

  private static void addLfsPatterns(List<String> patterns, String gitattributes) {
    gitattributes
        .lines()
        .map(String::trim)
        .filter(l -> !l.startsWith("#") && l.contains("filter=lfs"))
        .forEach(l -> patterns.add(l.split("\\s+")[0]));
  }

  /**
   * gitattributes semantics, simplified: a pattern without "/" matches the file name at any depth.
   */
  private static boolean matches(List<String> patterns, String path) {
    for (String pattern : patterns) {
      boolean anyDepth = !pattern.contains("/");
      Path target = Path.of(anyDepth ? path.substring(path.lastIndexOf('/') + 1) : path);
      if (FileSystems.getDefault().getPathMatcher("glob:" + pattern).matches(target)) return true;
    }
    return false;
  }

  private static boolean looksBinary(byte[] sample) {
    for (byte b : sample) if (b == 0) return true;
    return false;
  }
}
