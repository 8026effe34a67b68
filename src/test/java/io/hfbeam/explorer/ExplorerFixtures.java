package io.hfbeam.explorer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.cluster.ClassTfIdf;
import io.hfbeam.cluster.Hierarchy;
import io.hfbeam.cluster.KMeans;
import io.hfbeam.cluster.Layout;
import io.hfbeam.conversations.CheckpointLayout;
import io.hfbeam.conversations.Cluster;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationLayout;
import io.hfbeam.conversations.ConversationReader;
import io.hfbeam.conversations.ConversationSummary;
import io.hfbeam.conversations.JsonValue;
import io.hfbeam.conversations.Message;
import io.hfbeam.conversations.Parsed;
import io.hfbeam.conversations.ProjectedCluster;
import io.hfbeam.conversations.Role;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.conversations.StageRows;
import io.hfbeam.format.parquet.HfParquetWriter;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.hf.DatasetCard;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import io.hfbeam.mapping.JsonValues;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.beam.sdk.values.Row;

/**
 * A checkpoint set in the {@link CheckpointLayout} with a summaries stage, which an offline {@code
 * conversations analyze} run does not make (the browser tests use that run's real output for the
 * rest): the real conversations of src/test/resources/conversations (MT-Bench questions and
 * Taskmaster coffee orders), summaries synthesised from each conversation deterministically
 * (languages, frustration and concerning 1-5, some nulls), clusters by seeded k-means on hashed
 * word vectors named by c-TF-IDF, a 2-3 level hierarchy ({@code cluster.Hierarchy}) and a 2-D
 * layout ({@code cluster.Layout}). With {@code copies > 1} every conversation is repeated under new
 * chat ids (the benchmark's 1k/10k/100k sets) and each base cluster is split into buckets of about
 * 70 conversations, so the tree grows with the input.
 */
public final class ExplorerFixtures {
  public static final Path RESOURCES = Path.of("src/test/resources/conversations");
  public static final List<String> INPUTS =
      List.of("mt_bench_questions.jsonl", "taskmaster_coffee.jsonl");
  private static final int DIM = 128;
  private static final long SEED = 16;

  /** What to write. */
  public record Options(
      int copies, boolean summaries, boolean dimensionality, long rowGroupBytes, int baseClusters) {
    public static Options small() {
      return new Options(1, true, true, 48 << 10, 16);
    }

    public Options withCopies(int n) {
      return new Options(n, summaries, dimensionality, rowGroupBytes, baseClusters);
    }

    public Options withoutSummaries() {
      return new Options(copies, false, dimensionality, rowGroupBytes, baseClusters);
    }

    public Options withoutDimensionality() {
      return new Options(copies, summaries, false, rowGroupBytes, baseClusters);
    }

    public Options withRowGroupBytes(long b) {
      return new Options(copies, summaries, dimensionality, b, baseClusters);
    }
  }

  /** A node of the tree being written. */
  private record Node(
      String id,
      String name,
      String description,
      String slug,
      String parentId,
      List<String> chatIds,
      double x,
      double y) {}

  private ExplorerFixtures() {}

  public static List<Conversation> realConversations() throws IOException {
    List<Conversation> out = new ArrayList<>();
    for (String f : INPUTS) {
      try (ConversationReader r = ConversationReader.open(RESOURCES.resolve(f), null)) {
        while (r.hasNext()) {
          Parsed<Conversation> p = r.next();
          if (!p.ok()) throw new IOException(f + ": " + p.failure());
          out.add(p.value());
        }
      }
    }
    return out;
  }

