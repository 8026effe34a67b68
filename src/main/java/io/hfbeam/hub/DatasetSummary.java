package io.hfbeam.hub;

import java.util.List;

/**
 * One dataset of a Hub listing ({@link HubClient#searchDatasets}), with the fields the listing
 * gives; {@code lastModified} is null, counts are 0 and {@code tags} empty when the Hub left them
 * out. {@code gated} is {@code "false"}, {@code "auto"} or {@code "manual"}, as the Hub says it.
 */
public record DatasetSummary(
    String id,
    String author,
    String lastModified,
    long downloads,
    long likes,
    boolean isPrivate,
    String gated,
    List<String> tags) {
  public DatasetSummary {
    tags = List.copyOf(tags);
  }
}
