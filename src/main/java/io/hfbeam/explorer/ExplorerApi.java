package io.hfbeam.explorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.StageFeatures;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.beam.sdk.values.Row;

/**
 * The JSON API under {@code /api/}, answered from the {@link ExplorerIndex} and ranged Parquet
 * reads. Every list is paginated ({@code offset}, {@code limit} up to {@link #MAX_LIMIT}); every
 * view takes the same filters ({@link Filters}).
 */
final class ExplorerApi {
  static final int MAX_LIMIT = 200;
  static final int TOP_VALUES = 12;

  /** Search reads at most this many rows per request before it answers with what it has. */
  static final long SEARCH_ROW_CAP = 2_000_000;

  private final ExplorerIndex ix;
  private final Map<String, BitSet> selections =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, BitSet> e) {
          return size() > 16;
        }
      };

  ExplorerApi(ExplorerIndex ix) {
    this.ix = ix;
  }

  JsonNode answer(String path, Map<String, List<String>> query) throws IOException {
    String what = path.substring("/api/".length());
    // ids travel in the query string: chat ids may hold '/' or '%', which paths would mangle
    List<String> ids = query.get("id");
    String arg = ids == null || ids.isEmpty() ? null : ids.get(0);
    return switch (what) {
      case "overview" -> overview(query);
      case "tree" -> tree(query);
      case "map" -> map(query);
      case "cluster" -> cluster(need(arg, "cluster id"), query);
      case "conversation" -> conversation(need(arg, "chat id"));
      case "search" -> search(query);
      default -> throw new ApiException(404, "no API /api/" + what);
    };
  }

  private static String need(String arg, String what) {
    if (arg == null || arg.isEmpty()) throw new ApiException(400, "no " + what + " in the path");
    return arg;
  }

  private BitSet selection(Filters f) {
    String key = f.key();
    synchronized (selections) {
      BitSet hit = selections.get(key);
      if (hit != null) return hit;
    }
    BitSet s = ix.select(f);
    synchronized (selections) {
      selections.put(key, s);
    }
    return s;
  }

  // ---------------------------------------------------------------------------------- overview

  private JsonNode overview(Map<String, List<String>> query) {
    Filters f = Filters.parse(query);
    BitSet sel = selection(f);
    ObjectNode o = Values.NODES.objectNode();
    o.put("source", ix.checkpoints.describe());
    o.put("conversations", ix.size());
    o.put("selected", sel.cardinality());
    o.put("cluster_stage", ix.clusterStage);
    o.put("metadata_from", ix.metadataFrom);
    o.put("index_ms", ix.buildMillis);
    ObjectNode timings = o.putObject("index_ms_by_stage");
    ix.timings.forEach(timings::put);
    ArrayNode stages = o.putArray("stages");
    ArrayNode missing = o.putArray("missing");
    for (Checkpoints.Stage s : ix.checkpoints.stages()) {
      ObjectNode so = stages.addObject();
      so.put("stage", s.name());
      so.put("present", s.present());
      so.put("rows", s.rows());
      so.put("row_groups", ix.checkpoints.table(s.name()).map(StageTable::groupCount).orElse(0));
      so.put("made_by", s.madeBy());
      so.put("reason", s.reason());
      if (!s.present())
        missing.add(s.name() + ": " + s.reason() + " (" + consequence(s.name()) + ")");
    }
    ObjectNode facets = o.putObject("facets");
    BitSet all = selection(Filters.NONE);
    facets.set("languages", languages(all, Integer.MAX_VALUE));
    facets.set("metadata", metadata(all, 50));
    o.set("breakdowns", breakdowns(sel));
    return o;
  }

  private static String consequence(String stage) {
    return switch (stage) {
      case StageFeatures.CONVERSATIONS -> "no messages to show";
      case StageFeatures.SUMMARIES ->
          "no summaries, languages, frustration or concerning scores (a run without an LLM)";
      case StageFeatures.EMBEDDINGS -> "not needed by the explorer";
      case StageFeatures.CLUSTERS, StageFeatures.META_CLUSTERS -> "the tree uses what is there";
      case StageFeatures.DIMENSIONALITY -> "no map";
      default -> "";
    };
  }

  // -------------------------------------------------------------------------------------- tree

  private JsonNode tree(Map<String, List<String>> query) {
    BitSet sel = selection(Filters.parse(query));
    ObjectNode o = Values.NODES.objectNode();
    o.put("stage", ix.clusterStage);
    ArrayNode nodes = o.putArray("nodes");
    for (ExplorerIndex.Node n : ix.nodes) {
      ObjectNode no = nodes.addObject();
      no.put("id", n.id);
      no.put("name", n.name);
      no.put("parent_id", n.parent < 0 ? null : ix.nodes.get(n.parent).id);
      no.put("level", n.level);
      no.put("count", n.members.length);
      no.put("selected", ExplorerIndex.count(n.members, sel));
      no.put("children", n.children.size());
    }
    return o;
  }

  // --------------------------------------------------------------------------------------- map

  private JsonNode map(Map<String, List<String>> query) {
    BitSet sel = selection(Filters.parse(query));
    ObjectNode o = Values.NODES.objectNode();
    boolean any = ix.nodes.stream().anyMatch(n -> n.hasXy);
    o.put("available", any);
    if (!any) {
      o.put(
          "missing",
          "no 2-D map: the dimensionality stage is "
              + ix.checkpoints.stages().stream()
                  .filter(s -> s.name().equals(StageFeatures.DIMENSIONALITY))
                  .map(s -> s.present() ? "present but has no coordinates" : s.reason())
                  .findFirst()
                  .orElse("missing"));
      return o;
    }
    ArrayNode roots = o.putArray("roots");
    for (ExplorerIndex.Node n : ix.nodes) if (n.parent < 0) roots.add(n.id);
    ArrayNode points = o.putArray("points");
    for (ExplorerIndex.Node n : ix.nodes) {
      if (!n.hasXy) continue;
      ObjectNode p = points.addObject();
      p.put("id", n.id);
      p.put("name", n.name);
      p.put("x", n.x);
      p.put("y", n.y);
      p.put("level", n.level);
      p.put("leaf", n.children.isEmpty());
      p.put("count", n.members.length);
      p.put("selected", ExplorerIndex.count(n.members, sel));
      p.put("root", ix.nodes.get(n.root).id);
    }
    return o;
  }

  // ----------------------------------------------------------------------------------- cluster

  private JsonNode cluster(String id, Map<String, List<String>> query) throws IOException {
    Integer at = ix.nodeIndex.get(id);
    if (at == null) throw new ApiException(404, "no cluster " + id);
    ExplorerIndex.Node n = ix.nodes.get(at);
    BitSet sel = selection(Filters.parse(query));
    ObjectNode o = Values.NODES.objectNode();
    o.put("id", n.id);
    o.put("name", n.name);
    o.put("description", n.description);
    o.put("slug", n.slug);
    o.put("level", n.level);
    o.put("count", n.members.length);
    o.put("selected", ExplorerIndex.count(n.members, sel));
    ArrayNode path = o.putArray("path");
    List<ExplorerIndex.Node> up = new ArrayList<>();
    for (int p = n.index; p >= 0; p = ix.nodes.get(p).parent) up.add(0, ix.nodes.get(p));
    for (ExplorerIndex.Node p : up) path.addObject().put("id", p.id).put("name", p.name);
    ArrayNode children = o.putArray("children");
    n.children.stream()
        .map(ix.nodes::get)
        .sorted(Comparator.comparingInt((ExplorerIndex.Node c) -> -c.members.length))
        .forEach(
            c ->
                children
                    .addObject()
                    .put("id", c.id)
                    .put("name", c.name)
                    .put("count", c.members.length)
                    .put("selected", ExplorerIndex.count(c.members, sel)));
    BitSet in = new BitSet(ix.size());
    for (int m : n.members) if (sel.get(m)) in.set(m);
    o.set("breakdowns", breakdowns(in));
    int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
    int limit = intParam(query, "limit", 20, 1, MAX_LIMIT);
    List<Integer> page = new ArrayList<>();
    int seen = 0;
    for (int m : n.members) {
      if (!sel.get(m)) continue;
      if (seen++ >= offset && page.size() < limit) page.add(m);
    }
    ObjectNode convs = o.putObject("conversations");
    convs.put("offset", offset);
    convs.put("limit", limit);
    convs.put("total", seen);
    convs.set("items", items(page));
    return o;
  }

  /** List entries: chat id, scores, languages, and the summary (or the first user message). */
  private ArrayNode items(List<Integer> chats) throws IOException {
    Map<Integer, String> text = new TreeMap<>();
    Optional<StageTable> sums = ix.checkpoints.table(StageFeatures.SUMMARIES);
    Optional<StageTable> convs = ix.checkpoints.table(StageFeatures.CONVERSATIONS);
    Map<Integer, List<Integer>> byGroup = new TreeMap<>();
    List<Integer> noSummary = new ArrayList<>();
    for (int c : chats) {
      if (sums.isPresent() && ix.sumGroup[c] >= 0) {
        byGroup.computeIfAbsent(ix.sumGroup[c], k -> new ArrayList<>()).add(c);
      } else {
        noSummary.add(c);
      }
    }
    for (Map.Entry<Integer, List<Integer>> e : byGroup.entrySet()) {
      int last = e.getValue().stream().mapToInt(c -> ix.sumRow[c]).max().orElse(0);
      List<Row> rows = sums.get().read(e.getKey(), List.of("summary"), last);
      for (int c : e.getValue()) text.put(c, Values.text(rows.get(ix.sumRow[c]), "summary"));
    }
    Map<Integer, List<Integer>> byConvGroup = new TreeMap<>();
    for (int c : noSummary) {
      if (convs.isPresent() && ix.convGroup[c] >= 0) {
        byConvGroup.computeIfAbsent(ix.convGroup[c], k -> new ArrayList<>()).add(c);
      }
    }
    for (Map.Entry<Integer, List<Integer>> e : byConvGroup.entrySet()) {
      int last = e.getValue().stream().mapToInt(c -> ix.convRow[c]).max().orElse(0);
      List<Row> rows = convs.get().read(e.getKey(), List.of("messages"), last);
      for (int c : e.getValue()) text.put(c, firstUserMessage(rows.get(ix.convRow[c])));
    }
    ArrayNode items = Values.NODES.arrayNode();
    for (int c : chats) {
      ObjectNode it = items.addObject();
      it.put("chat_id", ix.chatIds.get(c));
      it.put("text", clip(text.get(c), 300));
      it.put("text_is", sums.isPresent() && ix.sumGroup[c] >= 0 ? "summary" : "first message");
      scores(it, c);
    }
    return items;
  }

  private void scores(ObjectNode it, int c) {
    it.set(
        "user_frustration",
        ix.frustration[c] == 0 ? null : Values.NODES.numberNode(ix.frustration[c]));
    it.set(
        "concerning_score",
        ix.concerning[c] == 0 ? null : Values.NODES.numberNode(ix.concerning[c]));
    ArrayNode langs = it.putArray("languages");
    if (ix.languages[c] != null) for (int l : ix.languages[c]) langs.add(ix.languageNames.get(l));
  }

  private static String firstUserMessage(Row r) {
    if (r == null || !(r.getValue("messages") instanceof Iterable<?> ms)) return null;
    for (Object m : ms) {
      if (m instanceof Row mr && "user".equals(Values.text(mr, "role"))) {
        return Values.text(mr, "content");
      }
    }
    return null;
  }

  private static String clip(String s, int max) {
    if (s == null) return null;
    return s.length() <= max ? s : s.substring(0, max - 1) + "\u2026";
  }

  /** Small charts' data over a set of chats: languages, scores, metadata values. */
  private ObjectNode breakdowns(BitSet chats) {
    ObjectNode b = Values.NODES.objectNode();
    // without summaries there are no languages or scores to chart (not a chart of "none")
    if (ix.hasSummaries) {
      b.set("languages", languages(chats, TOP_VALUES));
      b.set("user_frustration", scores(chats, ix.frustration));
      b.set("concerning_score", scores(chats, ix.concerning));
    }
    b.set("metadata", metadata(chats, TOP_VALUES));
    return b;
  }

  private ArrayNode scores(BitSet chats, byte[] values) {
    long[] counts = new long[6];
    for (int c = chats.nextSetBit(0); c >= 0; c = chats.nextSetBit(c + 1)) counts[values[c]]++;
    ArrayNode a = Values.NODES.arrayNode();
    for (int v = 1; v <= 5; v++)
      a.addObject().put("value", String.valueOf(v)).put("count", counts[v]);
    a.addObject().put("value", "none").put("count", counts[0]);
    return a;
  }

  private ArrayNode languages(BitSet chats, int top) {
    long[] counts = new long[ix.languageNames.size()];
    long none = 0;
    for (int c = chats.nextSetBit(0); c >= 0; c = chats.nextSetBit(c + 1)) {
      if (ix.languages[c] == null || ix.languages[c].length == 0) none++;
      else for (int l : ix.languages[c]) counts[l]++;
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < counts.length; i++) if (counts[i] > 0) order.add(i);
    order.sort(
        Comparator.comparingLong((Integer i) -> -counts[i]).thenComparing(ix.languageNames::get));
    ArrayNode a = Values.NODES.arrayNode();
    for (int i : order.subList(0, Math.min(top, order.size()))) {
      a.addObject().put("value", ix.languageNames.get(i)).put("count", counts[i]);
    }
    if (ix.hasSummaries) a.addObject().put("value", "none").put("count", none);
    return a;
  }

  private ObjectNode metadata(BitSet chats, int top) {
    long[] counts = new long[ix.metaValues.size()];
    for (int c = chats.nextSetBit(0); c >= 0; c = chats.nextSetBit(c + 1)) {
      if (ix.metadata[c] != null) for (int m : ix.metadata[c]) counts[m]++;
    }
    Map<String, List<Integer>> byKey = new TreeMap<>();
    for (int i = 0; i < counts.length; i++) {
      byKey.computeIfAbsent(ix.metaValues.get(i)[0], k -> new ArrayList<>()).add(i);
    }
    ObjectNode o = Values.NODES.objectNode();
    for (Map.Entry<String, List<Integer>> e : byKey.entrySet()) {
      List<Integer> ids = e.getValue();
      ids.sort(
          Comparator.comparingLong((Integer i) -> -counts[i])
              .thenComparing(i -> ix.metaValues.get(i)[1]));
      ObjectNode k = o.putObject(e.getKey());
      k.put("distinct", ids.stream().filter(i -> counts[i] > 0).count());
      ArrayNode values = k.putArray("values");
      for (int i : ids.subList(0, Math.min(top, ids.size()))) {
        if (counts[i] == 0) break;
        values.addObject().put("value", ix.metaValues.get(i)[1]).put("count", counts[i]);
      }
    }
    return o;
  }

  // ------------------------------------------------------------------------------ conversation

  private JsonNode conversation(String chatId) throws IOException {
    Integer c = ix.ordinal.get(chatId);
    if (c == null) throw new ApiException(404, "no conversation " + chatId);
    ObjectNode o = Values.NODES.objectNode();
    o.put("chat_id", chatId);
    Optional<StageTable> convs = ix.checkpoints.table(StageFeatures.CONVERSATIONS);
    if (convs.isPresent() && ix.convGroup[c] >= 0) {
      Row r =
          convs
              .get()
              .read(
                  ix.convGroup[c],
                  List.of("chat_id", "created_at", "messages", "metadata"),
                  ix.convRow[c])
              .get(ix.convRow[c]);
      if (r == null) {
        o.put("error", "this conversation's row does not decode");
      } else {
        o.set("created_at", Values.json(r.getValue("created_at")));
        o.set("messages", Values.json(r.getValue("messages")));
        o.set("metadata", Values.metadata(r.getValue("metadata")));
      }
    } else {
      o.put(
          "missing",
          convs.isPresent()
              ? "this chat id is not in the conversations stage"
              : "the conversations stage is missing: no messages to show");
    }
    Optional<StageTable> sums = ix.checkpoints.table(StageFeatures.SUMMARIES);
    if (sums.isPresent() && ix.sumGroup[c] >= 0) {
      Row r =
          sums.get()
              .read(
                  ix.sumGroup[c],
                  List.of(
                      "summary",
                      "request",
                      "topic",
                      "languages",
                      "task",
                      "concerning_score",
                      "user_frustration",
                      "assistant_errors",
                      "metadata"),
                  ix.sumRow[c])
              .get(ix.sumRow[c]);
      if (r == null) {
        o.putNull("summary");
        o.put("summary_missing", "this conversation's summary row does not decode");
      } else {
        ObjectNode s = (ObjectNode) Values.json(r);
        s.set("metadata", Values.metadata(r.getValue("metadata")));
        o.set("summary", s);
      }
    } else {
      o.putNull("summary");
      o.put(
          "summary_missing",
          sums.isPresent() ? "no summary for this conversation" : "no summaries stage");
    }
    ArrayNode path = o.putArray("clusters");
    for (ExplorerIndex.Node n : ix.path(c)) path.addObject().put("id", n.id).put("name", n.name);
    return o;
  }

  // ------------------------------------------------------------------------------------ search

  /**
   * Text search without an index: the summaries' text columns and the conversations' messages are
   * streamed row group by row group (only those columns, the two stages in turns) and the scan
   * stops as soon as the page is full (one hit past it says there is more). All words must occur,
   * case-insensitively.
   */
  private JsonNode search(Map<String, List<String>> query) throws IOException {
    long t0 = System.nanoTime();
    String q = query.getOrDefault("q", List.of("")).get(0).trim();
    if (q.isEmpty()) throw new ApiException(400, "q: empty search");
    if (q.length() > 200) throw new ApiException(400, "q: longer than 200 characters");
    String[] words = q.toLowerCase(Locale.ROOT).split("\\s+");
    BitSet sel = selection(Filters.parse(query));
    int offset = intParam(query, "offset", 0, 0, Integer.MAX_VALUE);
    int limit = intParam(query, "limit", 20, 1, MAX_LIMIT);
    int want = offset + limit + 1;
    BitSet hit = new BitSet(ix.size());
    List<ObjectNode> found = new ArrayList<>();
    long scanned = 0;
    boolean capped = false;
    List<String> sumCols = List.of("chat_id", "summary", "request", "task", "topic");
    List<String> convCols = List.of("chat_id", "messages");
    // the two stages' row groups taken in turns, so a phrase found only in messages (or only in
    // summaries) still ends the scan early
    List<StageTable> tables = new ArrayList<>();
    List<Integer> groups = new ArrayList<>();
    Optional<StageTable> st = ix.checkpoints.table(StageFeatures.SUMMARIES);
    Optional<StageTable> ct = ix.checkpoints.table(StageFeatures.CONVERSATIONS);
    int gs = st.map(StageTable::groupCount).orElse(0);
    int gc = ct.map(StageTable::groupCount).orElse(0);
    for (int i = 0; i < Math.max(gs, gc); i++) {
      if (i < gs) {
        tables.add(st.get());
        groups.add(i);
      }
      if (i < gc) {
        tables.add(ct.get());
        groups.add(i);
      }
    }
    scan:
    for (int u = 0; u < tables.size(); u++) {
      StageTable table = tables.get(u);
      int g = groups.get(u);
      boolean summaries = table.stage().equals(StageFeatures.SUMMARIES);
      List<String> cols = summaries ? sumCols : convCols;
      {
        if (found.size() >= want) break scan;
        if (scanned >= SEARCH_ROW_CAP) {
          capped = true;
          break scan;
        }
        List<Row> rows = table.decode(g, cols);
        scanned += rows.size();
        for (Row r : rows) {
          String id = Values.text(r, "chat_id");
          Integer c = id == null ? null : ix.ordinal.get(id);
          if (c == null || !sel.get(c) || hit.get(c)) continue;
          String field = null;
          String text = null;
          if (summaries) {
            for (String col : List.of("summary", "request", "task", "topic")) {
              String v = Values.text(r, col);
              if (v != null && matches(v, words)) {
                field = col;
                text = v;
                break;
              }
            }
          } else if (r.getValue("messages") instanceof Iterable<?> ms) {
            StringBuilder all = new StringBuilder();
            for (Object m : ms) {
              if (m instanceof Row mr && Values.text(mr, "content") != null) {
                all.append(Values.text(mr, "content")).append('\n');
              }
            }
            if (matches(all.toString(), words)) {
              field = "messages";
              text = all.toString();
            }
          }
          if (field == null) continue;
          hit.set(c);
          ObjectNode it = Values.NODES.objectNode();
          it.put("chat_id", id);
          it.put("field", field);
          it.put("snippet", snippet(text, words[0]));
          scores(it, c);
          List<ExplorerIndex.Node> path = ix.path(c);
          if (!path.isEmpty()) {
            ExplorerIndex.Node leaf = path.get(path.size() - 1);
            it.putObject("cluster").put("id", leaf.id).put("name", leaf.name);
          }
          found.add(it);
          if (found.size() >= want) break scan;
        }
      }
    }
    ObjectNode o = Values.NODES.objectNode();
    o.put("q", q);
    o.put("offset", offset);
    o.put("limit", limit);
    o.put("more", found.size() > offset + limit);
    o.put("capped", capped);
    o.put("rows_scanned", scanned);
    ArrayNode items = o.putArray("items");
    for (int i = offset; i < Math.min(found.size(), offset + limit); i++) items.add(found.get(i));
    o.put("ms", (System.nanoTime() - t0) / 1_000_000);
    return o;
  }

  private static boolean matches(String text, String[] words) {
    String t = text.toLowerCase(Locale.ROOT);
    for (String w : words) if (!t.contains(w)) return false;
    return true;
  }

  private static String snippet(String text, String word) {
    int at = text.toLowerCase(Locale.ROOT).indexOf(word);
    int from = Math.max(0, at - 60);
    int to = Math.min(text.length(), Math.max(at, 0) + word.length() + 100);
    return (from > 0 ? "\u2026" : "")
        + text.substring(from, to).replace('\n', ' ')
        + (to < text.length() ? "\u2026" : "");
  }

  private static int intParam(
      Map<String, List<String>> q, String name, int dflt, int min, int max) {
    List<String> v = q.get(name);
    if (v == null || v.isEmpty() || v.get(0).isEmpty()) return dflt;
    try {
      int n = Integer.parseInt(v.get(0));
      if (n < min || n > max) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new ApiException(
          400,
          name + ": expected a whole number in " + min + ".." + max + ", got '" + v.get(0) + "'");
    }
  }

  static List<String> stages() {
    return CheckpointLayout.STAGES;
  }
}
