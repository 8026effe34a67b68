package io.hfbeam.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.CommitInfo;
import io.hfbeam.workflow.checkpoints.Export;
import io.hfbeam.workflow.checkpoints.Filter;
import io.hfbeam.workflow.checkpoints.Info;
import io.hfbeam.workflow.checkpoints.Migration;
import io.hfbeam.workflow.checkpoints.Publish;
import io.hfbeam.workflow.checkpoints.Verify;
import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hfbeam checkpoints info|filter|analyze|migrate|verify|export}: the checkpoint tools of
 * Kura's guide over hf-beam's checkpoint sets. Flags only; the work is in {@code
 * io.hfbeam.workflow.checkpoints}.
 */
@Command(
    name = "checkpoints",
    mixinStandardHelpOptions = true,
    description =
        "Look at, filter, migrate, verify and export conversation-analysis checkpoints (Kura's"
            + " JSONL files and hf-beam checkpoint sets).",
    subcommands = {
      CheckpointsCommand.InfoCommand.class,
      CheckpointsCommand.FilterCommand.class,
      CheckpointsCommand.AnalyzeCommand.class,
      CheckpointsCommand.MigrateCommand.class,
      CheckpointsCommand.VerifyCommand.class,
      CheckpointsCommand.ExportCommand.class
    })
public final class CheckpointsCommand implements Runnable {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  public CheckpointsCommand() {
    this(System.getenv());
  }

  /** With an explicit environment (HF_ENDPOINT, HF_TOKEN, HF_HOME), for tests. */
  public CheckpointsCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Compression choices; lz4 is Parquet's LZ4_RAW. */
  enum Compression {
    zstd,
    gzip,
    snappy,
    lz4,
    none;

    ParquetSettings settings() {
      return ParquetSettings.builder().codec(name()).build();
    }
  }

  /** Shared: one-line failures (exit 2 usage, 1 failure, 3 a difference found by verify). */
  abstract static class Sub extends SubCommand {
    @ParentCommand CheckpointsCommand parent;

    abstract int execute() throws Exception;

    @Override
    int run() throws Exception {
      return execute();
    }

    @Override
    String group() {
      return "checkpoints";
    }

    static Path path(String text, String what) {
      if (text == null || text.isBlank()) throw new IllegalArgumentException(what + " is empty");
      if (text.startsWith("hf://")) {
        throw new IllegalArgumentException(
            what
                + ": Hub paths are not supported by the checkpoint tools yet; give a local folder");
      }
      try {
        return Path.of(text);
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(what + " is not a path: " + e.getReason());
      }
    }
  }

