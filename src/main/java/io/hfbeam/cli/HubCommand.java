package io.hfbeam.cli;

import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.DatasetSummary;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.HubEnvironment;
import io.hfbeam.hub.RepoFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.Uploads;
import io.hfbeam.hub.WhoAmI;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.hub.server.Users;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code hfbeam hub ...}: the Hub client and the local Hub server from the command line. */
@Command(
    name = "hub",
    mixinStandardHelpOptions = true,
    modelTransformer = HubCommand.OneLineUsageErrors.class,
    description =
        "Talk to the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN as in huggingface_hub), or serve a local one.",
    subcommands = {
      HubCommand.Login.class,
      HubCommand.Whoami.class,
      HubCommand.Create.class,
      HubCommand.Ls.class,
      HubCommand.Search.class,
      HubCommand.Download.class,
      HubCommand.Upload.class,
      HubCommand.Serve.class,
      HubCacheCommand.class
    })
public final class HubCommand implements Runnable {
  /** The Hub recommends at most 50-100 files per commit; we stay at the safe end. */
  static final int MAX_FILES_PER_COMMIT = Uploads.MAX_FILES_PER_COMMIT;

  private final Map<String, String> env;

  @Spec CommandSpec spec;

  public HubCommand() {
    this(System.getenv());
  }

  /**
   * With an explicit environment (HF_TOKEN, HF_ENDPOINT, HF_HOME, ...), for tests and embedding.
   */
  public HubCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where huggingface_hub would look (cache, token, endpoint) in this command's environment. */
  HubEnvironment environment() {
    return new HubEnvironment(env);
  }

  HubClient client(Map<String, String> overrides) throws IOException {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(overrides);
    return HubClient.Settings.builder().environment(all).build().newClient();
  }

  /**
   * Shared by the subcommands: runs the work, and turns failures into one line on stderr with exit
   * 1 (2 for usage errors found after parsing); the stack trace only with --verbose.
   */
  abstract static class Sub extends SubCommand {
    @ParentCommand HubCommand hub;

    abstract void execute() throws Exception;

    @Override
    int run() throws Exception {
      execute();
      return 0;
    }

    @Override
    String group() {
      return "hub";
    }

    @Override
    String failureMessage(Exception e) {
      return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    HubClient client() throws IOException {
      return hub.client(Map.of());
    }
  }

  /** Options of commands that address a repository. */
  abstract static class RepoSub extends Sub {
    @Option(
        names = "--type",
        defaultValue = "dataset",
        description = "Repo type: dataset, model or space (default: ${DEFAULT-VALUE}).")
    String type;

    RepoId repo(String id) {
      return new RepoId(RepoId.Type.parse(type), id);
    }
  }

  @Command(
      name = "login",
      description = "Check a token with whoami and store it where huggingface_hub reads it.")
  static final class Login extends Sub {
    @Option(
        names = "--token",
        description =
            "The token; when absent it is read from standard input (safer: not in the process list).")
    String token;

    @Override
    void execute() throws Exception {
      String value =
          token != null
              ? token
              : new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                  .readLine();
      if (value == null || value.isBlank())
        throw new IllegalArgumentException("no token given on --token or standard input");
      WhoAmI me = hub.client(Map.of("HF_TOKEN", value.trim())).whoami();
      Path file = new HubEnvironment(hub.env).storeToken(value);
      out().println("Logged in as " + me.name() + "; token saved to " + file);
    }
  }

  @Command(name = "whoami", description = "Show the account of the current token.")
  static final class Whoami extends Sub {
    @Override
    void execute() throws Exception {
      WhoAmI me = client().whoami();
      out()
          .println(
              me.name()
                  + (me.orgs().isEmpty() ? "" : " (orgs: " + String.join(", ", me.orgs()) + ")"));
    }
  }

