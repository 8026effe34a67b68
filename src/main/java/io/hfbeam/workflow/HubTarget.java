package io.hfbeam.workflow;

import io.hfbeam.dataset.WrittenFile;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubException;
import io.hfbeam.hub.HubPublish;
import io.hfbeam.hub.PublishedCommit;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.beam.sdk.values.PCollection;

/**
 * Where and how a workflow run publishes: the Hub dataset repo, branch, visibility and commit
 * sizes. Immutable; {@link WorkflowLauncher} checks the token and creates the repo before the
 * pipeline starts, then adds the publish step after the workflow's sink.
 */
public final class HubTarget {
  private static final Pattern BATCH = Pattern.compile("batch_(\\d+)");

  private final RepoId repo;
  private final String revision;
  private final boolean privateRepo;
  private final boolean createPr;
  private final String pathPrefix;
  private final boolean includeErrors;
  private final Integer maxFilesPerCommit;
  private final Long maxMbPerCommit;
  private final Map<String, String> env;

  private HubTarget(
      RepoId repo,
      String revision,
      boolean privateRepo,
      boolean createPr,
      String pathPrefix,
      boolean includeErrors,
      Integer maxFilesPerCommit,
      Long maxMbPerCommit,
      Map<String, String> env) {
    this.repo = repo;
    this.revision = revision;
    this.privateRepo = privateRepo;
    this.createPr = createPr;
    this.pathPrefix = pathPrefix;
    this.includeErrors = includeErrors;
    this.maxFilesPerCommit = maxFilesPerCommit;
    this.maxMbPerCommit = maxMbPerCommit;
    this.env = env;
  }

  /**
   * The dataset repo {@code owner/name}, branch main, public, the publish step's default commit
   * sizes.
   */
  public static HubTarget to(String repo) {
    return new HubTarget(RepoId.dataset(repo), "main", false, false, "", false, null, null, null);
  }

  public HubTarget withRevision(String branch) {
    return new HubTarget(
        repo,
        branch,
        privateRepo,
        createPr,
        pathPrefix,
        includeErrors,
        maxFilesPerCommit,
        maxMbPerCommit,
        env);
  }

  /** Creates the repo private (an existing repo keeps its visibility). */
  public HubTarget withPrivate(boolean isPrivate) {
    return new HubTarget(
        repo,
        revision,
        isPrivate,
        createPr,
        pathPrefix,
        includeErrors,
        maxFilesPerCommit,
        maxMbPerCommit,
        env);
  }

  public HubTarget withCreatePr(boolean pr) {
    return new HubTarget(
        repo,
        revision,
        privateRepo,
        pr,
        pathPrefix,
        includeErrors,
        maxFilesPerCommit,
        maxMbPerCommit,
        env);
  }

  public HubTarget withPathPrefix(String folder) {
    return new HubTarget(
        repo,
        revision,
        privateRepo,
        createPr,
        folder,
        includeErrors,
        maxFilesPerCommit,
        maxMbPerCommit,
        env);
  }

  public HubTarget withIncludeErrors(boolean include) {
    return new HubTarget(
        repo,
        revision,
        privateRepo,
        createPr,
        pathPrefix,
        include,
        maxFilesPerCommit,
        maxMbPerCommit,
        env);
  }

  /** At most this many files per commit; null keeps the publish step's default. */
  public HubTarget withMaxFilesPerCommit(Integer n) {
    return new HubTarget(
        repo, revision, privateRepo, createPr, pathPrefix, includeErrors, n, maxMbPerCommit, env);
  }

  /** At most this many MiB per commit; null keeps the publish step's default. */
  public HubTarget withMaxMbPerCommit(Long mb) {
    return new HubTarget(
        repo,
        revision,
        privateRepo,
        createPr,
        pathPrefix,
        includeErrors,
        maxFilesPerCommit,
        mb,
        env);
  }

  /**
   * HF_* variables (HF_ENDPOINT, HF_TOKEN, HF_HOME) instead of the process environment. With the
   * process environment (null, the default) no map is put in the client settings, so the token
   * never travels with the pipeline: each worker reads its own.
   */
  public HubTarget withEnvironment(Map<String, String> environment) {
    return new HubTarget(
        repo,
        revision,
        privateRepo,
        createPr,
        pathPrefix,
        includeErrors,
        maxFilesPerCommit,
        maxMbPerCommit,
        environment == null ? null : Map.copyOf(environment));
  }

