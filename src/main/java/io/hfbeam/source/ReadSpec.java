package io.hfbeam.source;

import io.hfbeam.hub.HubClient;
import java.io.Serializable;
import java.util.List;

/**
 * What to read of a dataset: its reference, revision, config, split and columns, and how (streamed
 * with HTTP ranges or through the cache; byte-range size). Immutable; {@code withX} copies.
 *
 * @param dataset {@code hf://datasets/owner/name[@rev]}, {@code owner/name} or a local directory
 * @param revision branch, tag or commit; null: the reference's, else {@code main}
 * @param config the config; null: the default one
 * @param split the split; null: every split, in order
 * @param columns columns to read, empty: all
 * @param streaming read Hub files with range requests (true) or download them into the cache
 * @param unitBytes byte-range size for line-based files
 * @param hub how to reach the Hub; null: HF_ENDPOINT and the token where the step runs
 * @param decodeImages top-level Image columns become decoded images ({@link Images#decodedFeature})
 */
public record ReadSpec(
    String dataset,
    String revision,
    String config,
    String split,
    List<String> columns,
    boolean streaming,
    long unitBytes,
    HubClient.Settings hub,
    boolean decodeImages)
    implements Serializable {

  public ReadSpec {
    columns = List.copyOf(columns);
    if (unitBytes < 1) throw new IllegalArgumentException("unitBytes must be positive");
  }

  public static ReadSpec of(String dataset) {
    return new ReadSpec(dataset, null, null, null, List.of(), true, 64L << 20, null, false);
  }

  public ReadSpec withDataset(String d) {
    return new ReadSpec(
        d, revision, config, split, columns, streaming, unitBytes, hub, decodeImages);
  }

  public ReadSpec withRevision(String r) {
    return new ReadSpec(
        dataset, r, config, split, columns, streaming, unitBytes, hub, decodeImages);
  }

  public ReadSpec withConfig(String c) {
    return new ReadSpec(
        dataset, revision, c, split, columns, streaming, unitBytes, hub, decodeImages);
  }

  public ReadSpec withSplit(String s) {
    return new ReadSpec(
        dataset, revision, config, s, columns, streaming, unitBytes, hub, decodeImages);
  }

  public ReadSpec withColumns(List<String> c) {
    return new ReadSpec(
        dataset, revision, config, split, c, streaming, unitBytes, hub, decodeImages);
  }

  public ReadSpec withStreaming(boolean s) {
    return new ReadSpec(dataset, revision, config, split, columns, s, unitBytes, hub, decodeImages);
  }

  public ReadSpec withUnitBytes(long n) {
    return new ReadSpec(dataset, revision, config, split, columns, streaming, n, hub, decodeImages);
  }

  public ReadSpec withDecodeImages(boolean d) {
    return new ReadSpec(dataset, revision, config, split, columns, streaming, unitBytes, hub, d);
  }

  public ReadSpec withHub(HubClient.Settings h) {
    return new ReadSpec(
        dataset, revision, config, split, columns, streaming, unitBytes, h, decodeImages);
  }
}
