package io.hfbeam.source;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.hf.Features;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A resolved read: the dataset's files at a fixed version, the config's builder and kwargs, the
 * features of the columns read, and the units in {@code datasets}' order. Made on the launcher by
 * {@link HfDataset#plan}; travels to the workers, where {@link #read} reads one unit.
 *
 * @param files the dataset's files (pinned)
 * @param config the config read
 * @param splits the splits read, in order
 * @param builder the packaged builder
 * @param kwargs its kwargs from the card
 * @param features the config's features (all columns)
 * @param columns the columns read, in order (all when the spec named none)
 * @param units the work, split by split, in read order
 */
public record ReadPlan(
    DatasetFiles files,
    String config,
    List<String> splits,
    String builder,
    Map<String, JsonNode> kwargs,
    Features features,
    List<String> columns,
    List<ReadUnit> units)
    implements Serializable {

  public ReadPlan {
    splits = List.copyOf(splits);
    kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs));
    columns = List.copyOf(columns);
    units = List.copyOf(units);
  }

  /** The features of the columns read: the schema of the rows. */
  public Features selected() {
    return FormatReaders.select(features, columns);
  }

  /** Reads one unit into the sink. */
  public void read(ReadUnit unit, RowSink sink) throws IOException {
    FormatReaders.forBuilder(builder).read(files, unit, features, kwargs, columns, sink);
  }
}