  static String bytes(long n) {
    if (n < 1024) return n + " B";
    if (n < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
    if (n < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", n / 1048576.0);
    return String.format(Locale.ROOT, "%.2f GiB", n / 1073741824.0);
  }

  @Command(
      name = "info",
      description =
          "Per stage: complete or not, rows, bytes on disk, columns and features, fingerprint, how it"
              + " was made, failed records. A local folder or a Hub dataset (footers read by range).")
  static final class InfoCommand extends Sub {
    @Parameters(
        index = "0",
        paramLabel = "ROOT",
        description = "A checkpoint set: a folder or hf://datasets/owner/name[@revision].")
    String root;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "STAGE",
        description = "Only this stage (conversations, summaries, embeddings, clusters, ...).")
    String stage;

    @Option(names = "--json", description = "Print it as JSON.")
    boolean json;

    @Override
    int execute() throws Exception {
      List<Info.StageStatus> all = Info.of(root, stage, parent.env);
      if (json) {
        out()
            .println(
                new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(Info.toJson(all)));
        return 0;
      }
      PrintWriter o = out();
      o.println("checkpoints: " + root);
      for (Info.StageStatus s : all) {
        o.println();
        switch (s.state()) {
          case ABSENT -> {
            o.println("stage " + s.stage() + ": absent");
            continue;
          }
          case INCOMPLETE ->
              o.println(
                  "stage "
                      + s.stage()
                      + ": INCOMPLETE (no checkpoint.json: the run that wrote it did not finish)");
          case COMPLETE -> o.println("stage " + s.stage() + ": complete");
        }
        o.printf(
            Locale.ROOT,
            "  rows %d, %s on disk, %d data file(s)%n",
            s.rows(),
            bytes(s.bytesOnDisk()),
            s.dataFiles());
        s.info()
            .ifPresent(
                i -> {
                  o.println("  made by: " + i.madeBy());
                  o.println("  fingerprint: " + i.fingerprint());
                  o.println("  failed records: " + i.failed());
                  if (!i.parameters().isEmpty()) o.println("  parameters: " + i.parameters());
                });
        if (s.features() != null) {
          o.println("  columns:");
          for (String c : s.features().names()) {
            o.println("    " + c + ": " + Features.typeText(s.features().get(c)));
          }
        }
        if (s.problem() != null) o.println("  problem: " + s.problem());
      }
      return 0;
    }
  }

  @Command(
      name = "filter",
      description =
          "Write the rows of one stage that match --where as a new checkpoint set (streamed).%n"
              + "EXPR: comparisons (= != < <= > >=) of columns (metadata.key for a field inside),"
              + " numbers, 'strings', true, false, null; len(list); 'python' in languages; and, or,"
              + " not, parentheses. Example: --where \"count > 100\".")
  static final class FilterCommand extends Sub {
    @Parameters(index = "0", paramLabel = "ROOT", description = "A checkpoint set.")
    String root;

    @Parameters(index = "1", paramLabel = "STAGE", description = "The stage to filter.")
    String stage;

    @Option(names = "--where", required = true, paramLabel = "EXPR", description = "The test.")
    String where;

    @Option(
        names = "--output",
        required = true,
        paramLabel = "DIR2",
        description = "A new folder: the checkpoint set holding the filtered stage.")
    String output;

    @Option(
        names = "--compression",
        paramLabel = "CODEC",
        description = "zstd (default), gzip, snappy, lz4 or none.")
    Compression compression = Compression.zstd;

    @Override
    int execute() throws Exception {
      Filter.Result r =
          Filter.filter(
              path(root, "ROOT"), stage, where, path(output, "--output"), compression.settings());
      out()
          .printf(
              Locale.ROOT,
              "%s: %d of %d rows match; written to %s%n",
              stage,
              r.info().rows(),
              r.scanned(),
              output);
      return 0;
    }
  }

  @Command(
      name = "analyze",
      description =
          "What a folder of Kura checkpoints holds (each file: stage, rows, bytes, located parse"
              + " failures) and what a migration would give (rows, features, checkpoint size,"
              + " measured by a dry run).")
  static final class AnalyzeCommand extends Sub {
    @Parameters(index = "0", paramLabel = "OLD_DIR", description = "Kura's checkpoint folder.")
    String old;

    @Option(
        names = "--compression",
        paramLabel = "CODEC",
        description = "zstd (default), gzip, snappy, lz4 or none.")
    Compression compression = Compression.zstd;

    @Override
    int execute() throws Exception {
      Migration.Report r = Migration.analyze(path(old, "OLD_DIR"), compression.settings());
      PrintWriter o = out();
      o.println("Kura checkpoints: " + old);
      long before = 0;
      long after = 0;
      for (Migration.StageReport s : r.stages()) {
        before += s.fileBytes();
        after += s.checkpointBytes();
        o.println();
        o.printf(
            Locale.ROOT,
            "%s (stage %s): %s, %d rows readable, %d failed%n",
            s.file(),
            s.stage(),
            bytes(s.fileBytes()),
            s.rows(),
            s.failed());
        for (var f : s.firstFailures()) o.println("  failure: " + f);
        if (s.failed() > s.firstFailures().size()) {
          o.println("  ... " + (s.failed() - s.firstFailures().size()) + " more");
        }
        o.printf(
            Locale.ROOT,
            "  migrated: %d rows, %s of Parquet (%s)%n",
            s.rows(),
            bytes(s.checkpointBytes()),
            compression);
        if (s.info().parameters().containsKey("metadata")) {
          o.println(
              "  layout: times "
                  + s.info().parameters().get("time")
                  + ", metadata "
                  + s.info().parameters().get("metadata"));
        }
        o.println("  features:");
        for (String c : s.features().names()) {
          o.println("    " + c + ": " + Features.typeText(s.features().get(c)));
        }
      }
      for (String f : r.otherFiles()) o.println("not a Kura checkpoint file (ignored): " + f);
      o.println();
      o.printf(
          Locale.ROOT,
          "total: %d file(s), %s of Kura JSON -> %s of checkpoints%n",
          r.stages().size(),
          bytes(before),
          bytes(after));
      return 0;
    }
  }

  @Command(
      name = "migrate",
      description =
          "Kura's JSONL checkpoints -> a checkpoint set (per stage: Parquet, card,"
              + " checkpoint.json; bad records located in _errors/errors.jsonl).")
  static final class MigrateCommand extends Sub {
    @Parameters(index = "0", paramLabel = "OLD", description = "Kura's checkpoint folder.")
    String old;

    @Parameters(index = "1", paramLabel = "NEW", description = "The checkpoint set to write.")
    String neu;

    @Option(
        names = "--compression",
        paramLabel = "CODEC",
        description = "zstd (default), gzip, snappy, lz4 or none.")
    Compression compression = Compression.zstd;

    @Option(
        names = "--repo",
        paramLabel = "OWNER/NAME",
        description = "Also publish NEW to this Hub dataset repo, in one commit (HF_TOKEN).")
    String repo;

    @Override
    int execute() throws Exception {
      if (repo != null && !repo.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
        throw new IllegalArgumentException("--repo: expected owner/name, got '" + repo + "'");
      }
      Path to = path(neu, "NEW");
      Migration.Report r = Migration.migrate(path(old, "OLD"), to, compression.settings());
      PrintWriter o = out();
      for (Migration.StageReport s : r.stages()) {
        o.printf(
            Locale.ROOT,
            "%s -> %s: %d rows, %d failed%s%n",
            s.file(),
            s.stage(),
            s.rows(),
            s.failed(),
            s.failed() > 0 ? " (see " + s.stage() + "/_errors/errors.jsonl)" : "");
        for (var f : s.firstFailures()) o.println("  failure: " + f);
      }
      for (String f : r.otherFiles()) o.println("not a Kura checkpoint file (ignored): " + f);
      if (repo != null) {
        CommitInfo c =
            Publish.toHub(
                to,
                repo,
                parent.env,
                "hf-beam checkpoints migrate: " + r.stages().size() + " stages");
        o.println(
            c.created()
                ? "published to " + repo + " (commit " + c.oid() + ")"
                : "published to " + repo + ": nothing changed");
      }
      o.println("checkpoints written to " + neu);
      return 0;
    }
  }

  @Command(
      name = "verify",
      description =
          "Kura's checkpoints against a checkpoint set, row by row (parsed into Kura's objects);"
              + " exit 3 when a stage differs or is missing.")
  static final class VerifyCommand extends Sub {
    @Parameters(index = "0", paramLabel = "OLD", description = "Kura's checkpoint folder.")
    String old;

    @Parameters(index = "1", paramLabel = "NEW", description = "The checkpoint set.")
    String neu;

    @Option(names = "--detailed", description = "Show the first differences, located.")
    boolean detailed;

    @Override
    int execute() throws Exception {
      Verify.Report r = Verify.verify(path(old, "OLD"), path(neu, "NEW"), detailed);
      PrintWriter o = out();
      for (Verify.StageResult s : r.stages()) {
        if (s.status().equals("missing")) {
          o.println(s.file() + " -> " + s.stage() + ": MISSING (no complete stage)");
          continue;
        }
        o.printf(
            Locale.ROOT,
            "%s -> %s: %s, %d rows compared, %d skipped (in the stage's _errors), %d"
                + " difference(s)%n",
            s.file(),
            s.stage(),
            s.status().equals("verified") ? "verified" : "FAILED",
            s.compared(),
            s.skipped(),
            s.differences());
        for (String d : s.firstDifferences()) o.println("  " + d);
      }
      o.printf(
          Locale.ROOT,
          "verified_checkpoints/total_checkpoints: %d/%d (failed %d, missing %d)%n",
          r.verified(),
          r.total(),
          r.failed(),
          r.missing());
      return r.ok() ? 0 : 3;
    }
  }

  @Command(
      name = "export",
      description =
          "A checkpoint set -> Kura's checkpoint files, byte for byte as Kura writes them, rows in"
              + " the stage's order.")
  static final class ExportCommand extends Sub {
    @Parameters(index = "0", paramLabel = "NEW", description = "The checkpoint set.")
    String neu;

    @Parameters(index = "1", paramLabel = "OLD", description = "A new or empty folder.")
    String old;

    @Override
    int execute() throws Exception {
      List<Export.Written> w = Export.export(path(neu, "NEW"), path(old, "OLD"));
      for (Export.Written x : w) {
        out().printf(Locale.ROOT, "%s -> %s: %d rows%n", x.stage(), x.file(), x.rows());
      }
      return 0;
    }
  }
}
