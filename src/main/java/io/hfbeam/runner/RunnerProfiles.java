package io.hfbeam.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runner profiles: {@code direct}, {@code flink-local}, {@code flink-batch}, {@code flink-cluster}
 * and {@code flink-cluster-batch} name YAML files in {@code runners/}; any other value is a path to
 * a profile file. A profile names the Beam runner and its options, and may set Flink configuration
 * keys for an embedded Flink ({@code flink:}, written to a configuration directory the run points
 * at).
 *
 * <p>Option values may reference the environment as {@code ${NAME}} or {@code ${NAME:-default}}.
 * The option {@code filesToStage} (jars shipped to a Flink cluster, comma separated) accepts {@code
 * self}, the jar this CLI runs from ({@code java -jar target/hfbeam.jar}); relative paths are
 * resolved against the current directory.
 */
public final class RunnerProfiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private RunnerProfiles() {}

  /**
   * Pipeline options from a profile plus overrides ({@code name -> value}, e.g. parallelism=4),
   * which win.
   */
  public static PipelineOptions options(String profile, Map<String, String> overrides) {
    return create(profile, settings(profile, overrides));
  }

  /**
   * Pipeline options from settings made by {@link #settings}; errors name the profile they came
   * from.
   */
  public static PipelineOptions create(String profile, Map<String, String> settings) {
    try {
      return PipelineOptionsFactory.fromArgs(args(settings).toArray(String[]::new)).create();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("runner profile " + profile + ": " + e.getMessage());
    }
  }

  /**
   * A profile's runner and options ({@code runner} first), environment references expanded and
   * {@code filesToStage} absolute, with the overrides put in place of the profile's values (Beam
   * rejects an option given twice).
   */
  public static Map<String, String> settings(String profile, Map<String, String> overrides) {
    JsonNode root = read(profile);
    if (!root.hasNonNull("runner"))
      throw new IllegalArgumentException("runner profile " + profile + " has no 'runner'");
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("runner", root.get("runner").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("options").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String value = expand(e.getValue().asText(), System.getenv());
      if (e.getKey().equals("filesToStage")) value = filesToStage(value);
      settings.put(e.getKey(), value);
    }
    settings.putAll(overrides);
    JsonNode flink = root.path("flink");
    if (!flink.isMissingNode() && !flink.isNull()) {
      settings.put("flinkConfDir", flinkConfDir(profile, flink, settings.get("flinkConfDir")));
    }
    return settings;
  }

  /**
   * The Flink configuration file of a directory ({@code config.yaml}, else the older {@code
   * flink-conf.yaml}, as Flink looks), or "" for none or a null directory.
   */
  static String flinkConfFile(String confDir) throws java.io.IOException {
    if (confDir == null) return "";
    for (String name : new String[] {"config.yaml", "flink-conf.yaml"}) {
      Path f = Path.of(confDir).resolve(name);
      if (Files.isRegularFile(f))
        return Files.readString(f, java.nio.charset.StandardCharsets.UTF_8);
    }
    return "";
  }

  private static final Pattern FLINK_KEY = Pattern.compile("[a-z][a-z0-9.\\-]*");

  /**
   * A profile's {@code flink:} map (Flink configuration keys, e.g. {@code
   * taskmanager.memory.managed.size} for an embedded Flink) as a configuration directory: the
   * options' {@code flinkConfDir} file, if any, then these keys. Named by its content in the
   * temporary directory, so every call for the same profile gives the same directory (the embedded
   * cluster started early compares configurations).
   */
  static String flinkConfDir(String profile, JsonNode flink, String userConfDir) {
    if (!flink.isObject())
      throw new IllegalArgumentException("runner profile " + profile + ": 'flink' must be a map");
    StringBuilder yaml = new StringBuilder();
    try {
      String user = flinkConfFile(userConfDir);
      if (!user.isEmpty()) yaml.append(user).append('\n');
      for (Iterator<Map.Entry<String, JsonNode>> it = flink.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String value = expand(e.getValue().asText(), System.getenv());
        if (!FLINK_KEY.matcher(e.getKey()).matches() || !e.getValue().isValueNode()) {
          throw new IllegalArgumentException(
              "runner profile " + profile + ": flink: '" + e.getKey() + "' is not a setting");
        }
        yaml.append(e.getKey())
            .append(": ")
            .append(YAML.writeValueAsString(value).replaceFirst("^---\\s*", "").strip())
            .append('\n');
      }
      String text = yaml.toString();
      String hash =
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
              .substring(0, 16);
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "hfbeam-flink-conf-" + hash);
      Path file = dir.resolve("config.yaml");
      if (!Files.isRegularFile(file)
          || !Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).equals(text)) {
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "config", ".tmp");
        Files.writeString(tmp, text, java.nio.charset.StandardCharsets.UTF_8);
        Files.move(
            tmp,
            file,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING,
            java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      return dir.toString();
    } catch (java.io.IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalArgumentException(
          "runner profile "
              + profile
              + ": cannot write its Flink configuration: "
              + e.getMessage());
    }
  }

  /** The profile as Beam command-line arguments ({@code --name=value}). */
  public static List<String> args(String profile) {
    return args(settings(profile, Map.of()));
  }

  private static List<String> args(Map<String, String> settings) {
    List<String> args = new ArrayList<>();
    settings.forEach((k, v) -> args.add("--" + k + "=" + v));
    return args;
  }

  private static final Pattern ENV =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");

  /**
   * Replaces {@code ${NAME}} and {@code ${NAME:-default}} with the environment's value (or the
   * default).
   */
  static String expand(String value, Map<String, String> env) {
    Matcher m = ENV.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String v = env.get(m.group(1));
      if (v == null || v.isEmpty()) {
        if (m.group(2) == null)
          throw new IllegalArgumentException("environment variable " + m.group(1) + " is not set");
        v = m.group(2);
      }
      m.appendReplacement(out, Matcher.quoteReplacement(v));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Comma-separated jars to stage, absolute; {@code self} is the jar holding this class. */
  static String filesToStage(String value) {
    List<String> out = new ArrayList<>();
    for (String f : value.split(",")) {
      f = f.trim();
      if (f.isEmpty()) continue;
      Path p = f.equals("self") ? selfJar() : Path.of(f).toAbsolutePath().normalize();
      if (!Files.isRegularFile(p))
        throw new IllegalArgumentException("filesToStage: no such file " + p);
      out.add(p.toString());
    }
    return String.join(",", out);
  }

  private static Path selfJar() {
    try {
      Path p =
          Path.of(RunnerProfiles.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) return p;
    } catch (Exception e) {
      // fall through
    }
    Path built = Path.of("target/hfbeam.jar").toAbsolutePath();
    if (Files.isRegularFile(built)) return built;
    throw new IllegalArgumentException(
        "filesToStage: self needs the job jar: run with java -jar target/hfbeam.jar "
            + "(build it with mvn -DskipTests package)");
  }

  /**
   * The web UI of the Flink cluster these options submit to ({@code flinkMaster: host:port}), else
   * null.
   */
  public static String flinkClusterUrl(PipelineOptions options) {
    if (!isFlink(options)) return null;
    String master =
        options.as(org.apache.beam.runners.flink.FlinkPipelineOptions.class).getFlinkMaster();
    if (master == null || master.startsWith("[")) return null;
    return master.startsWith("http://") || master.startsWith("https://")
        ? master
        : "http://" + master;
  }

  /**
   * For settings that submit to a Flink cluster: a one-line message when nothing answers the
   * cluster's REST API ({@code GET /overview}) within {@code timeout}, else empty. Checked before
   * the pipeline is built, so a missing cluster is said at once instead of after Flink's own
   * submission timeout and stack trace.
   */
  public static java.util.Optional<String> unansweredFlinkCluster(
      Map<String, String> settings, java.time.Duration timeout) {
    String master = settings.get("flinkMaster");
    if (!settings.getOrDefault("runner", "").contains("Flink")
        || master == null
        || master.isBlank()
        || master.startsWith("[")) {
      return java.util.Optional.empty();
    }
    String url =
        master.startsWith("http://") || master.startsWith("https://") ? master : "http://" + master;
    String why;
    try {
      java.net.http.HttpClient client =
          java.net.http.HttpClient.newBuilder().connectTimeout(timeout).build();
      java.net.http.HttpResponse<Void> r =
          client.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(url.replaceAll("/+$", "") + "/overview"))
                  .timeout(timeout)
                  .GET()
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 200) return java.util.Optional.empty();
      why = "GET /overview answered " + r.statusCode() + ", not a Flink REST API";
    } catch (java.net.ConnectException e) {
      why = "connection refused";
    } catch (java.net.http.HttpTimeoutException e) {
      why = "no answer within " + timeout.toSeconds() + " s";
    } catch (IOException | IllegalArgumentException e) {
      why = e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "no Flink cluster answers at "
            + url
            + " ("
            + why
            + "); start one on this machine with "
            + "runners/flink-cluster/start, or set FLINK_MASTER=host:port to a running one");
  }

  public static boolean isFlink(PipelineOptions options) {
    return options.getRunner().getSimpleName().startsWith("Flink");
  }

  static JsonNode read(String profile) {
    String resource = "runners/" + profile + ".yaml";
    try {
      Path file = Path.of(profile);
      if (Files.isRegularFile(file)) {
        try (InputStream in = Files.newInputStream(file)) {
          return YAML.readTree(in);
        }
      }
      if (Files.isRegularFile(Path.of(resource))) {
        try (InputStream in = Files.newInputStream(Path.of(resource))) {
          return YAML.readTree(in);
        }
      }
      try (InputStream in = RunnerProfiles.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalArgumentException(
              "unknown runner '"
                  + profile
                  + "': use direct, flink-local, flink-batch, flink-cluster, flink-cluster-batch or a profile file");
        }
        return YAML.readTree(in);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read runner profile " + io.hfbeam.format.YamlErrors.describe(profile, e));
    }
  }
}
