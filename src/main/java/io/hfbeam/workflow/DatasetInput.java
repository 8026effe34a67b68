package io.hfbeam.workflow;

import io.hfbeam.hub.HubClient;
import io.hfbeam.source.DatasetRef;
import io.hfbeam.source.HfDataset;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadSpec;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A workflow input that is a Hugging Face dataset ({@code hf://datasets/owner/name[@rev]}) rather
 * than files: which config, split(s) and columns to read, and how.
 *
 * @param config the dataset's config; null: its default
 * @param split the split; null: every split
 * @param revision branch, tag or commit; null: the one in the URL, else main
 * @param columns columns to read; empty: all
 * @param streaming range requests (true) or download into the cache first
 * @param decodeImages decode top-level Image columns
 * @param env HF_* variables for the Hub client; null: the process environment
 */
public record DatasetInput(
    String config,
    String split,
    String revision,
    List<String> columns,
    boolean streaming,
    boolean decodeImages,
    Map<String, String> env) {

  public DatasetInput {
    columns = columns == null ? List.of() : List.copyOf(columns);
    env = env == null ? null : Map.copyOf(env);
  }

  /** Whether nothing was chosen (only the environment): the flags may go with any input. */
  public boolean isDefault() {
    return config == null
        && split == null
        && revision == null
        && columns.isEmpty()
        && streaming
        && !decodeImages;
  }

  /** Whether an input spec names a Hugging Face dataset. */
  public static boolean isDataset(String spec) {
    return DatasetRef.isHfUrl(spec);
  }

  /**
   * Resolves the dataset and plans the read. A missing dataset, config, split or column fails here,
   * with one line naming what exists.
   */
  public ReadPlan plan(String spec) {
    HubClient.Settings.Builder hub = HubClient.Settings.builder();
    if (env != null) hub.environment(env);
    ReadSpec s =
        ReadSpec.of(spec)
            .withConfig(config)
            .withSplit(split)
            .withRevision(revision)
            .withColumns(columns)
            .withStreaming(streaming)
            .withDecodeImages(decodeImages)
            .withHub(hub.build());
    try {
      return HfDataset.open(s).plan(s);
    } catch (IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }
}
