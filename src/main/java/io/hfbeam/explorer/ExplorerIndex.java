package io.hfbeam.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.conversations.StageFeatures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.beam.sdk.values.Row;

/**
 * What the explorer keeps in memory, all of it small next to the conversations: chat ids and where
 * each conversation's and summary's row is (row group, row), the filterable facets (languages,
 * frustration, concerning score, short metadata values, as dictionary ids), and the cluster tree
 * (members as chat ordinals). Message bodies and summary texts stay in the Parquet files and are
 * read by row group when a view needs them.
 */
final class ExplorerIndex {
  /** Metadata values longer than this are not offered as filters (free text, not a category). */
  static final int MAX_FACET_VALUE = 80;

  /** A cluster of the tree. */
  static final class Node {
    final int index;
    final String id;
    final String name;
    final String description;
    final String slug;
    final String parentId;
    int parent = -1;
    final List<Integer> children = new ArrayList<>();
    int level;
    final double x;
    final double y;
    final boolean hasXy;
    final int[] members; // chat ordinals, ascending
    int root;

    Node(
        int index,
        String id,
        String name,
        String description,
        String slug,
        String parentId,
        Integer level,
        Double x,
        Double y,
        int[] members) {
      this.index = index;
      this.id = id;
      this.name = name;
      this.description = description;
      this.slug = slug;
      this.parentId = parentId;
      this.level = level == null ? -1 : level;
      this.hasXy = x != null && y != null;
      this.x = x == null ? 0 : x;
      this.y = y == null ? 0 : y;
      this.members = members;
    }
  }

  final Checkpoints checkpoints;
  final List<String> chatIds = new ArrayList<>();
  final Map<String, Integer> ordinal = new HashMap<>();
  int[] convGroup = new int[0];
  int[] convRow = new int[0];
  int[] sumGroup = new int[0];
  int[] sumRow = new int[0];
  byte[] frustration = new byte[0]; // 0: none
  byte[] concerning = new byte[0];
  int[][] languages = new int[0][];
  int[][] metadata = new int[0][];
  final List<String> languageNames = new ArrayList<>();
  private final Map<String, Integer> languageIds = new HashMap<>();

  /** Metadata facet values: key and value text, by id. */
  final List<String[]> metaValues = new ArrayList<>();

  private final Map<String, Integer> metaIds = new HashMap<>();
  final List<Node> nodes = new ArrayList<>();
  final Map<String, Integer> nodeIndex = new HashMap<>();
  String clusterStage; // the stage the tree came from, or null
  int[] leafOf = new int[0]; // the deepest cluster holding each chat, or -1
  boolean hasSummaries;
  boolean hasConversations;
  String metadataFrom; // the stage metadata facets came from
  long buildMillis;

  /** How long each part of the build took, for the overview (and the benchmark). */
  final Map<String, Long> timings = new java.util.LinkedHashMap<>();

  private ExplorerIndex(Checkpoints checkpoints) {
    this.checkpoints = checkpoints;
  }

  static ExplorerIndex build(Checkpoints c) throws IOException {
    long t0 = System.nanoTime();
    ExplorerIndex ix = new ExplorerIndex(c);
    Optional<StageTable> summaries = c.table(StageFeatures.SUMMARIES);
    Optional<StageTable> conversations = c.table(StageFeatures.CONVERSATIONS);
    ix.hasSummaries = summaries.isPresent();
    ix.hasConversations = conversations.isPresent();
    if (conversations.isPresent()) {
      boolean metaHere = summaries.isEmpty() && conversations.get().hasColumns(List.of("metadata"));
      long t = System.nanoTime();
      ix.readConversations(conversations.get(), metaHere);
      ix.timings.put(StageFeatures.CONVERSATIONS, (System.nanoTime() - t) / 1_000_000);
      if (metaHere) ix.metadataFrom = StageFeatures.CONVERSATIONS;
    }
    if (summaries.isPresent()) {
      long t = System.nanoTime();
      ix.readSummaries(summaries.get());
      ix.timings.put(StageFeatures.SUMMARIES, (System.nanoTime() - t) / 1_000_000);
      ix.metadataFrom = StageFeatures.SUMMARIES;
    }
    for (String stage :
        List.of(
            StageFeatures.DIMENSIONALITY, StageFeatures.META_CLUSTERS, StageFeatures.CLUSTERS)) {
      Optional<StageTable> t = c.table(stage);
      if (t.isPresent()) {
        long t1 = System.nanoTime();
        ix.readClusters(t.get());
        ix.timings.put(stage, (System.nanoTime() - t1) / 1_000_000);
        ix.clusterStage = stage;
        break;
      }
    }
    ix.finishTree();
    ix.buildMillis = (System.nanoTime() - t0) / 1_000_000;
    return ix;
  }

