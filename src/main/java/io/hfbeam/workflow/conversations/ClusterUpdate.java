package io.hfbeam.workflow.conversations;

import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ProjectedCluster;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * New conversations placed in the clusters a run already has, without clustering again: each goes
 * to the base cluster with the nearest centroid (the mean of its members' embeddings), and its id
 * is added to that cluster and to every cluster above it. A conversation farther from its centroid
 * than {@link #radius} (the 90th percentile of the members' own distances when the clusters were
 * made) counts as drift: the watching run clusters again when too many do.
 */
final class ClusterUpdate {
  /** The clusters with the new ids, and how many of them were far from their cluster. */
  record Result(
      List<Cluster> clusters,
      List<Cluster> metaClusters,
      List<ProjectedCluster> projected,
      int drifted,
      Map<String, List<String>> placed) {}

  private ClusterUpdate() {}

  static Map<String, float[]> centroids(List<Cluster> base, Map<String, float[]> vectors) {
    return new HashMap<>(ClusterSums.of(base, vectors, "").centroids());
  }

  static double distance(float[] a, float[] b) {
    double d = 0;
    for (int j = 0; j < a.length; j++) {
      double x = a[j] - b[j];
      d += x * x;
    }
    return Math.sqrt(d);
  }

  /** The 90th percentile of the members' distances to their centroid (0 with no members). */
  static double radius(List<Cluster> base, Map<String, float[]> vectors) {
    Map<String, float[]> centroids = centroids(base, vectors);
    List<Double> d = new ArrayList<>();
    for (Cluster c : base) {
      float[] centre = centroids.get(c.id());
      if (centre == null) continue;
      for (String id : c.chatIds()) {
        float[] v = vectors.get(id);
        if (v != null) d.add(distance(v, centre));
      }
    }
    if (d.isEmpty()) return 0;
    double[] sorted = d.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.9 * sorted.length) - 1)];
  }

  /** Places {@code newIds} by the centroids of every vector of the set ({@code vectors}). */
  static Result assign(
      List<Cluster> base,
      List<Cluster> all,
      List<ProjectedCluster> projected,
      Map<String, float[]> vectors,
      List<String> newIds,
      double radius) {
    return assign(base, all, projected, centroids(base, vectors), vectors, newIds, radius);
  }

  /**
   * Places {@code newIds} (their vectors in {@code vectors}) by the base clusters' {@code
   * centroids}; {@link Result#placed} says where each went (base cluster id -> new ids).
   */
  static Result assign(
      List<Cluster> base,
      List<Cluster> all,
      List<ProjectedCluster> projected,
      Map<String, float[]> centroids,
      Map<String, float[]> vectors,
      List<String> newIds,
      double radius) {
    Map<String, List<String>> added = new HashMap<>();
    int drifted = 0;
    for (String id : newIds) {
      float[] v = vectors.get(id);
      if (v == null) continue;
      String best = null;
      double bestD = Double.MAX_VALUE;
      for (Cluster c : base) {
        float[] centre = centroids.get(c.id());
        if (centre == null) continue;
        double d = distance(v, centre);
        if (d < bestD || (d == bestD && c.id().compareTo(best) < 0)) {
          bestD = d;
          best = c.id();
        }
      }
      if (best == null) continue;
      if (bestD > radius) drifted++;
      added.computeIfAbsent(best, k -> new ArrayList<>()).add(id);
    }
    // up the tree: a parent holds its children's conversations
    Map<String, String> parent = new HashMap<>();
    for (Cluster c : all) if (c.parentId() != null) parent.put(c.id(), c.parentId());
    Map<String, List<String>> addedAll = new HashMap<>();
    for (Map.Entry<String, List<String>> e : added.entrySet()) {
      for (String at = e.getKey(); at != null; at = parent.get(at)) {
        addedAll.computeIfAbsent(at, k -> new ArrayList<>()).addAll(e.getValue());
      }
    }
    List<Cluster> newBase = new ArrayList<>();
    for (Cluster c : base) newBase.add(with(c, addedAll.get(c.id())));
    List<Cluster> newAll = new ArrayList<>();
    for (Cluster c : all) newAll.add(with(c, addedAll.get(c.id())));
    List<ProjectedCluster> newProjected = new ArrayList<>();
    for (ProjectedCluster p : projected) {
      newProjected.add(
          new ProjectedCluster(
              with(p.cluster(), addedAll.get(p.cluster().id())),
              p.xCoord(),
              p.yCoord(),
              p.level()));
    }
    return new Result(newBase, newAll, newProjected, drifted, added);
  }

  private static Cluster with(Cluster c, List<String> more) {
    if (more == null || more.isEmpty()) return c;
    List<String> ids = new ArrayList<>(c.chatIds());
    ids.addAll(more);
    ids.sort(null);
    return new Cluster(c.id(), c.name(), c.description(), c.slug(), ids, c.parentId());
  }
}
