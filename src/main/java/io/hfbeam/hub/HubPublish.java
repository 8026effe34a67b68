package io.hfbeam.hub;

import io.hfbeam.dataset.CollectList;
import io.hfbeam.dataset.DatasetFiles;
import io.hfbeam.dataset.RunEvents;
import io.hfbeam.dataset.WrittenFile;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PCollection;

/**
 * Publishes the files a dataset sink emitted to a Hub dataset repo, exactly the emitted names (a
 * directory may hold orphans of failed attempts, so it is never listed). The files are planned into
 * commits deterministically ({@link PublishPlan}); one {@code @RequiresStableInput} step commits
 * them in order, so after a failure a runner replays the same plan. Idempotent: files the Hub
 * already has (same sha256 at that path) are skipped and a commit with nothing new is not made, so
 * re-running a finished workflow makes no commit and uploads nothing. The card goes in the last
 * commit, rewritten to count the whole dataset on the Hub ({@link CumulativeCard}).
 *
 * <p>Steps: CollectFiles -> PlanCommits -> CommitToHub -> CountPublished. Counters in namespace
 * {@code publish}: commits, files_uploaded, bytes_uploaded, files_skipped.
 *
 * <p>Applied to a bounded input, the plan waits for every file (the card comes after all data files
 * anyway); {@link #eachList()} publishes the file lists of an unbounded workflow, one after the
 * other.
 *
 * <p>Runners. DirectRunner: the annotation is accepted, nothing is buffered. Flink (the {@code
 * flink-local} and {@code flink-cluster} profiles run streaming with exactly-once checkpoints): the
 * commit step sees a plan only once a checkpoint covering it has completed, or when the job ends
 * ({@code enableStableInputDrain}); after a restore it may see the same plan again, which the
 * skip-what-the-Hub-has rule makes harmless. Flink in batch mode runs the step as a plain ParDo.
 */
