package io.hfbeam.workflow.conversations;

import io.hfbeam.cluster.ClassTfIdf;
import io.hfbeam.cluster.Clusterer;
import io.hfbeam.cluster.Clustering;
import io.hfbeam.cluster.Hierarchy;
import io.hfbeam.cluster.Layout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ProjectedCluster;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The global part of the analysis, no Beam: points (chat id, text, vector) -> base clusters, the
 * hierarchy of meta clusters, and the 2-D layout of every cluster. Deterministic: points are taken
 * in chat id order, every random choice is seeded, and ids are hashes of the run's fingerprint and
 * the cluster's place.
 */
public final class ClusterAnalysis {
  /** One conversation: what stands for it in text (for names) and its embedding. */
  public record Point(String chatId, String text, float[] vector) implements Serializable {}

  /** How clusters get their name, description and slug. */
  public interface Namer extends Serializable {
    /**
     * Names for base clusters, one per entry of {@code texts} (each cluster's member texts, and in
     * {@code others} some texts of other clusters, for contrast).
     */
    List<ClassTfIdf.Label> nameBase(List<List<String>> texts) throws Exception;

    /** Names for parents, from their children's names and descriptions and their members' texts. */
    List<ClassTfIdf.Label> nameParents(List<List<Cluster>> children, List<List<String>> texts)
        throws Exception;

    /** For the card: how names were made. */
    String describe();
  }

  /** Names by class-based TF-IDF of the members' texts (BERTopic's), no LLM. */
  public static final class TfIdfNamer implements Namer {
    @Override
    public List<ClassTfIdf.Label> nameBase(List<List<String>> texts) {
      return ClassTfIdf.labels(texts);
    }

    @Override
    public List<ClassTfIdf.Label> nameParents(List<List<Cluster>> children, List<List<String>> t) {
      return ClassTfIdf.labels(t);
    }

    @Override
    public String describe() {
      return "c-TF-IDF of the members' texts (no LLM)";
    }
  }

  /**
   * The settings of the global stages.
   *
   * @param clusters base clusters, 0 for Kura's rule (about 10 conversations a cluster)
   * @param maxRoots stop merging once the roots are this few (Kura's max_clusters)
   * @param maxRounds the cap on merge rounds (Kura's loop may not terminate)
   */
  public record Settings(int clusters, long seed, int maxRoots, int maxRounds, int textChars)
      implements Serializable {
    public static Settings defaults() {
      return new Settings(0, 0, 10, 10, 1_000);
    }
  }

  /** The three stages' rows. */
  public record Result(
      List<Cluster> clusters,
      List<Cluster> metaClusters,
      List<ProjectedCluster> projected,
      Layout.Method layout,
      int rounds) {}

  private ClusterAnalysis() {}