  @Command(
      name = "create",
      description = "Create a repository (a dataset unless --type says otherwise).")
  static final class Create extends RepoSub {
    @Parameters(paramLabel = "REPO", description = "owner/name")
    String repo;

    @Option(names = "--private", description = "Create it private.")
    boolean isPrivate;

    @Option(names = "--exist-ok", description = "Succeed when it already exists.")
    boolean existOk;

    @Override
    void execute() throws Exception {
      out().println(client().createRepo(repo(repo), isPrivate, existOk));
    }
  }

  @Command(name = "ls", description = "List the files of a repository; directories end with '/'.")
  static final class Ls extends RepoSub {
    @Parameters(index = "0", paramLabel = "REPO", description = "owner/name")
    String repo;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "PATH",
        description = "Folder in the repo (default: root).")
    String path = "";

    @Option(
        names = "--revision",
        defaultValue = "main",
        description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(
        names = {"-r", "--recursive"},
        description = "Include the contents of sub-folders.")
    boolean recursive;

    @Override
    void execute() throws Exception {
      for (RepoFile f : client().listFiles(repo(repo), revision, path, recursive)) {
        out().println(f.directory() ? f.path() + "/" : f.path() + "\t" + f.size());
      }
    }
  }

  @Command(
      name = "search",
      description =
          "List datasets whose id contains QUERY (all without it), as huggingface_hub's list_datasets.")
  static final class Search extends Sub {
    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "QUERY",
        description = "Part of the dataset id.")
    String query;

    @Option(names = "--author", paramLabel = "A", description = "Only datasets of this namespace.")
    String author;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "At most N datasets; 0 for all (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--json", description = "One JSON object per line instead of a table.")
    boolean json;

