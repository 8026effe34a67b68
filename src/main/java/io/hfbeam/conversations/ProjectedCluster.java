package io.hfbeam.conversations;

import java.util.List;
import java.util.Objects;

/**
 * Kura's {@code ProjectedCluster}: a cluster with its 2-D position and its depth ({@code level}, 0
 * = root). JSON order: id, name, description, slug, chat_ids, parent_id, x_coord, y_coord, level,
 * count.
 */
public record ProjectedCluster(Cluster cluster, double xCoord, double yCoord, long level) {
  public ProjectedCluster {
    Objects.requireNonNull(cluster, "cluster");
    if (!Double.isFinite(xCoord) || !Double.isFinite(yCoord)) {
      throw new IllegalArgumentException("coordinates must be finite: " + xCoord + ", " + yCoord);
    }
  }

  public String id() {
    return cluster.id();
  }

  public List<String> chatIds() {
    return cluster.chatIds();
  }

  public String parentId() {
    return cluster.parentId();
  }
}
