package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.hub.HubClient;
import io.hfbeam.source.DatasetInfo;
import io.hfbeam.source.HfDataset;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadSpec;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.values.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code hfbeam datasets info|head}: what {@code datasets} would make of a Hub dataset or a local
 * directory (configs, splits, features, files), and its first rows. Flags only; the work is in
 * {@code io.hfbeam.source}.
 */
@Command(
    name = "datasets",
    mixinStandardHelpOptions = true,
    description =
        "Look at a Hugging Face dataset (Hub repo or local directory) as datasets sees it.",
    subcommands = {DatasetsCommand.Info.class, DatasetsCommand.Head.class})
public final class DatasetsCommand implements Runnable {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  public DatasetsCommand() {
    this(System.getenv());
  }

  /** With an explicit environment (HF_ENDPOINT, HF_TOKEN, HF_HOME, ...), for tests. */
  public DatasetsCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Shared: the dataset argument, revision, and one-line failures (exit 2 usage, 1 failure). */
  abstract static class Sub extends SubCommand {
    @ParentCommand DatasetsCommand parent;

    @Parameters(
        index = "0",
        paramLabel = "DATASET",
        description = "owner/name, hf://datasets/owner/name[@revision], or a local directory.")
    String dataset;

    @Option(
        names = "--revision",
        paramLabel = "REV",
        description = "Branch, tag or commit of a Hub dataset (default: main).")
    String revision;

    abstract void execute() throws Exception;

    @Override
    int run() throws Exception {
      execute();
      return 0;
    }

    @Override
    String group() {
      return "datasets";
    }

    ReadSpec spec() {
      return ReadSpec.of(dataset)
          .withRevision(revision)
          .withHub(HubClient.Settings.builder().environment(parent.env).build());
    }
  }

  @Command(
      name = "info",
      description =
          "Configs, default config, splits (rows and sizes where known), features and files, as"
              + " datasets resolves them.")
  static final class Info extends Sub {
    @Option(names = "--json", description = "Print it as JSON.")
    boolean json;

    @Override
    void execute() throws Exception {
      HfDataset ds = HfDataset.open(spec());
      ObjectNode info = DatasetInfo.of(ds, ds.commit().orElse(null));
      if (json) {
        out()
            .println(
                new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(info));
        return;
      }
      PrintWriter o = out();
      o.println("dataset: " + info.get("dataset").asText());
      o.println(
          "default config: "
              + (info.get("default_config").isNull()
                  ? "(none: pick one with --config)"
                  : info.get("default_config").asText()));
      for (JsonNode c : info.get("configs")) {
        o.println();
        o.println(
            "config " + c.get("config_name").asText() + " (" + c.get("builder").asText() + ")");
        for (JsonNode s : c.get("splits")) {
          o.printf(
              "  split %-12s rows %-12s files %d (%s)%n",
              s.get("name").asText(),
              s.get("num_rows").isNull() ? "?" : s.get("num_rows").asText(),
              s.get("files").size(),
              bytes(s.get("files_bytes").asLong()));
          for (JsonNode f : s.get("files")) o.println("    " + f.get("path").asText());
        }
        if (c.has("features")) {
          o.println("  features:");
          for (String line : DatasetInfo.featuresYaml(c.get("features")).split("\n")) {
            o.println("    " + line);
          }
        } else {
          o.println("  features: unknown (" + c.get("features_error").asText() + ")");
        }
      }
    }

    private static String bytes(long n) {
      if (n < 1024) return n + " B";
      if (n < 1 << 20) return String.format("%.1f KiB", n / 1024.0);
      if (n < 1L << 30) return String.format("%.1f MiB", n / 1048576.0);
      return String.format("%.2f GiB", n / 1073741824.0);
    }
  }

  @Command(
      name = "head",
      description =
          "The first rows of a split, one JSON object per line (the form datasets' to_json writes).")
  static final class Head extends Sub {
    @Option(names = "--config", paramLabel = "NAME", description = "Config (default: the default).")
    String config;

    @Option(
        names = "--split",
        paramLabel = "NAME",
        description = "Split (default: the config's first).")
    String split;

    @Option(
        names = {"-n", "--rows"},
        paramLabel = "N",
        defaultValue = "10",
        description = "How many rows (default: ${DEFAULT-VALUE}).")
    int rows;

    @Option(
        names = "--columns",
        split = ",",
        paramLabel = "A,B",
        description = "Only these columns (Parquet fetches only them).")
    List<String> columns;

    @Option(
        names = "--decode-images",
        description = "Decode Image columns into width, height, mode and pixels.")
    boolean decodeImages;

    @Override
    void execute() throws Exception {
      if (rows < 0) throw new IllegalArgumentException("-n must be 0 or more, got " + rows);
      ReadSpec s =
          spec()
              .withConfig(config)
              .withColumns(columns == null ? List.of() : columns)
              .withDecodeImages(decodeImages);
      HfDataset ds = HfDataset.open(s);
      if (split == null) {
        List<String> names = ds.layout().config(config).splitNames();
        if (names.isEmpty()) throw new IllegalArgumentException("the config has no splits");
        s = s.withSplit(names.get(0));
      } else {
        s = s.withSplit(split);
      }
      ReadPlan plan = ds.plan(s);
      Features features = plan.selected();
      PrintWriter o = out();
      int[] left = {rows};
      RowSink sink =
          new RowSink() {
            @Override
            public void row(Row row) {
              if (left[0] > 0) {
                o.println(JsonlRowWriter.toJsonLine(row, features));
                left[0]--;
              }
              if (left[0] == 0) throw new Enough();
            }

            @Override
            public void failure(String where, String reason, String excerpt) {
              err().println("skipped: " + where + ": " + reason);
            }
          };
      for (ReadUnit u : plan.units()) {
        if (left[0] == 0) break;
        try {
          plan.read(u, sink);
        } catch (Enough e) {
          break;
        } catch (IOException e) {
          err().println("skipped: " + u.where() + ": " + CliErrors.oneLine(e));
        }
      }
    }

    /** Stops a unit's read once enough rows are printed. */
    private static final class Enough extends RuntimeException {
      Enough() {
        super(null, null, false, false);
      }
    }
  }
}
