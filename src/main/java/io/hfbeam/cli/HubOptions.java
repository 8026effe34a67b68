package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubException;
import io.hfbeam.hub.HubPublish;
import io.hfbeam.hub.PublishedCommit;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.dataset.WrittenFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.values.PCollection;
import picocli.CommandLine.Option;

/**
 * Publishing flags for workflow commands; a command takes them with {@code @Mixin HubOptions hub;} and passes its
 * written files through {@link #publish}. {@link WorkflowCommand} checks the token and creates the repo before the
 * pipeline starts. Commit sizes come from the pipeline YAML's {@code hub:} section ({@code max_files_per_commit},
 * {@code max_mb_per_commit}, {@code path_prefix}, {@code include_errors}).
 */
public final class HubOptions {
  private static final Pattern BATCH = Pattern.compile("batch_(\\d+)");

  @Option(names = "--repo", paramLabel = "OWNER/NAME", description = "Publish the dataset to this Hub dataset repo (created if missing).")
  String repo;

  @Option(names = "--private", description = "Create the repo private (an existing repo keeps its visibility).")
  boolean isPrivate;

  @Option(names = "--revision", paramLabel = "BRANCH", defaultValue = "main", description = "Branch to commit to (default: ${DEFAULT-VALUE}).")
  String revision;

  @Option(names = "--create-pr", description = "Open a pull request instead of committing to the branch.")
  boolean createPr;

  boolean enabled() {
    return repo != null;
  }

  RepoId repoId() {
    try {
      return RepoId.dataset(repo);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--repo: " + e.getMessage());
    }
  }

  /**
   * The client settings. With the process environment ({@code env} null) no environment map is put in them, so
   * the token never travels with the pipeline: each worker reads its own.
   */
  static HubClient.Settings clientSettings(Map<String, String> env) {
    HubClient.Settings.Builder b = HubClient.Settings.builder();
    return env == null ? b.build() : b.environment(env).build();
  }

  /**
   * The settings of the publish step: a run that has done its work waits out a longer Hub outage (5 min without
   * an answer) than the check before it starts (30 s), which must fail fast.
   */
  static HubClient.Settings publishSettings(Map<String, String> env) {
    HubClient.Settings.Builder b = HubClient.Settings.builder().noAnswerDeadline(java.time.Duration.ofMinutes(5));
    return env == null ? b.build() : b.environment(env).build();
  }

  /** Checks the token (whoami) and creates the repo if missing: a bad token costs seconds, not a run. */
  void checkAndCreateRepo(Map<String, String> env) throws IOException {
    HubClient client = clientSettings(env).newClient();
    client.whoami();
    client.createRepo(repoId(), isPrivate, true);
  }

  /** Adds the publish step after the workflow's sink. */
  PCollection<PublishedCommit> publish(PCollection<WrittenFile> files, Map<String, String> env, JsonNode yaml) {
    return files.apply("PublishToHub", publisher(env, yaml));
  }

  /** Adds the publish step after an unbounded workflow's sink: each list (one pane's files) in its own commits. */
  PCollection<PublishedCommit> publishEach(PCollection<List<WrittenFile>> lists, Map<String, String> env, JsonNode yaml) {
    return lists.apply("PublishToHub", publisher(env, yaml).eachList());
  }

  private HubPublish publisher(Map<String, String> env, JsonNode yaml) {
    HubPublish.Builder b = HubPublish.to(repoId().id()).revision(revision).privateRepo(isPrivate).createPr(createPr)
        .client(publishSettings(env))
        .pathPrefix(yaml.path("path_prefix").asText(""))
        .includeErrors(yaml.path("include_errors").asBoolean(false));
    if (yaml.has("max_files_per_commit")) b.maxFilesPerCommit(yaml.get("max_files_per_commit").asInt());
    if (yaml.has("max_mb_per_commit")) b.maxBytesPerCommit(yaml.get("max_mb_per_commit").asLong() << 20);
    return b.build();
  }

  /**
   * 1 + the highest {@code batch_NNN} among the repo's files (any split, any folder), or 1 for a new or empty repo,
   * so a workflow appending to a dataset continues its numbering.
   */
  public static int nextBatchNumber(HubClient client, RepoId repo, String revision) throws IOException {
    int highest = 0;
    try {
      for (RepoFile f : client.listFiles(repo, revision, "", true)) {
        Matcher m = BATCH.matcher(f.path().substring(f.path().lastIndexOf('/') + 1));
        if (!f.directory() && m.lookingAt()) highest = Math.max(highest, Integer.parseInt(m.group(1)));
      }
    } catch (HubException e) {
      if (e.status() != 404) throw e; // no repo or no branch yet: the numbering starts at 1
    }
    return highest + 1;
  }

  /** 1 + the highest {@code batch_NNN} among the files under a local output directory (1 when there are none). */
  public static int nextLocalBatchNumber(Path output) throws IOException {
    if (!Files.isDirectory(output)) return 1;
    int highest = 0;
    try (java.util.stream.Stream<Path> files = Files.walk(output)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        // hidden folders (staging, parts, rejected panes) are not the dataset: their numbers are not taken
        boolean hidden = false;
        for (Path part : output.relativize(f)) hidden |= part.toString().startsWith(".");
        if (hidden) continue;
        Matcher m = BATCH.matcher(f.getFileName().toString());
        if (m.lookingAt()) highest = Math.max(highest, Integer.parseInt(m.group(1)));
      }
    }
    return highest + 1;
  }

  /** The first batch recorded in a run marker the repo already has, or null when it has none. */
  static Integer previousFirstBatch(HubClient client, RepoId repo, String revision, String marker) throws IOException {
    try {
      if (client.pathsInfo(repo, revision, List.of(marker)).isEmpty()) return null;
      Path local = client.download(repo, revision, marker);
      return com.fasterxml.jackson.databind.json.JsonMapper.builder().build().readTree(local.toFile()).path("first_batch").asInt();
    } catch (HubException e) {
      if (e.status() == 404) return null;
      throw e;
    }
  }
}
