package io.hfbeam.workflow.conversations;

import io.hfbeam.cluster.ClassTfIdf;
import io.hfbeam.cluster.Clusterer;
import io.hfbeam.cluster.Clustering;
import io.hfbeam.cluster.Hierarchy;
import io.hfbeam.cluster.Layout;
import io.hfbeam.cluster.Vectors;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.ProjectedCluster;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
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

  /**
   * The conversations to cluster, wherever they are kept: chat ids in ascending order, and by the
   * same index a vector and the text that names clusters.
   */
  public interface PointSet {
    /** Ascending, no repeats. */
    List<String> chatIds();

    /** Row i is the vector of {@code chatIds().get(i)}. */
    Vectors vectors();

    /** The naming text of point i ("" for none); read when a namer asks for it. */
    String text(int i);
  }

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

  /** Points held in memory (a small set; the tests' reference for the scratch files). */
  public static Result run(List<Point> input, Settings s, Namer namer, String fingerprint)
      throws Exception {
    List<Point> points = new ArrayList<>(input);
    points.sort(Comparator.comparing(Point::chatId));
    float[][] x = new float[points.size()][];
    for (int i = 0; i < x.length; i++) x[i] = points.get(i).vector();
    List<String> ids = points.stream().map(Point::chatId).toList();
    Vectors vectors = Vectors.of(x);
    PointSet set =
        new PointSet() {
          @Override
          public List<String> chatIds() {
            return ids;
          }

          @Override
          public Vectors vectors() {
            return vectors;
          }

          @Override
          public String text(int i) {
            return points.get(i).text();
          }
        };
    return run(set, s, namer, fingerprint);
  }

  public static Result run(PointSet points, Settings s, Namer namer, String fingerprint)
      throws Exception {
    List<String> sortedIds = points.chatIds();
    int n = sortedIds.size();
    if (n == 0) return new Result(List.of(), List.of(), List.of(), Layout.Method.TRIVIAL, 0);
    Clusterer clusterer = Clusterer.kura(s.seed());
    if (s.clusters() > 0) clusterer = clusterer.withK(s.clusters());
    Clustering c = clusterer.fit(points.vectors());
    List<List<Integer>> members = c.members();
    List<List<String>> ids = new ArrayList<>();
    List<List<String>> texts = new ArrayList<>();
    for (List<Integer> m : members) {
      List<String> i = new ArrayList<>();
      for (int p : m) i.add(sortedIds.get(p));
      ids.add(i);
      texts.add(texts(points, m, s.textChars()));
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
    for (int level = 1; level <= top; level++) {
      List<Hierarchy.Node> parents = byLevel.getOrDefault(level, List.of());
      List<List<Cluster>> kids = new ArrayList<>();
      List<List<String>> parentTexts = new ArrayList<>();
      for (Hierarchy.Node p : parents) {
        List<Cluster> k = new ArrayList<>();
        for (int child : p.children()) k.add(named[child]);
        kids.add(k);
        List<Integer> m = new ArrayList<>(p.chatIds().size());
        for (String id : p.chatIds()) m.add(Collections.binarySearch(sortedIds, id));
        parentTexts.add(texts(points, m, s.textChars()));
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

  /** The members' texts, each read when asked for (a namer reads some or all, once or twice). */
  private static List<String> texts(PointSet points, List<Integer> members, int chars) {
    return new AbstractList<>() {
      @Override
      public String get(int i) {
        return clip(points.text(members.get(i)), chars);
      }

      @Override
      public int size() {
        return members.size();
      }
    };
  }

  /** The first {@code chars} characters of {@code s} ("" for null). */
  static String clip(String s, int chars) {
    if (s == null) return "";
    return s.length() <= chars ? s : s.substring(0, chars);
  }
}
