package io.hfbeam.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code datasets} makes of a repo or directory: its configs in card order and the default
 * config ({@code get_dataset_default_config_name}: empty when several configs and none default).
 * Built by {@link DataFilesResolver}.
 */
public record DatasetLayout(List<ConfigLayout> configs, Optional<String> defaultConfig) {

  public DatasetLayout {
    configs = List.copyOf(configs);
  }

  public List<String> configNames() {
    List<String> names = new ArrayList<>();
    configs.forEach(c -> names.add(c.name()));
    return names;
  }

  /**
   * The named config, or the default one when {@code name} is null; fails naming the configs when
   * there is no such config, or no default among several.
   */
  public ConfigLayout config(String name) {
    String wanted = name != null ? name : defaultConfig.orElse(null);
    if (wanted == null) {
      throw new IllegalArgumentException(
          "the dataset has several configs and no default; pick one of " + configNames());
    }
    for (ConfigLayout c : configs) {
      if (c.name().equals(wanted)) return c;
    }
    throw new IllegalArgumentException(
        "no config '" + wanted + "'; the dataset's configs: " + configNames());
  }
}