public final class HubPublish
    extends PTransform<PCollection<WrittenFile>, PCollection<PublishedCommit>> {
  private final Settings settings;

  private HubPublish(Settings settings) {
    this.settings = settings;
  }

  public static Builder to(String repo) {
    return new Builder(RepoId.dataset(repo));
  }

  @Override
  public PCollection<PublishedCommit> expand(PCollection<WrittenFile> files) {
    return files
        .apply("CollectFiles", Combine.globally(new CollectList<WrittenFile>()))
        .apply("CommitLists", eachList());
  }

  /**
   * Publishes each list of files as its own run of commits (the card, if in the list, in its last
   * commit): for an unbounded workflow that emits the files of each pane as one list. Steps:
   * PlanCommits -> CommitToHub -> CountPublished.
   */
  public PTransform<PCollection<List<WrittenFile>>, PCollection<PublishedCommit>> eachList() {
    return new EachList(settings);
  }

  static final class EachList
      extends PTransform<PCollection<List<WrittenFile>>, PCollection<PublishedCommit>> {
    private final Settings settings;

    EachList(Settings settings) {
      this.settings = settings;
    }

    @Override
    public PCollection<PublishedCommit> expand(PCollection<List<WrittenFile>> lists) {
      return lists
          .apply("PlanCommits", ParDo.of(new PlanFn(settings)))
          .setCoder(SerializableCoder.of(PublishPlan.class))
          .apply("CommitToHub", ParDo.of(new CommitFn(settings)))
          .setCoder(SerializableCoder.of(PublishedCommit.class))
          .apply("CountPublished", ParDo.of(new CountFn()))
          .setCoder(SerializableCoder.of(PublishedCommit.class));
    }
  }

  /** Where and how to publish; build with {@link HubPublish#to}. */
  static final class Settings implements Serializable {
    private static final long serialVersionUID = 1L;
    RepoId repo;
    String revision = "main";
    boolean isPrivate;
    boolean createPr;
    int maxFilesPerCommit = 50;
    long maxBytesPerCommit = 5L << 30;
    String pathPrefix = "";
    boolean includeErrors;
    HubClient.Settings client = HubClient.Settings.builder().build();

    String repoPath(String path) {
      return pathPrefix.isEmpty() ? path : pathPrefix + "/" + path;
    }
  }

  /**
   * Builder with the defaults: branch main, public, 50 files or 5 GiB per commit, no prefix, no
   * _errors/.
   */
  public static final class Builder {
    private final Settings s = new Settings();

    private Builder(RepoId repo) {
      s.repo = repo;
    }

    public Builder revision(String branch) {
      s.revision = branch;
      return this;
    }

    /** Visibility when the repo has to be created; an existing repo keeps its own. */
    public Builder privateRepo(boolean isPrivate) {
      s.isPrivate = isPrivate;
      return this;
    }

    /**
     * Opens a pull request with the first commit; later commits of the run go to that pull request.
     */
    public Builder createPr(boolean createPr) {
      s.createPr = createPr;
      return this;
    }

    public Builder maxFilesPerCommit(int n) {
      if (n < 1) throw new IllegalArgumentException("maxFilesPerCommit must be >= 1");
      s.maxFilesPerCommit = n;
      return this;
    }

    public Builder maxBytesPerCommit(long bytes) {
      if (bytes < 1) throw new IllegalArgumentException("maxBytesPerCommit must be >= 1");
      s.maxBytesPerCommit = bytes;
      return this;
    }

    /** A folder of the repo to publish into ("" for the root). */
    public Builder pathPrefix(String folder) {
      s.pathPrefix = folder.replaceAll("^/+|/+$", "");
      return this;
    }

    /**
     * Also publish {@code _errors/} (off by default: failed records may hold data nobody meant to
     * share).
     */
    public Builder includeErrors(boolean include) {
      s.includeErrors = include;
      return this;
    }

    /**
     * How workers build their client; the default reads HF_ENDPOINT and HF_TOKEN where the step
     * runs.
     */
    public Builder client(HubClient.Settings client) {
      s.client = client;
      return this;
    }

    public HubPublish build() {
      return new HubPublish(s);
    }
  }

  static final class PlanFn extends DoFn<List<WrittenFile>, PublishPlan> {
    private final Settings s;

    PlanFn(Settings s) {
      this.s = s;
    }

    @ProcessElement
    public void process(@Element List<WrittenFile> files, OutputReceiver<PublishPlan> out) {
      // by path: a run restored from a checkpoint may see a file twice (Beam 2.62's Flink sources
      // re-emit on restore)
      Map<String, WrittenFile> selected = new LinkedHashMap<>();
      for (WrittenFile f : files) {
        if (s.includeErrors || !f.path().startsWith(errorsDir())) selected.put(f.path(), f);
      }
      out.output(
          PublishPlan.of(
              new ArrayList<>(selected.values()), s.maxFilesPerCommit, s.maxBytesPerCommit));
    }

    private static String errorsDir() {
      return DatasetFiles.ERRORS_FILE.substring(0, DatasetFiles.ERRORS_FILE.indexOf('/') + 1);
    }
  }

  /**
   * Counts what the commits did. A step of its own: on Flink's streaming runner, metrics of a
   * {@code @RequiresStableInput} step are lost (it runs when a checkpoint completes, outside the
   * metrics scope).
   */
  static final class CountFn extends DoFn<PublishedCommit, PublishedCommit> {
    private final Counter commits = Metrics.counter("publish", "commits");
    private final Counter filesUploaded = Metrics.counter("publish", "files_uploaded");
    private final Counter bytesUploaded = Metrics.counter("publish", "bytes_uploaded");
    private final Counter filesSkipped = Metrics.counter("publish", "files_skipped");

    @ProcessElement
    public void process(@Element PublishedCommit c, OutputReceiver<PublishedCommit> out) {
      // inc(0) still reports the counters, so an unchanged re-run shows its zeros in the run
      // summary
      commits.inc(PublishedCommit.NO_CHANGES.equals(c.oid()) ? 0 : 1);
      filesUploaded.inc(c.filesUploaded());
      bytesUploaded.inc(c.bytesUploaded());
      filesSkipped.inc(c.filesSkipped());
      RunEvents.emit(
          PublishedCommit.NO_CHANGES.equals(c.oid())
              ? "no commit needed: " + c.filesSkipped() + " file(s) already on the Hub"
              : "commit landed: "
                  + c.oid().substring(0, Math.min(12, c.oid().length()))
                  + " \""
                  + c.message()
                  + "\" ("
                  + c.filesUploaded()
                  + " file(s), "
                  + String.format("%,d", c.bytesUploaded())
                  + " bytes"
                  + (c.filesSkipped() > 0 ? "; " + c.filesSkipped() + " unchanged" : "")
                  + ")");
      out.output(c);
    }
  }

  static final class CommitFn extends DoFn<PublishPlan, PublishedCommit> {
    private final Settings s;
    private static final int MAX_HISTORY = 100;
    private transient HubClient client;

    CommitFn(Settings s) {
      this.s = s;
    }

    @Setup
    public void setup() throws IOException {
      client = s.client.newClient();
    }

    @ProcessElement
    @RequiresStableInput
    public void process(@Element PublishPlan plan, OutputReceiver<PublishedCommit> out)
        throws IOException {
      if (plan.commits().isEmpty()) return;
      client.createRepo(s.repo, s.isPrivate, true);
      // One Add per file for the whole run, so each file is hashed once (for the skip check, the
      // upload, the card).
      Map<String, CommitOperation.Add> adds = new LinkedHashMap<>();
      for (List<WrittenFile> commit : plan.commits()) {
        for (WrittenFile f : commit) {
          if (!f.path().equals(PublishPlan.CARD))
            adds.put(f.path(), CommitOperation.add(s.repoPath(f.path()), Path.of(f.localPath())));
        }
      }
      String revision = s.revision;
      for (int i = 0; i < plan.commits().size(); i++) {
        List<CommitOperation.Add> ops = new ArrayList<>();
        for (WrittenFile f : plan.commits().get(i)) {
          ops.add(
              f.path().equals(PublishPlan.CARD)
                  ? card(plan, adds, revision, f)
                  : adds.get(f.path()));
        }
        List<CommitOperation> fresh = new ArrayList<>(notOnHub(ops, revision));
        int skipped = ops.size() - fresh.size();
        if (fresh.isEmpty()) {
          out.output(new PublishedCommit(i, PublishedCommit.NO_CHANGES, "", 0, 0, skipped));
          continue;
        }
        String message = PublishPlan.message(fresh.stream().map(CommitOperation::path).toList());
        CommitInfo info;
        if (s.createPr && revision.equals(s.revision)) {
          info = client.createPullRequest(s.repo, revision, fresh, message);
          revision =
              "refs/pr/"
                  + info.pullRequestUrl().substring(info.pullRequestUrl().lastIndexOf('/') + 1);
        } else {
          info = client.createCommit(s.repo, revision, fresh, message, null);
        }
        long bytes = 0;
        for (CommitOperation op : fresh) bytes += ((CommitOperation.Add) op).size();
        out.output(
            new PublishedCommit(
                i,
                info.created() ? info.oid() : PublishedCommit.NO_CHANGES,
                message,
                fresh.size(),
                bytes,
                skipped));
      }
    }

    /** The ops whose content the branch does not have at that path yet. */
    private List<CommitOperation.Add> notOnHub(List<CommitOperation.Add> ops, String revision)
        throws IOException {
      Map<String, RepoFile> remote = new LinkedHashMap<>();
      for (RepoFile f :
          client.pathsInfo(s.repo, revision, ops.stream().map(CommitOperation::path).toList())) {
        remote.put(f.path(), f);
      }
      List<CommitOperation.Add> fresh = new ArrayList<>();
      for (CommitOperation.Add op : ops) {
        RepoFile there = remote.get(op.path());
        if (there == null || !CumulativeCard.sameContent(op.sha256(), op.gitSha1(), there))
          fresh.add(op);
      }
      return fresh;
    }

    /** This run's card, counting the whole dataset on the Hub (see {@link CumulativeCard}). */
    private CommitOperation.Add card(
        PublishPlan plan, Map<String, CommitOperation.Add> adds, String revision, WrittenFile card)
        throws IOException {
      Map<String, CumulativeCard.Local> written = new LinkedHashMap<>();
      for (List<WrittenFile> commit : plan.commits()) {
        for (WrittenFile f : commit) {
          if (adds.containsKey(f.path())) written.put(f.path(), local(f, adds.get(f.path())));
        }
      }
      String updated =
          CumulativeCard.update(
              Files.readString(Path.of(card.localPath()), StandardCharsets.UTF_8),
              written,
              filesUnderPrefix(revision),
              previousCard(revision));
      return CommitOperation.add(
          s.repoPath(PublishPlan.CARD), updated.getBytes(StandardCharsets.UTF_8));
    }

    private static CumulativeCard.Local local(WrittenFile f, CommitOperation.Add op)
        throws IOException {
      return new CumulativeCard.Local(f, op.sha256(), op.gitSha1());
    }

    /**
     * Files of the repo under the prefix, by path relative to the prefix (where the card's globs
     * apply).
     */
    private Map<String, RepoFile> filesUnderPrefix(String revision) throws IOException {
      Map<String, RepoFile> out = new LinkedHashMap<>();
      for (RepoFile f : client.listFiles(s.repo, revision, s.pathPrefix, true)) {
        if (!f.directory())
          out.put(
              s.pathPrefix.isEmpty() ? f.path() : f.path().substring(s.pathPrefix.length() + 1), f);
      }
      return out;
    }

    /**
     * The card on the branch and the files of the commit that wrote it: the newest commit whose
     * card differs from the current one is the one before it (commits of a run that failed before
     * its card may follow it).
     */
    private Optional<CumulativeCard.Previous> previousCard(String revision) throws IOException {
      String path = s.repoPath(PublishPlan.CARD);
      List<RepoFile> head = client.pathsInfo(s.repo, revision, List.of(path));
      if (head.isEmpty()) return Optional.empty();
      String text =
          Files.readString(client.download(s.repo, revision, path), StandardCharsets.UTF_8);
      List<CommitEntry> history = client.listCommits(s.repo, revision, MAX_HISTORY);
      String cardCommit = null;
      boolean foundStart = history.size() < MAX_HISTORY; // the whole history was read
      for (CommitEntry c : history) {
        List<RepoFile> then = client.pathsInfo(s.repo, c.id(), List.of(path));
        if (then.isEmpty() || !then.get(0).contentOid().equals(head.get(0).contentOid())) {
          foundStart = true;
          break;
        }
        cardCommit = c.id();
      }
      if (!foundStart) return Optional.empty();
      return Optional.of(new CumulativeCard.Previous(text, filesUnderPrefix(cardCommit)));
    }
  }
}
