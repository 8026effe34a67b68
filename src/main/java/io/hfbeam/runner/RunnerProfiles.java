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
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/**
 * Runner profiles: {@code direct}, {@code flink-local} (and later {@code flink-cluster}) name YAML files in
 * {@code runners/}; any other value is a path to a profile file. A profile names the Beam runner and its options.
 */
public final class RunnerProfiles {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private RunnerProfiles() {}

  /** Pipeline options from a profile plus overrides ({@code name -> value}, e.g. parallelism=4). */
  public static PipelineOptions options(String profile, Map<String, String> overrides) {
    List<String> args = args(profile);
    overrides.forEach((k, v) -> args.add("--" + k + "=" + v));
    try {
      return PipelineOptionsFactory.fromArgs(args.toArray(String[]::new)).create();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("runner profile " + profile + ": " + e.getMessage());
    }
  }

  public static List<String> args(String profile) {
    JsonNode root = read(profile);
    if (!root.hasNonNull("runner")) throw new IllegalArgumentException("runner profile " + profile + " has no 'runner'");
    List<String> args = new ArrayList<>();
    args.add("--runner=" + root.get("runner").asText());
    for (Iterator<Map.Entry<String, JsonNode>> it = root.path("options").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      args.add("--" + e.getKey() + "=" + e.getValue().asText());
    }
    return args;
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
          throw new IllegalArgumentException("unknown runner '" + profile + "': use direct, flink-local or a profile file");
        }
        return YAML.readTree(in);
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read runner profile " + profile + ": " + e.getMessage());
    }
  }
}