  /** Writes the set; returns the number of conversations. */
  public static int write(Path root, Options o) throws IOException {
    List<Conversation> real = realConversations();
    int n = real.size();
    // clusters over the real conversations
    float[][] vectors = new float[n][];
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String t = text(real.get(i));
      texts.add(t);
      vectors[i] = hashed(t);
    }
    var clustering = new KMeans(o.baseClusters(), SEED).fit(vectors);
    List<List<Integer>> members = clustering.members();
    List<List<String>> baseIds = new ArrayList<>();
    List<List<String>> baseDocs = new ArrayList<>();
    for (List<Integer> m : members) {
      baseIds.add(m.stream().map(i -> real.get(i).chatId()).sorted().toList());
      baseDocs.add(m.stream().map(texts::get).toList());
    }
    Hierarchy h = Hierarchy.build(baseIds, clustering.centroids(), 3, 3, 4, SEED);
    List<Hierarchy.Node> hn = h.nodes();
    List<List<String>> docs = new ArrayList<>();
    Map<String, Integer> realIndex = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) realIndex.put(real.get(i).chatId(), i);
    for (Hierarchy.Node node : hn) {
      docs.add(node.chatIds().stream().map(id -> texts.get(realIndex.get(id))).toList());
    }
    List<ClassTfIdf.Label> labels = ClassTfIdf.labels(docs);
    float[][] centroids = new float[hn.size()][];
    for (int i = 0; i < hn.size(); i++) centroids[i] = hn.get(i).centroid();
    float[][] xy = Layout.of(centroids, SEED).xy();
    List<Node> realNodes = new ArrayList<>();
    for (Hierarchy.Node node : hn) {
      ClassTfIdf.Label l = labels.get(node.id());
      realNodes.add(
          new Node(
              id("cluster-" + node.id()),
              l.name(),
              l.description(),
              l.slug(),
              node.parent() < 0 ? null : id("cluster-" + node.parent()),
              node.chatIds(),
              xy[node.id()][0],
              xy[node.id()][1]));
    }
    // scale up: copies under new ids, each base cluster split into buckets
    int copies = o.copies();
    int buckets = Math.max(1, copies / 2);
    List<Conversation> all = new ArrayList<>(n * copies);
    for (int c = 0; c < copies; c++) for (Conversation conv : real) all.add(copy(conv, c, copies));
    Function<String, List<String>> expand =
        id -> {
          List<String> out = new ArrayList<>(copies);
          for (int c = 0; c < copies; c++) out.add(copyId(id, c, copies));
          return out;
        };
    List<Node> nodes = new ArrayList<>();
    List<Node> bases = new ArrayList<>();
    for (int i = 0; i < realNodes.size(); i++) {
      Node r = realNodes.get(i);
      List<String> ids = new ArrayList<>();
      for (String id : r.chatIds()) ids.addAll(expand.apply(id));
      ids.sort(null);
      Node scaled =
          new Node(r.id(), r.name(), r.description(), r.slug(), r.parentId(), ids, r.x(), r.y());
      nodes.add(scaled);
      boolean base = hn.get(i).children().isEmpty();
      if (base && buckets == 1) bases.add(scaled);
      if (base && buckets > 1) {
        for (int b = 0; b < buckets; b++) {
          List<String> part = new ArrayList<>();
          for (String id : r.chatIds()) {
            for (int c = b; c < copies; c += buckets) part.add(copyId(id, c, copies));
          }
          part.sort(null);
          double angle = 2 * Math.PI * b / buckets;
          Node leaf =
              new Node(
                  id(r.id() + "/" + b),
                  r.name() + " (" + (b + 1) + ")",
                  r.description(),
                  r.slug() + "_" + (b + 1),
                  r.id(),
                  part,
                  r.x() + 0.3 * Math.cos(angle),
                  r.y() + 0.3 * Math.sin(angle));
          nodes.add(leaf);
          bases.add(leaf);
        }
      }
    }
    Files.createDirectories(root);
    ParquetSettings settings =
        ParquetSettings.builder().rowGroupBytes(o.rowGroupBytes()).pageBytes(16 << 10).build();
    stage(
        root,
        StageFeatures.CONVERSATIONS,
        StageFeatures.conversations(ConversationLayout.SAFE),
        all.stream().map(c -> StageRows.row(c, ConversationLayout.SAFE)).toList(),
        settings,
        "read from " + String.join(", ", INPUTS));
    if (o.summaries()) {
      stage(
          root,
          StageFeatures.SUMMARIES,
          StageFeatures.summaries(),
          all.stream().map(c -> StageRows.row(summary(c))).toList(),
          settings,
          "synthesised for tests (no LLM)");
    }
    stage(
        root,
        StageFeatures.CLUSTERS,
        StageFeatures.clusters(),
        bases.stream().map(b -> StageRows.row(cluster(b, true))).toList(),
        settings,
        "k-means on hashed word vectors, c-TF-IDF names (no LLM)");
    stage(
        root,
        StageFeatures.META_CLUSTERS,
        StageFeatures.clusters(),
        nodes.stream().map(b -> StageRows.row(cluster(b, false))).toList(),
        settings,
        "cluster.Hierarchy, c-TF-IDF names (no LLM)");
    if (o.dimensionality()) {
      Map<String, Node> byId = new LinkedHashMap<>();
      nodes.forEach(x -> byId.put(x.id(), x));
      stage(
          root,
          StageFeatures.DIMENSIONALITY,
          StageFeatures.dimensionality(),
          nodes.stream()
              .map(
                  x ->
                      StageRows.row(
                          new ProjectedCluster(cluster(x, false), x.x(), x.y(), depth(x, byId))))
              .toList(),
          settings,
          "cluster.Layout over cluster centroids");
    }
    CheckpointLayout.writeRootCard(root, "Conversation analysis (explorer test fixture)");
    return all.size();
  }

  private static long depth(Node x, Map<String, Node> byId) {
    long d = 0;
    for (Node at = x; at.parentId() != null; at = byId.get(at.parentId())) d++;
    return d;
  }

  private static Cluster cluster(Node x, boolean base) {
    return new Cluster(
        x.id(), x.name(), x.description(), x.slug(), x.chatIds(), base ? null : x.parentId());
  }

  private static void stage(
      Path root,
      String stage,
      Features features,
      List<ObjectNode> rows,
      ParquetSettings settings,
      String madeBy)
      throws IOException {
    Path dir = CheckpointLayout.stageDir(root, stage);
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    String file = "data/train-00000-of-00001.parquet";
    Feature.Struct struct = new Feature.Struct(features.asMap());
    MessageDigest sha = sha256();
    try (HfParquetWriter w = HfParquetWriter.create(dir.resolve(file), features, settings)) {
      for (ObjectNode r : rows) {
        sha.update(r.toString().getBytes(StandardCharsets.UTF_8));
        w.write((Row) JsonValues.convert(r, struct, false));
      }
    }
    long bytes = Files.size(dir.resolve(file));
    Files.writeString(
        dir.resolve("README.md"),
        DatasetCard.builder()
            .title(stage)
            .description("The " + stage + " stage of a conversation analysis (test fixture).")
            .features(features)
            .splits(List.of(new DatasetCard.SplitInfo("train", rows.size(), bytes, List.of(file))))
            .downloadSize(bytes)
            .build()
            .render());
    CheckpointLayout.write(
        root,
        new CheckpointLayout.StageInfo(
            stage, HexFormat.of().formatHex(sha.digest()), rows.size(), 0, madeBy, Map.of()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String copyId(String id, int c, int copies) {
    return copies == 1 ? id : id + "~" + c;
  }

  private static Conversation copy(Conversation c, int k, int copies) {
    if (copies == 1) return c;
    // each copy's texts differ (as real conversations do), so Parquet's dictionaries cannot fold
    // the copies into one and the files have realistic sizes
    List<Message> ms = new ArrayList<>();
    for (Message m : c.messages()) {
      ms.add(new Message(m.createdAt(), m.role(), m.content() + " [" + k + "]"));
    }
    return new Conversation(copyId(c.chatId(), k, copies), c.createdAt(), ms, c.metadata());
  }

  private static String id(String s) {
    // Kura's ids are uuid4().hex: 32 hex characters
    return HexFormat.of()
        .formatHex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 32);
  }

  static String text(Conversation c) {
    StringBuilder b = new StringBuilder();
    for (Message m : c.messages()) b.append(m.content()).append('\n');
    return b.toString();
  }

  private static float[] hashed(String text) {
    float[] v = new float[DIM];
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.length() < 3) continue;
      int h = w.hashCode();
      v[Math.floorMod(h, DIM)] += (h & 0x100) == 0 ? 1 : -1;
    }
    double norm = 0;
    for (float x : v) norm += x * x;
    if (norm > 0) for (int i = 0; i < DIM; i++) v[i] /= (float) Math.sqrt(norm);
    else v[0] = 1;
    return v;
  }

  private static int hash(String s) {
    byte[] d = sha256().digest(s.getBytes(StandardCharsets.UTF_8));
    return ((d[0] & 0x7f) << 24) | ((d[1] & 0xff) << 16) | ((d[2] & 0xff) << 8) | (d[3] & 0xff);
  }

  /** A summary made from the conversation, the same every time (scores and nulls by hash). */
  static ConversationSummary summary(Conversation c) {
    int h = hash(c.chatId());
    String first = "";
    for (Message m : c.messages()) {
      if (m.role() == Role.USER) {
        first = m.content();
        break;
      }
    }
    String gist = first.length() > 140 ? first.substring(0, 140) : first;
    JsonValue category = c.metadata().get("category");
    boolean coding =
        category instanceof JsonValue.Str s
            && (s.value().equals("coding") || s.value().equals("math"));
    List<String> languages;
    if (h % 10 == 0) languages = null;
    else if (coding) languages = List.of("english", "python");
    else if (h % 7 == 0) languages = List.of("english", "french");
    else languages = List.of("english");
    Integer frustration = h % 11 == 0 ? null : 1 + (h / 11) % 5;
    Integer concerning = h % 13 == 0 ? null : 1 + Math.min(4, ((h / 13) % 9) / 2);
    LinkedHashMap<String, JsonValue> md = new LinkedHashMap<>();
    md.put("conversation_turns", JsonValue.Int.of(c.messages().size()));
    md.putAll(c.metadata().fields());
    return new ConversationSummary(
        "The user asked: " + gist,
        "The user's overall request for the assistant is to answer: " + gist,
        null,
        languages,
        "The task is to respond to a " + (coding ? "technical" : "general") + " request.",
        concerning,
        frustration,
        h % 3 == 0 ? List.of() : null,
        c.chatId(),
        new JsonValue.Obj(md),
        null);
  }
}
