package io.hfbeam.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Meta-clusters without an LLM: round by round, the current roots' centroids are clustered with
 * seeded k-means into about {@code roots / childrenPerParent} groups, and each group of two or more
 * becomes a new parent (its centroid the size-weighted mean of its children's, its chat ids their
 * union). Rounds stop when the roots are at most {@code maxRoots}, after {@code maxRounds}, or when
 * a round makes no parent: Kura's loop has no cap and can go on for ever.
 */
public final class Hierarchy {
  /**
   * A node of the tree: base clusters are nodes 0..k-1 in their order, parents follow.
   *
   * @param id the node's index in {@link #nodes}
   * @param parent the parent's id, or -1 for a root
   * @param children the children's ids (empty for a base cluster)
   * @param chatIds the conversations below, sorted
   * @param centroid the size-weighted mean of the conversations' vectors
   * @param level 0 for a base cluster, a parent is one above its highest child
   */
  public record Node(
      int id,
      int parent,
      List<Integer> children,
      List<String> chatIds,
      float[] centroid,
      int level) {
    public int size() {
      return chatIds.size();
    }
  }

  private final List<Node> nodes;
  private final int rounds;

  private Hierarchy(List<Node> nodes, int rounds) {
    this.nodes = nodes;
    this.rounds = rounds;
  }

  public List<Node> nodes() {
    return nodes;
  }

  /** Rounds that made parents. */
  public int rounds() {
    return rounds;
  }

  public List<Node> roots() {
    return nodes.stream().filter(n -> n.parent() < 0).toList();
  }

  /**
   * Builds the tree over base clusters.
   *
   * @param chatIds each base cluster's conversations
   * @param centroids each base cluster's centroid
   * @param maxRoots stop once the roots are this few (Kura's max_clusters: 10)
   * @param childrenPerParent how many roots a parent gathers on average (2 halves the roots a
   *     round, as Kura's rounds do in practice)
   * @param maxRounds the cap on rounds
   */
  public static Hierarchy build(
      List<List<String>> chatIds,
      float[][] centroids,
      int maxRoots,
      int childrenPerParent,
      int maxRounds,
      long seed) {
    if (chatIds.size() != centroids.length) {
      throw new IllegalArgumentException(
          chatIds.size() + " clusters but " + centroids.length + " centroids");
    }
    if (maxRoots < 1 || childrenPerParent < 2 || maxRounds < 0) {
      throw new IllegalArgumentException(
          "need maxRoots >= 1, childrenPerParent >= 2, maxRounds >= 0");
    }
    List<Node> nodes = new ArrayList<>();
    List<Integer> parents = new ArrayList<>();
    for (int i = 0; i < centroids.length; i++) {
      nodes.add(
          new Node(i, -1, List.of(), List.copyOf(new TreeSet<>(chatIds.get(i))), centroids[i], 0));
      parents.add(-1);
    }
    List<Integer> roots = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) roots.add(i);
    int rounds = 0;
    while (roots.size() > maxRoots && rounds < maxRounds) {
      int k = Math.max(maxRoots, (roots.size() + childrenPerParent - 1) / childrenPerParent);
      k = Math.min(k, roots.size() - 1);
      float[][] points = new float[roots.size()][];
      for (int i = 0; i < points.length; i++) points[i] = nodes.get(roots.get(i)).centroid();
      // a different seed per round, derived from the run's; mini-batch above 1,000 roots, as for
      // the base clusters (full k-means at 10,000 roots into 5,000 took hours: 100k conversations)
      Clustering groups =
          new Clusterer(k, 10, seed + 1_000_003L * (rounds + 1), Clusterer.MINI_BATCH_ABOVE)
              .fit(points);
      List<Integer> next = new ArrayList<>();
      boolean madeParent = false;
      for (List<Integer> members : groups.members()) {
        if (members.size() == 1) {
          next.add(roots.get(members.get(0))); // a lone root stays a root: no one-child parents
          continue;
        }
        madeParent = true;
        int id = nodes.size();
        List<Integer> children = new ArrayList<>();
        TreeSet<String> ids = new TreeSet<>();
        int level = 0;
        int d = points[0].length;
        double[] sum = new double[d];
        long weight = 0;
        for (int m : members) {
          Node child = nodes.get(roots.get(m));
          children.add(child.id());
          ids.addAll(child.chatIds());
          level = Math.max(level, child.level() + 1);
          int w = Math.max(1, child.size());
          weight += w;
          for (int j = 0; j < d; j++) sum[j] += (double) w * child.centroid()[j];
          parents.set(child.id(), id);
        }
        float[] centroid = new float[d];
        for (int j = 0; j < d; j++) centroid[j] = (float) (sum[j] / weight);
        nodes.add(new Node(id, -1, List.copyOf(children), List.copyOf(ids), centroid, level));
        parents.add(-1);
        next.add(id);
      }
      // k < roots makes some group hold two (pigeonhole), so today every round shrinks the roots;
      // the guard keeps the loop finite should the grouping ever change
      if (!madeParent) break;
      rounds++;
      roots = next;
    }
    List<Node> linked = new ArrayList<>(nodes.size());
    for (Node n : nodes) {
      linked.add(
          new Node(
              n.id(), parents.get(n.id()), n.children(), n.chatIds(), n.centroid(), n.level()));
    }
    return new Hierarchy(List.copyOf(linked), rounds);
  }
}
