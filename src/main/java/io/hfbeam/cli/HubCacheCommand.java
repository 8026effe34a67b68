package io.hfbeam.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.hub.CachePruner;
import io.hfbeam.hub.CacheReport;
import io.hfbeam.hub.CacheScanner;
import io.hfbeam.hub.CacheVerifier;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubEnvironment;
import io.hfbeam.hub.RepoId;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hfbeam hub cache scan|verify|prune}: the shared Hugging Face cache (HF_HUB_CACHE, else
 * $HF_HOME/hub). Flags only; the work is in {@code io.hfbeam.hub}.
 */
@Command(
    name = "cache",
    mixinStandardHelpOptions = true,
    description = "Inspect, verify and shrink the Hugging Face cache hfbeam shares with Python.",
    subcommands = {
      HubCacheCommand.Scan.class,
      HubCacheCommand.Verify.class,
      HubCacheCommand.Prune.class
    })
public final class HubCacheCommand implements Runnable {
  @ParentCommand HubCommand hub;
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Shared by the three: the cache folder, and failures printed as the other hub commands print
   * them (one line; exit 2 for usage errors, 1 for failures; the stack trace with --verbose).
   */
  abstract static class CacheSub extends SubCommand {
    @ParentCommand HubCacheCommand cache;

    @Option(
        names = "--cache-dir",
        paramLabel = "DIR",
        description = "The cache (default: HF_HUB_CACHE, else $HF_HOME/hub, as huggingface_hub).")
    Path cacheDir;

    abstract void execute() throws Exception;

    @Override
    int run() throws Exception {
      execute();
      return 0;
    }

    @Override
    String group() {
      return "hub cache";
    }

    Path cacheDir() {
      return cacheDir != null ? cacheDir : environment().hubCache();
    }

    HubEnvironment environment() {
      return cache.hub.environment();
    }

    HubClient client() throws IOException {
      return cache.hub.client(Map.of());
    }
  }

  @Command(
      name = "scan",
      description =
          "List cached repos and revisions with sizes, refs and times, as huggingface_hub's scan_cache_dir.")
  static final class Scan extends CacheSub {
    @Option(names = "--json", description = "Print everything, files included, as JSON.")
    boolean json;

    @Option(
        names = {"-r", "--revisions"},
        description = "One row per revision instead of per repo.")
    boolean revisions;

    @Override
    void execute() throws Exception {
      CacheReport report = CacheScanner.scan(cacheDir());
      if (json) {
        out().println(JSON.writeValueAsString(toJson(report)));
        return;
      }
      Instant now = Instant.now();
      List<String[]> rows = new ArrayList<>();
      List<CacheReport.Repo> repos = new ArrayList<>(report.repos());
      repos.sort(Comparator.comparing(CacheReport.Repo::path));
      if (!revisions) {
        rows.add(new String[] {"ID", "SIZE", "FILES", "LAST_ACCESSED", "LAST_MODIFIED", "REFS"});
        for (CacheReport.Repo r : repos) {
          rows.add(
              new String[] {
                r.cacheId(),
                CacheReport.formatSize(r.sizeOnDisk()),
                String.valueOf(r.nbFiles()),
                ago(r.lastAccessed(), now),
                ago(r.lastModified(), now),
                String.join(", ", r.refs())
              });
        }
      } else {
        rows.add(new String[] {"ID", "REVISION", "SIZE", "FILES", "LAST_MODIFIED", "REFS"});
        for (CacheReport.Repo r : repos) {
          List<CacheReport.Revision> revs = new ArrayList<>(r.revisions());
          revs.sort(Comparator.comparing(CacheReport.Revision::commitHash));
          for (CacheReport.Revision v : revs) {
            rows.add(
                new String[] {
                  r.cacheId(),
                  v.commitHash(),
                  CacheReport.formatSize(v.sizeOnDisk()),
                  String.valueOf(v.files().size()),
                  ago(v.lastModified(), now),
                  String.join(", ", v.refs().stream().sorted().toList())
                });
          }
        }
      }
      printTable(rows);
      out()
          .printf(
              "%nFound %d repo(s) for a total of %d revision(s) and %s on disk in %s.%n",
              report.repos().size(),
              report.revisionCount(),
              CacheReport.formatSize(report.sizeOnDisk()),
              report.cacheDir());
      for (CacheReport.Warning w : report.warnings())
        err().println("warning: " + w.message() + " (left out of the scan)");
      if (!report.incompleteFiles().isEmpty()) {
        out()
            .printf(
                "%d incomplete download(s), %s (interrupted or still running).%n",
                report.incompleteFiles().size(),
                CacheReport.formatSize(report.incompleteSizeOnDisk()));
      }
    }