  public static Result run(List<Point> input, Settings s, Namer namer, String fingerprint)
      throws Exception {
    List<Point> points = new ArrayList<>(input);
    points.sort(Comparator.comparing(Point::chatId));
    int n = points.size();
    if (n == 0) return new Result(List.of(), List.of(), List.of(), Layout.Method.TRIVIAL, 0);
    float[][] x = new float[n][];
    for (int i = 0; i < n; i++) x[i] = points.get(i).vector();
    Clusterer clusterer = Clusterer.kura(s.seed());
    if (s.clusters() > 0) clusterer = clusterer.withK(s.clusters());
    Clustering c = clusterer.fit(x);
    List<List<Integer>> members = c.members();
    List<List<String>> ids = new ArrayList<>();
    List<List<String>> texts = new ArrayList<>();
    for (List<Integer> m : members) {
      List<String> i = new ArrayList<>();
      List<String> t = new ArrayList<>();
      for (int p : m) {
        i.add(points.get(p).chatId());
        t.add(clip(points.get(p).text(), s.textChars()));
      }
      ids.add(i);
      texts.add(t);
    }
    List<ClassTfIdf.Label> baseNames = namer.nameBase(texts);
    Hierarchy h = Hierarchy.build(ids, c.centroids(), s.maxRoots(), 2, s.maxRounds(), s.seed());
    List<Hierarchy.Node> nodes = h.nodes();
    String[] nodeIds = new String[nodes.size()];
    for (Hierarchy.Node node : nodes) nodeIds[node.id()] = id(fingerprint, node);
    // names: base first, then parents level by level (a parent's name may read its children's)
    Cluster[] named = new Cluster[nodes.size()];
    for (int i = 0; i < members.size(); i++) {
      ClassTfIdf.Label l = baseNames.get(i);
      named[i] =
          new Cluster(
              nodeIds[i], l.name(), l.description(), l.slug(), nodes.get(i).chatIds(), null);
    }
    Map<Integer, List<Hierarchy.Node>> byLevel = new HashMap<>();
    int top = 0;
    for (Hierarchy.Node node : nodes) {
      if (node.level() > 0) byLevel.computeIfAbsent(node.level(), k -> new ArrayList<>()).add(node);
      top = Math.max(top, node.level());
    }
    Map<String, String> textOf = new HashMap<>();
    for (Point p : points) textOf.put(p.chatId(), clip(p.text(), s.textChars()));
    for (int level = 1; level <= top; level++) {
      List<Hierarchy.Node> parents = byLevel.getOrDefault(level, List.of());
      List<List<Cluster>> kids = new ArrayList<>();
      List<List<String>> parentTexts = new ArrayList<>();
      for (Hierarchy.Node p : parents) {
        List<Cluster> k = new ArrayList<>();
        for (int child : p.children()) k.add(named[child]);
        kids.add(k);
        List<String> t = new ArrayList<>();
        for (String id : p.chatIds()) t.add(textOf.get(id));
        parentTexts.add(t);
      }
      List<ClassTfIdf.Label> names =
          parents.isEmpty() ? List.of() : namer.nameParents(kids, parentTexts);
      for (int i = 0; i < parents.size(); i++) {
        Hierarchy.Node p = parents.get(i);
        ClassTfIdf.Label l = names.get(i);
        named[p.id()] =
            new Cluster(nodeIds[p.id()], l.name(), l.description(), l.slug(), p.chatIds(), null);
      }
    }
    List<Cluster> base = new ArrayList<>();
    List<Cluster> all = new ArrayList<>();
    for (Hierarchy.Node node : nodes) {
      Cluster k = named[node.id()];
      String parent = node.parent() < 0 ? null : nodeIds[node.parent()];
      Cluster linked =
          new Cluster(k.id(), k.name(), k.description(), k.slug(), k.chatIds(), parent);
      if (node.level() == 0)
        base.add(new Cluster(k.id(), k.name(), k.description(), k.slug(), k.chatIds(), null));
      all.add(linked);
    }
    // depth from the roots (root 0), as Kura's calculate_cluster_levels
    int[] depth = new int[nodes.size()];
    for (int i = nodes.size() - 1; i >= 0; i--) {
      Hierarchy.Node node = nodes.get(i);
      depth[i] = node.parent() < 0 ? 0 : depth[node.parent()] + 1;
    }
    float[][] centroids = new float[nodes.size()][];
    for (Hierarchy.Node node : nodes) centroids[node.id()] = node.centroid();
    Layout.Points xy = Layout.of(centroids, s.seed());
    List<ProjectedCluster> projected = new ArrayList<>();
    for (Hierarchy.Node node : nodes) {
      projected.add(
          new ProjectedCluster(
              all.get(node.id()), xy.xy()[node.id()][0], xy.xy()[node.id()][1], depth[node.id()]));
    }
    return new Result(base, all, projected, xy.method(), h.rounds());
  }

  /** A cluster's id: stable for the same inputs and settings, distinct across runs that differ. */
  private static String id(String fingerprint, Hierarchy.Node node) {
    StringBuilder key = new StringBuilder(fingerprint).append('|').append(node.level());
    for (String c : node.chatIds()) key.append('|').append(c);
    return HexFormat.of()
        .formatHex(Survey.sha256().digest(key.toString().getBytes(StandardCharsets.UTF_8)))
        .substring(0, 32);
  }

  private static String clip(String s, int chars) {
    if (s == null) return "";
    return s.length() <= chars ? s : s.substring(0, chars);
  }
}
