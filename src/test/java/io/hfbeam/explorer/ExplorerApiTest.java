package io.hfbeam.explorer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.startsWith;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.conversations.Conversation;
import io.hfbeam.conversations.ConversationSummary;
import io.hfbeam.conversations.StageFeatures;
import io.hfbeam.format.RangedSource;
import io.hfbeam.hub.CommitOperation;
import io.hfbeam.hub.HubClient;
import io.hfbeam.hub.RangedFile;
import io.hfbeam.hub.RepoId;
import io.hfbeam.hub.server.LocalHubServer;
import io.hfbeam.source.DataFile;
import io.hfbeam.source.DatasetFiles;
import io.hfbeam.source.HubDatasetFiles;
import io.hfbeam.source.LocalDatasetFiles;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The explorer's JSON API over a checkpoint set written from the real conversations (580: 80
 * MT-Bench questions, 500 coffee orders): what each view answers, that filters agree with the
 * summaries they filter, that views read only the row groups and columns they need, that missing
 * stages are reported rather than failing, and the Hub path (range requests, not downloads).
 */
class ExplorerApiTest {
  @TempDir static Path dir;
  static ExplorerServer server;
  static List<Conversation> conversations;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws IOException {
    ExplorerFixtures.write(dir.resolve("full"), ExplorerFixtures.Options.small());
    conversations = ExplorerFixtures.realConversations();
    server =
        ExplorerServer.start(
            new LocalDatasetFiles(dir.resolve("full")),
            ExplorerServer.Options.defaults().withPort(0));
  }

  @AfterAll
  static void stop() throws IOException {
    if (server != null) server.close();
  }

  static JsonNode get(ExplorerServer s, String pathAndQuery) throws Exception {
    HttpResponse<String> r = raw(s, "GET", pathAndQuery);
    assertThat(pathAndQuery + " -> " + r.body(), r.statusCode(), is(200));
    return Values.JSON.readTree(r.body());
  }