  int size() {
    return chatIds.size();
  }

  private int chat(String id) {
    Integer o = ordinal.get(id);
    if (o != null) return o;
    int n = chatIds.size();
    chatIds.add(id);
    ordinal.put(id, n);
    grow(n + 1);
    return n;
  }

  private void grow(int n) {
    if (convGroup.length >= n) return;
    int cap = Math.max(n, convGroup.length * 2 + 16);
    int old = convGroup.length;
    convGroup = Arrays.copyOf(convGroup, cap);
    convRow = Arrays.copyOf(convRow, cap);
    sumGroup = Arrays.copyOf(sumGroup, cap);
    sumRow = Arrays.copyOf(sumRow, cap);
    Arrays.fill(convGroup, old, cap, -1);
    Arrays.fill(sumGroup, old, cap, -1);
    frustration = Arrays.copyOf(frustration, cap);
    concerning = Arrays.copyOf(concerning, cap);
    languages = Arrays.copyOf(languages, cap);
    metadata = Arrays.copyOf(metadata, cap);
  }

  private void readConversations(StageTable t, boolean withMetadata) throws IOException {
    List<String> cols = withMetadata ? List.of("chat_id", "metadata") : List.of("chat_id");
    for (int g = 0; g < t.groupCount(); g++) {
      List<Row> rows = t.decode(g, cols);
      for (int r = 0; r < rows.size(); r++) {
        String id = Values.text(rows.get(r), "chat_id");
        if (id == null) continue;
        int o = chat(id);
        convGroup[o] = g;
        convRow[o] = r;
        if (withMetadata) metadata[o] = metaIds(Values.metadata(rows.get(r).getValue("metadata")));
      }
    }
  }

  private void readSummaries(StageTable t) throws IOException {
    List<String> cols =
        List.of("chat_id", "languages", "concerning_score", "user_frustration", "metadata");
    for (int g = 0; g < t.groupCount(); g++) {
      List<Row> rows = t.decode(g, cols);
      for (int r = 0; r < rows.size(); r++) {
        Row row = rows.get(r);
        String id = Values.text(row, "chat_id");
        if (id == null) continue;
        int o = chat(id);
        sumGroup[o] = g;
        sumRow[o] = r;
        Integer f = Values.integer(row, "user_frustration");
        Integer c = Values.integer(row, "concerning_score");
        frustration[o] = (byte) (f == null || f < 1 || f > 5 ? 0 : f);
        concerning[o] = (byte) (c == null || c < 1 || c > 5 ? 0 : c);
        Object langs = row.getValue("languages");
        if (langs instanceof Iterable<?> it) {
          List<Integer> ids = new ArrayList<>();
          for (Object l : it) {
            if (l == null) continue;
            String name = l.toString().trim().toLowerCase(java.util.Locale.ROOT);
            if (name.isEmpty()) continue;
            int id2 =
                languageIds.computeIfAbsent(
                    name,
                    k -> {
                      languageNames.add(k);
                      return languageNames.size() - 1;
                    });
            if (!ids.contains(id2)) ids.add(id2);
          }
          languages[o] = ids.stream().mapToInt(Integer::intValue).toArray();
        }
        metadata[o] = metaIds(Values.metadata(row.getValue("metadata")));
      }
    }
  }

