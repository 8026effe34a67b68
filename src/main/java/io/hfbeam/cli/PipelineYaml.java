package io.hfbeam.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/**
 * The one place pipeline YAML values become option values: for an option marked {@link YamlKey},
 * the value under that key in the workflow's YAML ({@code --config}, default {@code
 * pipelines/<workflow>.yaml}). So every option's effective value is the flag, else the YAML's, else
 * the option's {@code defaultValue}; picocli converts and checks the YAML's value as it does a
 * flag's, and {@code --help} shows the effective default.
 *
 * <p>A YAML file that cannot be read gives no values here; the command reports it (file, line and
 * column) when it runs.
 */
public final class PipelineYaml implements CommandLine.IDefaultValueProvider {
  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg.userObject() instanceof Field f)
        || !(arg.command().userObject() instanceof WorkflowCommand cmd)) return null;
    YamlKey key = f.getAnnotation(YamlKey.class);
    if (key == null || cmd.common == null) return null;
    JsonNode n;
    try {
      n = cmd.common.yaml(cmd.workflow()).at("/" + key.value().replace('.', '/'));
    } catch (RuntimeException e) {
      return null; // reported by the command when it runs
    }
    if (n.isMissingNode() || n.isNull() || n.isObject()) {
      return key.orElse().isEmpty() ? null : key.orElse().replace("{workflow}", cmd.workflow());
    }
    if (n.isArray()) {
      List<String> items = new ArrayList<>();
      n.forEach(x -> items.add(x.asText()));
      return items.isEmpty() ? null : String.join(",", items);
    }
    return n.asText();
  }
}
