package io.hfbeam.cli;

import io.hfbeam.explorer.ExplorerServer;
import io.hfbeam.hub.HubClient;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hfbeam conversations serve}: the conversation explorer (a web page and its JSON API) over
 * a checkpoint set, local or on the Hub. Read-only; this machine only unless {@code --host} says
 * otherwise. The work is in {@code io.hfbeam.explorer}.
 */
@Command(
    name = "serve",
    description =
        "Explore a conversation analysis in the browser: the cluster tree, the 2-D map, clusters,"
            + " conversations, search and filters, over the checkpoints (a directory or"
            + " hf://datasets/owner/name). Read-only; runs until stopped.")
public final class ConversationsServeCommand implements Callable<Integer> {
  private final Map<String, String> env;

  @Spec CommandSpec spec;

  public ConversationsServeCommand() {
    this(System.getenv());
  }

  /** With an explicit environment (HF_ENDPOINT, HF_TOKEN, HF_HOME, ...), for tests. */
  public ConversationsServeCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "Show this help message and exit.")
  boolean help;

  @Option(names = "--verbose", description = "Print stack traces of failures.")
  boolean verbose;

  @Option(
      names = "--checkpoints",
      required = true,
      paramLabel = "DIR|hf://datasets/OWNER/NAME",
      description =
          "The checkpoint set: the --output directory of 'conversations analyze', or a Hub dataset"
              + " (hf://datasets/owner/name[@revision]) read with range requests.")
  String checkpoints;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port, 0 for any free one (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "Address to bind (default: ${DEFAULT-VALUE}, this machine only; 0.0.0.0 opens it to the"
              + " network, without any password).")
  String host;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535");
      if (host == null || host.isBlank()) throw new IllegalArgumentException("--host is empty");
      ExplorerServer.Options options =
          ExplorerServer.Options.defaults().withHost(host).withPort(port);
      try (ExplorerServer server =
          ExplorerServer.start(
              ExplorerServer.files(
                  checkpoints, HubClient.Settings.builder().environment(env).build()),
              options)) {
        out.println("Conversation explorer at " + server.url());
        out.println("  " + server.summary());
        for (String m : server.missingStages()) out.println("  missing " + m);
        out.flush();
        server.join();
      }
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      out.println("explorer stopped");
      return 0;
    } catch (IllegalArgumentException e) {
      err.println(
          "error: " + HubCommand.redact(e.getMessage()) + " (see 'conversations serve --help')");
      if (verbose) e.printStackTrace(err);
      return 2;
    } catch (Exception e) {
      err.println("error: " + HubCommand.redact(CliErrors.oneLine(e)));
      if (verbose) e.printStackTrace(err);
      return 1;
    } finally {
      out.flush();
      err.flush();
    }
  }
}