  static HttpResponse<String> raw(ExplorerServer s, String method, String pathAndQuery)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery.substring(1)))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void overviewCountsConversationsAndSaysWhichStagesAreMissing() throws Exception {
    JsonNode o = get(server, "/api/overview");
    assertThat(o.get("conversations").asInt(), is(580));
    assertThat(o.get("selected").asInt(), is(580));
    assertThat(o.get("cluster_stage").asText(), is(StageFeatures.DIMENSIONALITY));
    List<String> missing = new ArrayList<>();
    o.get("missing").forEach(m -> missing.add(m.asText()));
    assertThat(missing.size(), is(1));
    assertThat(missing.get(0), startsWith("embeddings: not in the checkpoints"));
    // facets: MT-Bench's eight categories are a metadata filter
    assertThat(o.at("/facets/metadata/category/distinct").asInt(), is(8));
    assertThat(o.at("/facets/languages/0/value").asText(), is("english"));
  }

  @Test
  void theTreeHoldsEveryClusterAndRootsCoverAllConversations() throws Exception {
    JsonNode t = get(server, "/api/tree");
    int roots = 0;
    long inRoots = 0;
    int maxLevel = 0;
    for (JsonNode n : t.get("nodes")) {
      if (n.get("parent_id").isNull()) {
        roots++;
        inRoots += n.get("count").asLong();
      }
      maxLevel = Math.max(maxLevel, n.get("level").asInt());
    }
    assertThat(roots, greaterThan(1));
    assertThat(inRoots, is(580L));
    assertThat("2-3 levels", maxLevel, greaterThan(0));
    JsonNode map = get(server, "/api/map");
    assertThat(map.get("available").asBoolean(), is(true));
    assertThat(map.get("points").size(), is(t.get("nodes").size()));
  }

  @Test
  void filtersAgreeWithTheSummariesTheyFilter() throws Exception {
    long frustrated = 0;
    long frenchAndConcerning = 0;
    for (Conversation c : conversations) {
      ConversationSummary s = ExplorerFixtures.summary(c);
      if (s.userFrustration() != null && s.userFrustration() >= 4) frustrated++;
      if (s.languages() != null
          && s.languages().contains("french")
          && s.concerningScore() != null
          && s.concerningScore() <= 2) frenchAndConcerning++;
    }
    assertThat(
        get(server, "/api/overview?frustration=4-5").get("selected").asLong(), is(frustrated));
    assertThat(
        get(server, "/api/overview?lang=french&concerning=1-2").get("selected").asLong(),
        is(frenchAndConcerning));
    // metadata: MT-Bench's writing category has ten questions
    JsonNode w = get(server, "/api/overview?meta=category:writing");
    assertThat(w.get("selected").asInt(), is(10));
    // the tree and the map count the same selection
    long roots = 0;
    for (JsonNode n : get(server, "/api/tree?meta=category:writing").get("nodes")) {
      if (n.get("parent_id").isNull()) roots += n.get("selected").asLong();
    }
    assertThat(roots, is(10L));
    long leaves = 0;
    for (JsonNode p : get(server, "/api/map?meta=category:writing").get("points")) {
      if (p.get("leaf").asBoolean()) leaves += p.get("selected").asLong();
    }
    assertThat(leaves, is(10L));
  }

  @Test
  void aClusterPagesItsConversationsFromTheSummariesOnly() throws Exception {
    JsonNode t = get(server, "/api/tree");
    JsonNode biggest = null;
    for (JsonNode n : t.get("nodes")) {
      if (n.get("parent_id").isNull()
          && (biggest == null || n.get("count").asInt() > biggest.get("count").asInt()))
        biggest = n;
    }
    String id = biggest.get("id").asText();
    StageTable convs = server.index().checkpoints.table(StageFeatures.CONVERSATIONS).get();
    StageTable sums = server.index().checkpoints.table(StageFeatures.SUMMARIES).get();
    long convDecoded = convs.rowsDecoded();
    long sumDecoded = sums.rowsDecoded();
    JsonNode c = get(server, "/api/cluster?id=" + id + "&limit=7&offset=3");
    assertThat(c.get("name").asText(), is(biggest.get("name").asText()));
    assertThat(c.at("/conversations/total").asInt(), is(biggest.get("count").asInt()));
    assertThat(c.at("/conversations/items").size(), is(7));
    assertThat(c.at("/conversations/items/0/text").asText(), startsWith("The user asked: "));
    assertThat(c.get("children").size(), greaterThan(0));
    long langTotal = 0;
    for (JsonNode b : c.at("/breakdowns/user_frustration")) langTotal += b.get("count").asLong();
    assertThat("frustration bars add up to the cluster", langTotal, is(c.get("count").asLong()));
    assertThat("a cluster page reads no message", convs.rowsDecoded(), is(convDecoded));
    assertThat(sums.groupCount(), greaterThan(2));
    assertThat(
        "only the row groups holding the page",
        sums.rowsDecoded() - sumDecoded,
        lessThan(sums.rows()));
  }

  @Test
  void aConversationHasItsMessagesSummaryAndClusterPath() throws Exception {
    StageTable convs = server.index().checkpoints.table(StageFeatures.CONVERSATIONS).get();
    assertThat(convs.groupCount(), greaterThan(2));
    long before = convs.rowsDecoded();
    JsonNode c = get(server, "/api/conversation?id=mt-bench-81");
    assertThat(c.get("messages").size(), is(2));
    assertThat(c.at("/messages/0/role").asText(), is("user"));
    assertThat(c.at("/messages/0/content").asText(), startsWith("Compose an engaging travel blog"));
    assertThat(c.at("/messages/0/created_at").asText(), is("2025-06-01T09:00:00"));
    assertThat(c.at("/summary/summary").asText(), startsWith("The user asked: Compose"));
    assertThat(c.at("/metadata/category").asText(), is("writing"));
    assertThat(c.get("clusters").size(), greaterThan(1));
    long decoded = convs.rowsDecoded() - before;
    assertThat("one row group of conversations at most", decoded, lessThan(convs.rows() / 2));
    HttpResponse<String> none = raw(server, "GET", "/api/conversation?id=" + enc("no/such id"));
    assertThat(none.statusCode(), is(404));
    assertThat(none.body(), containsString("no conversation no/such id"));
  }

  @Test
  void searchFindsSummariesAndMessagesAndStopsWhenThePageIsFull() throws Exception {
    JsonNode s = get(server, "/api/search?q=" + enc("Hawaii travel"));
    List<String> ids = new ArrayList<>();
    s.get("items").forEach(i -> ids.add(i.get("chat_id").asText()));
    assertThat(ids, hasItem("mt-bench-81"));
    // a word only the assistant says in the coffee dialogues: found in the messages
    JsonNode m = get(server, "/api/search?q=" + enc("your drink") + "&limit=5");
    assertThat(m.get("items").size(), is(5));
    assertThat(m.get("more").asBoolean(), is(true));
    List<String> fields = new ArrayList<>();
    m.get("items").forEach(i -> fields.add(i.get("field").asText()));
    assertThat(fields, everyItem(is("messages")));
    long all = server.index().checkpoints.table(StageFeatures.CONVERSATIONS).get().rows() + 580;
    assertThat("stopped early", m.get("rows_scanned").asLong(), lessThan(all));
    // filters narrow search hits
    JsonNode f = get(server, "/api/search?q=" + enc("Hawaii") + "&meta=category:math");
    assertThat(f.get("items").size(), is(0));
  }

  @Test
  void badRequestsAreOneLineAndNothingButGetIsServed() throws Exception {
    HttpResponse<String> r = raw(server, "GET", "/api/overview?frustration=9");
    assertThat(r.statusCode(), is(400));
    assertThat(r.body(), containsString("frustration: expected N or N-M within 1..5"));
    assertThat(raw(server, "POST", "/api/overview").statusCode(), is(405));
    assertThat(raw(server, "GET", "/api/cluster?id=nope").statusCode(), is(404));
    assertThat(raw(server, "GET", "/..%2f..%2fetc%2fpasswd").statusCode(), greaterThan(399));
    assertThat(raw(server, "GET", "/explorer.jar").statusCode(), is(404));
    HttpResponse<String> page = raw(server, "GET", "/");
    assertThat(page.statusCode(), is(200));
    assertThat(page.body(), containsString("<title>Conversation explorer</title>"));
  }

  @Test
  void missingStagesAreShownNotFailed() throws Exception {
    Path part = dir.resolve("partial");
    ExplorerFixtures.write(
        part, ExplorerFixtures.Options.small().withoutSummaries().withoutDimensionality());
    // a stage that was being written when the run died: data, no checkpoint.json
    Files.createDirectories(part.resolve("embeddings/data"));
    Files.copy(
        part.resolve("clusters/data/train-00000-of-00001.parquet"),
        part.resolve("embeddings/data/train-00000-of-00001.parquet"));
    try (ExplorerServer s =
        ExplorerServer.start(
            new LocalDatasetFiles(part), ExplorerServer.Options.defaults().withPort(0))) {
      JsonNode o = get(s, "/api/overview");
      assertThat(o.get("conversations").asInt(), is(580));
      assertThat(o.get("cluster_stage").asText(), is(StageFeatures.META_CLUSTERS));
      assertThat(o.get("metadata_from").asText(), is(StageFeatures.CONVERSATIONS));
      List<String> missing = new ArrayList<>();
      o.get("missing").forEach(m -> missing.add(m.asText()));
      assertThat(missing, hasItem(startsWith("summaries: not in the checkpoints")));
      assertThat(missing, hasItem(startsWith("embeddings: incomplete: no checkpoint.json")));
      assertThat(missing, hasItem(startsWith("dimensionality: not in the checkpoints")));
      JsonNode map = get(s, "/api/map");
      assertThat(map.get("available").asBoolean(), is(false));
      assertThat(map.get("missing").asText(), containsString("dimensionality"));
      JsonNode c = get(s, "/api/conversation?id=mt-bench-81");
      assertThat(c.get("summary").isNull(), is(true));
      assertThat(c.get("summary_missing").asText(), is("no summaries stage"));
      assertThat(c.get("messages").size(), is(2));
      String root = get(s, "/api/tree").at("/nodes/0/id").asText();
      JsonNode cl = get(s, "/api/cluster?id=" + root);
      assertThat(cl.at("/conversations/items/0/text_is").asText(), is("first message"));
      // metadata filters still work from the conversations' own metadata
      assertThat(get(s, "/api/overview?meta=category:writing").get("selected").asInt(), is(10));
      assertThat(s.missingStages().size(), is(3));
    }
  }

  @Test
  void aDamagedStageIsNamedAndTheOthersServe() throws Exception {
    Path bad = dir.resolve("damaged");
    ExplorerFixtures.write(bad, ExplorerFixtures.Options.small());
    Path f = bad.resolve("summaries/data/train-00000-of-00001.parquet");
    byte[] bytes = Files.readAllBytes(f);
    Files.write(f, java.util.Arrays.copyOf(bytes, bytes.length / 2)); // cut short mid-file
    try (ExplorerServer s =
        ExplorerServer.start(
            new LocalDatasetFiles(bad), ExplorerServer.Options.defaults().withPort(0))) {
      JsonNode o = get(s, "/api/overview");
      List<String> missing = new ArrayList<>();
      o.get("missing").forEach(m -> missing.add(m.asText()));
      assertThat(
          missing,
          hasItem(
              startsWith(
                  "summaries: unreadable: summaries/data/train-00000-of-00001.parquet: not a"
                      + " Parquet file or cut short")));
      assertThat(get(s, "/api/conversation?id=mt-bench-81").get("messages").size(), is(2));
      assertThat(get(s, "/api/map").get("available").asBoolean(), is(true));
    }
  }

  @Test
  void aHubDatasetIsReadWithRangeRequests() throws Exception {
    String token = "hf_" + "explorer" + "TestToken0123456789";
    try (LocalHubServer hub =
        LocalHubServer.start(
            0,
            Files.createDirectories(dir.resolve("hub")),
            LocalHubServer.Options.defaults().withToken(token, "alice"))) {
      HubClient.Settings settings =
          HubClient.Settings.builder()
              .environment(
                  Map.of(
                      "HF_ENDPOINT",
                      hub.url(),
                      "HF_TOKEN",
                      token,
                      "HF_HOME",
                      dir.resolve("hf").toString()))
              .build();
      RepoId repo = RepoId.dataset("alice/conversations");
      HubClient c = settings.newClient();
      c.createRepo(repo, false, false);
      List<CommitOperation> ops = new ArrayList<>();
      long total = 0;
      Path root = dir.resolve("full");
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          ops.add(
              CommitOperation.add(
                  root.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f)));
          total += Files.size(f);
        }
      }
      c.createCommit(repo, "main", ops, "checkpoints", null);
      List<RangedSource> opened = new ArrayList<>();
      DatasetFiles hubFiles = ExplorerServer.files("hf://datasets/alice/conversations", settings);
      assertThat(hubFiles, org.hamcrest.Matchers.instanceOf(HubDatasetFiles.class));
      DatasetFiles recording = new Recording(hubFiles, opened);
      try (ExplorerServer s =
          ExplorerServer.start(recording, ExplorerServer.Options.defaults().withPort(0))) {
        assertThat(get(s, "/api/overview").get("conversations").asInt(), is(580));
        JsonNode conv = get(s, "/api/conversation?id=mt-bench-81");
        assertThat(conv.get("messages").size(), is(2));
        long read = 0;
        for (RangedSource r : opened) read += ((RangedFile) r).bytesTransferred();
        assertThat(
            "footers, the index columns and one row group, not the files", read, lessThan(total));
      }
    }
  }

  /** Hands out the sources it opens, to count the bytes they fetched. */
  private record Recording(DatasetFiles files, List<RangedSource> opened) implements DatasetFiles {
    @Override
    public String describe() {
      return files.describe();
    }

    @Override
    public List<DataFile> list() throws IOException {
      return files.list();
    }

    @Override
    public Optional<String> readText(String path) throws IOException {
      return files.readText(path);
    }

    @Override
    public RangedSource open(String path) throws IOException {
      RangedSource s = files.open(path);
      opened.add(s);
      return s;
    }
  }
}