  private int[] metaIds(JsonNode md) {
    if (md == null || !md.isObject()) return null;
    List<Integer> ids = new ArrayList<>();
    md.fields()
        .forEachRemaining(
            e -> {
              if (e.getValue().isArray()) {
                for (JsonNode x : e.getValue()) addMeta(ids, e.getKey(), x);
              } else {
                addMeta(ids, e.getKey(), e.getValue());
              }
            });
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private void addMeta(List<Integer> ids, String key, JsonNode v) {
    if (!v.isValueNode() || v.isNull()) return;
    String text = v.asText();
    if (text.length() > MAX_FACET_VALUE) return;
    int id =
        metaIds.computeIfAbsent(
            key + "\u0000" + text,
            k -> {
              metaValues.add(new String[] {key, text});
              return metaValues.size() - 1;
            });
    if (!ids.contains(id)) ids.add(id);
  }

  /** The facet id of a metadata key and value, or -1. */
  int metaId(String key, String value) {
    return metaIds.getOrDefault(key + "\u0000" + value, -1);
  }

  int languageId(String name) {
    return languageIds.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), -1);
  }

  private void readClusters(StageTable t) throws IOException {
    List<String> cols = new ArrayList<>(List.of("id", "name", "description", "slug", "chat_ids"));
    cols.add("parent_id");
    boolean projected = t.hasColumns(List.of("x_coord", "y_coord", "level"));
    if (projected) cols.addAll(List.of("x_coord", "y_coord", "level"));
    for (int g = 0; g < t.groupCount(); g++) {
      for (Row r : t.decode(g, cols)) {
        if (r == null || Values.text(r, "id") == null) continue;
        List<Integer> members = new ArrayList<>();
        Object ids = r.getValue("chat_ids");
        if (ids instanceof Iterable<?> it) {
          for (Object x : it) if (x != null) members.add(chat(x.toString()));
        }
        int[] m = members.stream().mapToInt(Integer::intValue).sorted().distinct().toArray();
        Double x = projected ? (Double) r.getValue("x_coord") : null;
        Double y = projected ? (Double) r.getValue("y_coord") : null;
        Object lv = projected ? r.getValue("level") : null;
        Node n =
            new Node(
                nodes.size(),
                Values.text(r, "id"),
                orEmpty(Values.text(r, "name")),
                orEmpty(Values.text(r, "description")),
                orEmpty(Values.text(r, "slug")),
                Values.text(r, "parent_id"),
                lv instanceof Number num ? num.intValue() : null,
                x,
                y,
                m);
        if (nodeIndex.putIfAbsent(n.id, n.index) == null) nodes.add(n);
      }
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private void finishTree() {
    for (Node n : nodes) {
      Integer p = n.parentId == null ? null : nodeIndex.get(n.parentId);
      // a parent that is not in the stage (or a node naming itself) makes a root, not a failure
      if (p != null && p != n.index) {
        n.parent = p;
        nodes.get(p).children.add(n.index);
      }
    }
    // a cycle in parent ids would make no root: cut it where it is found
    for (Node n : nodes) {
      int steps = 0;
      int at = n.index;
      while (nodes.get(at).parent >= 0 && steps <= nodes.size()) {
        at = nodes.get(at).parent;
        steps++;
      }
      if (steps > nodes.size()) {
        Node cut = nodes.get(n.index);
        nodes.get(cut.parent).children.remove((Integer) cut.index);
        cut.parent = -1;
      }
    }
    for (Node n : nodes) {
      int depth = 0;
      int at = n.index;
      while (nodes.get(at).parent >= 0) {
        at = nodes.get(at).parent;
        depth++;
      }
      n.root = at;
      if (n.level < 0) n.level = depth;
    }
    grow(chatIds.size());
    leafOf = new int[chatIds.size()];
    Arrays.fill(leafOf, -1);
    int[] depthOf = new int[chatIds.size()];
    for (Node n : nodes) {
      int depth = depth(n);
      for (int m : n.members) {
        if (leafOf[m] < 0 || depth > depthOf[m]) {
          leafOf[m] = n.index;
          depthOf[m] = depth;
        }
      }
    }
  }

  int depth(Node n) {
    int d = 0;
    for (int at = n.index; nodes.get(at).parent >= 0; at = nodes.get(at).parent) d++;
    return d;
  }

  /** The cluster path of a chat, root first. */
  List<Node> path(int chat) {
    List<Node> out = new ArrayList<>();
    if (chat < 0 || chat >= leafOf.length || leafOf[chat] < 0) return out;
    for (int at = leafOf[chat]; at >= 0; at = nodes.get(at).parent) out.add(0, nodes.get(at));
    return out;
  }

  /** The chats passing the filters. */
  BitSet select(Filters f) {
    int n = chatIds.size();
    BitSet out = new BitSet(n);
    out.set(0, n);
    if (f.isEmpty()) return out;
    int lang = f.language() == null ? -2 : languageId(f.language());
    int[] meta = new int[f.metadata().size()];
    for (int i = 0; i < meta.length; i++) {
      String[] kv = f.metadata().get(i);
      meta[i] = metaId(kv[0], kv[1]);
    }
    for (int c = 0; c < n; c++) {
      if (!f.passes(frustration[c], concerning[c])
          || (lang != -2 && !contains(languages[c], lang))) {
        out.clear(c);
        continue;
      }
      for (int m : meta) {
        if (!contains(metadata[c], m)) {
          out.clear(c);
          break;
        }
      }
    }
    return out;
  }

  static boolean contains(int[] a, int v) {
    if (a == null || v < 0) return false;
    for (int x : a) if (x == v) return true;
    return false;
  }

  static int count(int[] members, BitSet selected) {
    int k = 0;
    for (int m : members) if (selected.get(m)) k++;
    return k;
  }
}