    private void printTable(List<String[]> rows) {
      int[] width = new int[rows.get(0).length];
      for (String[] r : rows)
        for (int i = 0; i < r.length; i++) width[i] = Math.max(width[i], r[i].length());
      for (String[] r : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < r.length; i++) {
          boolean number = rows.get(0)[i].equals("SIZE") || rows.get(0)[i].equals("FILES");
          String cell = pad(r[i], width[i], number);
          line.append(i == 0 ? "" : "  ").append(cell);
        }
        out().println(line.toString().stripTrailing());
      }
    }
  }

  @Command(
      name = "verify",
      description =
          "Hash every cached blob (sha256 for LFS files, git blob oid otherwise) and compare it with its name,"
              + " or with the Hub's metadata where the name is not the hash; exit 1 on a corrupt blob.")
  static final class Verify extends CacheSub {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "REPO",
        description = "owner/name; without it, every cached repo.")
    String repo;

    @Option(
        names = "--type",
        defaultValue = "dataset",
        description = "Repo type of REPO: dataset, model or space (default: ${DEFAULT-VALUE}).")
    String type;

    @Option(
        names = "--fix",
        description =
            "Delete corrupt blobs (and the snapshot links to them) so the next download fetches them again.")
    boolean fix;

    @Option(
        names = "--offline",
        description = "Never ask the Hub; blobs not named by their hash are then left unchecked.")
    boolean offline;

    @Override
    void execute() throws Exception {
      CacheReport report = CacheScanner.scan(cacheDir());
      String wanted = null;
      if (repo != null) {
        wanted = RepoId.Type.parse(type).apiName() + "/" + repo;
        String w = wanted;
        if (report.repos().stream().noneMatch(r -> r.cacheId().equals(w))) {
          throw new IllegalArgumentException(
              w
                  + " is not in the cache "
                  + report.cacheDir()
                  + "; it holds "
                  + (report.repos().isEmpty()
                      ? "nothing"
                      : String.join(
                          ", ", report.repos().stream().map(CacheReport.Repo::cacheId).toList())));
        }
      }
      HubClient hubClient = offline || environment().offline() ? null : client();
      String w = wanted;
      CacheVerifier.Result result =
          CacheVerifier.of(hubClient)
              .withFix(fix)
              .verify(report, r -> w == null || r.cacheId().equals(w));
      for (CacheVerifier.Corrupt c : result.corrupt()) {
        out()
            .println(
                "corrupt: "
                    + c.path()
                    + " ("
                    + c.repo()
                    + "): expected "
                    + c.algorithm()
                    + " "
                    + c.expected()
                    + ", got "
                    + c.actual()
                    + (c.deleted()
                        ? "; deleted, the next download fetches it again"
                        : fix ? "; NOT deleted: a download holds its lock, run again" : ""));
      }
      for (CacheVerifier.Unchecked u : result.unchecked())
        err().println("warning: not checked: " + u.path() + " (" + u.repo() + "): " + u.reason());
      for (CacheReport.Warning warning : report.warnings())
        err().println("warning: " + warning.message() + " (not verified)");
      out()
          .println(
              "Checked "
                  + result.checked()
                  + " blob(s): "
                  + (result.clean()
                      ? "all match."
                      : result.corrupt().size()
                          + " corrupt"
                          + (fix ? "" : "; run with --fix to delete them")
                          + "."));
      boolean allFixed = result.corrupt().stream().allMatch(CacheVerifier.Corrupt::deleted);
      if (!result.clean() && !(fix && allFixed)) {
        throw new VerifyFailed(
            result.corrupt().size() + " corrupt blob(s) in " + report.cacheDir());
      }
    }
  }

  @Command(
      name = "prune",
      description =
          "Delete least recently used revisions until the cache fits in --max-size; revisions in use"
              + " (their blob lock held) are kept, and so are blobs another revision links to.")
  static final class Prune extends CacheSub {
    @Option(
        names = "--max-size",
        required = true,
        paramLabel = "SIZE",
        description = "Target size, e.g. 10GB, 500MB, 2GiB.")
    String maxSize;

    @Option(names = "--dry-run", description = "List what would go; delete nothing.")
    boolean dryRun;

    @Override
    void execute() throws Exception {
      long max = CachePruner.parseSize(maxSize);
      CachePruner.Plan plan = CachePruner.prune(cacheDir(), max, dryRun);
      String verb = dryRun ? "would delete" : "deleted";
      for (CachePruner.Deletion d : plan.deletions()) {
        out()
            .println(
                verb
                    + " "
                    + d.repo()
                    + " "
                    + d.commitHash()
                    + (d.refs().isEmpty() ? "" : " (" + String.join(", ", d.refs()) + ")")
                    + ", last used "
                    + d.lastUsed()
                    + ": "
                    + CacheReport.formatSize(d.freed()));
      }
      for (CachePruner.Skipped s : plan.skipped())
        out().println("kept " + s.repo() + " " + s.commitHash() + ": " + s.reason());
      out()
          .println(
              (dryRun ? "Dry run: " : "")
                  + CacheReport.formatSize(plan.sizeBefore())
                  + " -> "
                  + CacheReport.formatSize(plan.sizeAfter())
                  + " (max "
                  + CacheReport.formatSize(plan.maxSize())
                  + ")"
                  + (plan.fits()
                      ? "."
                      : "; still over: the rest is in use or is the newest revisions."));
    }
  }

  /** A verification that found corruption: exit 1 with the one line. */
  static final class VerifyFailed extends Exception {
    VerifyFailed(String message) {
      super(message);
    }
  }

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** The report with huggingface_hub's field names; times are POSIX seconds, as Python's. */
  static ObjectNode toJson(CacheReport report) {
    ObjectNode root = JSON.createObjectNode();
    root.put("cache_dir", report.cacheDir().toString());
    root.put("size_on_disk", report.sizeOnDisk());
    ArrayNode repos = root.putArray("repos");
    List<CacheReport.Repo> sorted = new ArrayList<>(report.repos());
    sorted.sort(Comparator.comparing(CacheReport.Repo::path));
    for (CacheReport.Repo r : sorted) {
      ObjectNode n = repos.addObject();
      n.put("repo_id", r.id());
      n.put("repo_type", r.type());
      n.put("repo_path", r.path().toString());
      n.put("size_on_disk", r.sizeOnDisk());
      n.put("nb_files", r.nbFiles());
      n.put("last_accessed", seconds(r.lastAccessed()));
      n.put("last_modified", seconds(r.lastModified()));
      ArrayNode revs = n.putArray("revisions");
      List<CacheReport.Revision> rs = new ArrayList<>(r.revisions());
      rs.sort(Comparator.comparing(CacheReport.Revision::commitHash));
      for (CacheReport.Revision v : rs) {
        ObjectNode rn = revs.addObject();
        rn.put("commit_hash", v.commitHash());
        rn.put("snapshot_path", v.snapshotPath().toString());
        rn.put("size_on_disk", v.sizeOnDisk());
        rn.put("nb_files", v.files().size());
        rn.put("last_modified", seconds(v.lastModified()));
        ArrayNode refs = rn.putArray("refs");
        v.refs().stream().sorted().forEach(refs::add);
        ArrayNode files = rn.putArray("files");
        for (CacheReport.CachedFile f : v.files()) {
          ObjectNode fn = files.addObject();
          fn.put("file_name", f.fileName());
          fn.put("path_in_repo", f.pathInRepo());
          fn.put("file_path", f.filePath().toString());
          fn.put("blob_path", f.blob().toString());
          fn.put("size_on_disk", f.sizeOnDisk());
          fn.put("blob_last_accessed", seconds(f.blobLastAccessed()));
          fn.put("blob_last_modified", seconds(f.blobLastModified()));
        }
      }
    }
    ArrayNode incomplete = root.putArray("incomplete_files");
    for (CacheReport.IncompleteFile f : report.incompleteFiles()) {
      ObjectNode fn = incomplete.addObject();
      fn.put("file_path", f.path().toString());
      fn.put("size_on_disk", f.sizeOnDisk());
    }
    ArrayNode warnings = root.putArray("warnings");
    for (CacheReport.Warning w : report.warnings()) warnings.add(w.message());
    return root;
  }

  static double seconds(Instant t) {
    return t.getEpochSecond() + t.getNano() / 1e9;
  }

  /**
   * huggingface_hub's {@code format_timesince}: "a few seconds ago", "59 seconds ago", "1 hour
   * ago".
   */
  static String ago(Instant t, Instant now) {
    double delta = Duration.between(t, now).toNanos() / 1e9;
    if (delta < 20) return "a few seconds ago";
    String[] labels = {"second", "minute", "hour", "day", "week", "month", "year"};
    long[] dividers = {1, 60, 3600, 86400, 604800, 2592000, 31536000};
    long[] max = {59, 59, 23, 6, 6, 11, Long.MAX_VALUE};
    long value = 0;
    String label = "year";
    for (int k = 0; k < labels.length; k++) {
      value = (long) Math.rint(delta / dividers[k]); // Python's round: half to even
      label = labels[k];
      if (value <= max[k]) break;
    }
    return value + " " + label + (value > 1 ? "s" : "") + " ago";
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return right ? fill + s : s + fill;
  }
}