    @Override
    void execute() throws Exception {
      if (limit < 0) throw new IllegalArgumentException("--limit must be 0 or more, got " + limit);
      List<DatasetSummary> found = client().searchDatasets(query, author, limit);
      if (json) {
        com.fasterxml.jackson.databind.ObjectMapper mapper =
            new com.fasterxml.jackson.databind.ObjectMapper();
        for (DatasetSummary d : found) {
          Map<String, Object> line = new java.util.LinkedHashMap<>();
          line.put("id", d.id());
          line.put("author", d.author());
          line.put("lastModified", d.lastModified());
          line.put("downloads", d.downloads());
          line.put("likes", d.likes());
          line.put("private", d.isPrivate());
          line.put("gated", d.gated());
          line.put("tags", d.tags());
          out().println(mapper.writeValueAsString(line));
        }
        return;
      }
      if (found.isEmpty()) {
        err()
            .println(
                "no datasets"
                    + (query != null ? " matching '" + query + "'" : "")
                    + (author != null ? " by " + author : ""));
        return;
      }
      int width = "ID".length();
      for (DatasetSummary d : found) width = Math.max(width, d.id().length());
      String row = "%-" + width + "s  %10s  %6s  %s";
      out().println(String.format(row, "ID", "DOWNLOADS", "LIKES", "UPDATED"));
      for (DatasetSummary d : found) {
        String updated = d.lastModified() == null ? "-" : d.lastModified();
        if (updated.length() >= 10) updated = updated.substring(0, 10);
        out()
            .println(String.format(row, d.id(), d.downloads(), d.likes(), updated).stripTrailing());
      }
    }
  }

  @Command(
      name = "download",
      description =
          "Download a file, or the whole repo, into the huggingface_hub cache; prints the local path.")
  static final class Download extends RepoSub {
    @Parameters(index = "0", paramLabel = "REPO", description = "owner/name")
    String repo;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "PATH",
        description = "File in the repo; without it, every file.")
    String path;

    @Option(
        names = "--revision",
        defaultValue = "main",
        description = "Branch, tag or commit (default: ${DEFAULT-VALUE}).")
    String revision;

    @Override
    void execute() throws Exception {
      HubClient client = client();
      out()
          .println(
              path == null
                  ? client.snapshotDownload(repo(repo), revision)
                  : client.download(repo(repo), revision, path));
    }
  }

  @Command(
      name = "upload",
      description =
          "Upload a file or a folder, in commits of at most " + MAX_FILES_PER_COMMIT + " files.")
  static final class Upload extends RepoSub {
    @Parameters(index = "0", paramLabel = "REPO", description = "owner/name")
    String repo;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "File or folder to upload.")
    Path local;

    @Parameters(
        index = "2",
        arity = "0..1",
        paramLabel = "PATH_IN_REPO",
        description = "Where it goes (default: the file name, or the root for a folder).")
    String pathInRepo;

    @Option(
        names = "--revision",
        defaultValue = "main",
        description = "Branch to commit to (default: ${DEFAULT-VALUE}).")
    String revision;

    @Option(
        names = {"-m", "--message"},
        description = "Commit message (default: 'Add <file> and N more').")
    String message;

    @Option(
        names = "--batch-size",
        defaultValue = "50",
        description =
            "Files per commit, 1 to " + MAX_FILES_PER_COMMIT + " (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--create", description = "Create the repo first when it does not exist.")
    boolean create;

    @Option(names = "--private", description = "With --create: create it private.")
    boolean isPrivate;

    @Override
    void execute() throws Exception {
      if (batchSize < 1 || batchSize > MAX_FILES_PER_COMMIT) {
        throw new IllegalArgumentException(
            "--batch-size must be between 1 and " + MAX_FILES_PER_COMMIT);
      }
      RepoId id = repo(repo);
      List<CommitOperation> ops = Uploads.operations(local, pathInRepo);
      HubClient client = client();
      if (create) client.createRepo(id, isPrivate, true);
      Uploads.commit(
          client,
          id,
          revision,
          ops,
          batchSize,
          message,
          (info, files) ->
              out()
                  .println(
                      info.created()
                          ? info.url()
                          : "unchanged: " + files + " file(s) already on " + revision));
    }
  }

  @Command(
      name = "serve",
      description =
          "Run a local Hub that huggingface_hub, @huggingface/hub and datasets accept (HF_ENDPOINT=<url>).")
  static final class Serve extends Sub {
    @Option(
        names = "--port",
        defaultValue = "8080",
        description = "Port on 127.0.0.1, 0 for any (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--data", required = true, description = "Folder that holds the repositories.")
    Path data;

    @Option(
        names = "--tokens",
        paramLabel = "FILE",
        description =
            "Users: one 'TOKEN USER [ORG,ORG...]' per line (# comments). Without it, one user (--user) and a new token are made at start.")
    Path tokens;

    @Option(
        names = "--user",
        defaultValue = "hfbeam-local",
        description =
            "Name of the user made at start without --tokens (default: ${DEFAULT-VALUE}).")
    String user;

    @Option(
        names = "--save-token",
        description =
            "Store the token made at start where huggingface_hub and hfbeam find it ($HF_TOKEN_PATH or $HF_HOME/token), replacing what is there.")
    boolean saveToken;

    @Option(
        names = "--max-body-mb",
        defaultValue = "64",
        description =
            "Largest commit request in MB; commits carry small files inline as base64 (default: ${DEFAULT-VALUE}).")
    long maxBodyMb;

    @Option(
        names = "--upload-ttl-minutes",
        defaultValue = "1440",
        description =
            "LFS uploads no commit names are deleted after this many minutes (default: ${DEFAULT-VALUE}).")
    long uploadTtlMinutes;

    @Option(
        names = "--allowed-host",
        paramLabel = "NAME",
        description =
            "Also answer requests for this Host (NAME or NAME:PORT), e.g. behind a proxy; repeatable. Others get 421.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(
        names = "--public-url",
        paramLabel = "URL",
        description =
            "Base of the URLs the server returns (and an allowed host), when clients reach it through a proxy.")
    String publicUrl;

    @Override
    void execute() throws Exception {
      if (maxBodyMb < 1) throw new IllegalArgumentException("--max-body-mb must be at least 1");
      if (uploadTtlMinutes < 1)
        throw new IllegalArgumentException("--upload-ttl-minutes must be at least 1");
      if (tokens != null && saveToken)
        throw new IllegalArgumentException(
            "--save-token saves the token made at start; with --tokens there is none");
      String token = null;
      Users users;
      if (tokens != null) {
        if (!Files.isRegularFile(tokens))
          throw new IllegalArgumentException("--tokens: no file " + tokens);
        users = Users.parse(tokens);
        if (readableByOthers(tokens)) {
          err()
              .println(
                  "warning: "
                      + tokens
                      + " can be read by other users of this machine (chmod 600 "
                      + tokens
                      + ")");
        }
      } else {
        token = Users.newToken();
        users = Users.none().with(token, user);
      }
      LocalHubServer.Options options =
          LocalHubServer.Options.defaults()
              .withUsers(users)
              .withMaxBodyBytes(maxBodyMb << 20)
              .withUploadTtl(Duration.ofMinutes(uploadTtlMinutes))
              .withAllowedHosts(allowedHosts)
              .withPublicUrl(publicUrl);
      try (LocalHubServer server = LocalHubServer.start(port, data, options)) {
        String url = publicUrl != null ? publicUrl.replaceAll("/+$", "") : server.url();
        out().println("Local Hub at " + server.url() + " (data in " + data.toAbsolutePath() + ")");
        if (token != null) {
          // The one place a token is printed: the user needs it, and it was made just now for this
          // run.
          out().println("User " + user + ", with a token made for this run:");
          out()
              .println(
                  "  export HF_ENDPOINT=" + url + " HF_TOKEN=" + token + " HF_HUB_DISABLE_XET=1");
          if (saveToken) {
            Path file = new HubEnvironment(hub.env).storeToken(token);
            out()
                .println(
                    "Token saved to " + file + " (without HF_TOKEN, clients use it from there)");
          }
        } else {
          out().println("Users from " + tokens + "; use it with:");
          out()
              .println(
                  "  export HF_ENDPOINT="
                      + url
                      + " HF_TOKEN=<a token from that file> HF_HUB_DISABLE_XET=1");
        }
        out().flush();
        server.join();
      } catch (InterruptedException e) {
        // Stopping the thread that serves is the normal way to end an embedded "hub serve".
        Thread.currentThread().interrupt();
        out().println("Local Hub stopped");
      }
    }

    private static boolean readableByOthers(Path file) {
      try {
        Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
        return p.contains(PosixFilePermission.GROUP_READ)
            || p.contains(PosixFilePermission.OTHERS_READ);
      } catch (UnsupportedOperationException | IOException e) {
        return false; // not a POSIX file system: nothing to say
      }
    }
  }

  /**
   * Picocli echoes unmatched arguments, so a mistyped "--token hf_..." would print the token: mask
   * it.
   */
  static String redact(String message) {
    return message == null ? null : message.replaceAll("hf_[A-Za-z0-9_-]+", "hf_***");
  }

  /**
   * Installs {@link #oneLineUsageErrors()} when {@code hub} is the root command. Picocli consults
   * only the root's handler, so an entry point that has {@code hub} as a subcommand installs the
   * handler itself.
   */
  static final class OneLineUsageErrors implements CommandLine.IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec commandSpec) {
      if (commandSpec.commandLine() != null)
        commandSpec.commandLine().setParameterExceptionHandler(oneLineUsageErrors());
      return commandSpec;
    }
  }

  /**
   * A parameter-exception handler that prints one line instead of the whole usage help (see {@link
   * CliErrors}).
   */
  public static CommandLine.IParameterExceptionHandler oneLineUsageErrors() {
    return CliErrors.usageErrors();
  }
}