  public RepoId repo() {
    return repo;
  }

  public String revision() {
    return revision;
  }

  HubClient client() throws IOException {
    HubClient.Settings.Builder b = HubClient.Settings.builder();
    return (env == null ? b.build() : b.environment(env).build()).newClient();
  }

  /**
   * The publish step's client: a run that has done its work waits out a longer Hub outage (5 min
   * without an answer) than the check before it starts (30 s), which must fail fast.
   */
  private HubClient.Settings publishSettings() {
    HubClient.Settings.Builder b =
        HubClient.Settings.builder().noAnswerDeadline(Duration.ofMinutes(5));
    return env == null ? b.build() : b.environment(env).build();
  }

  /**
   * Checks the token (whoami) and creates the repo if missing: a bad token costs seconds, not a
   * run.
   */
  public void checkAndCreateRepo() throws IOException {
    HubClient client = client();
    client.whoami();
    client.createRepo(repo, privateRepo, true);
  }

  /** Adds the publish step after a workflow's sink. */
  public PCollection<PublishedCommit> publish(PCollection<WrittenFile> files) {
    return files.apply("PublishToHub", publisher());
  }

  /**
   * Adds the publish step after an unbounded workflow's sink: each list (one pane's files) in its
   * own commits.
   */
  public PCollection<PublishedCommit> publishEach(PCollection<List<WrittenFile>> lists) {
    return lists.apply("PublishToHub", publisher().eachList());
  }

  private HubPublish publisher() {
    HubPublish.Builder b =
        HubPublish.to(repo.id())
            .revision(revision)
            .privateRepo(privateRepo)
            .createPr(createPr)
            .client(publishSettings())
            .pathPrefix(pathPrefix)
            .includeErrors(includeErrors);
    if (maxFilesPerCommit != null) b.maxFilesPerCommit(maxFilesPerCommit);
    if (maxMbPerCommit != null) b.maxBytesPerCommit(maxMbPerCommit << 20);
    return b.build();
  }

  /**
   * 1 + the highest batch number on this repo's branch (see {@link #nextBatchNumber(HubClient,
   * RepoId, String)}).
   */
  public int nextBatchNumber() throws IOException {
    return nextBatchNumber(client(), repo, revision);
  }

  /**
   * 1 + the highest {@code batch_NNN} among the repo's files (any split, any folder), or 1 for a
   * new or empty repo, so a workflow appending to a dataset continues its numbering.
   */
  public static int nextBatchNumber(HubClient client, RepoId repo, String revision)
      throws IOException {
    int highest = 0;
    try {
      for (RepoFile f : client.listFiles(repo, revision, "", true)) {
        Matcher m = BATCH.matcher(f.path().substring(f.path().lastIndexOf('/') + 1));
        if (!f.directory() && m.lookingAt())
          highest = Math.max(highest, Integer.parseInt(m.group(1)));
      }
    } catch (HubException e) {
      if (e.status() != 404) throw e; // no repo or no branch yet: the numbering starts at 1
    }
    return highest + 1;
  }

  /**
   * 1 + the highest {@code batch_NNN} among the files under a local output directory (1 when there
   * are none).
   */
  public static int nextLocalBatchNumber(Path output) throws IOException {
    if (!Files.isDirectory(output)) return 1;
    int highest = 0;
    try (Stream<Path> files = Files.walk(output)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        // hidden folders (staging, parts, rejected panes) are not the dataset: their numbers are
        // not taken
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
  public Integer previousFirstBatch(String marker) throws IOException {
    HubClient client = client();
    try {
      if (client.pathsInfo(repo, revision, List.of(marker)).isEmpty()) return null;
      Path local = client.download(repo, revision, marker);
      return com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .build()
          .readTree(local.toFile())
          .path("first_batch")
          .asInt();
    } catch (HubException e) {
      if (e.status() == 404) return null;
      throw e;
    }
  }
}
