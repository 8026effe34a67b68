package io.hfbeam.explorer;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.source.LocalDatasetFiles;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer in a real browser (Debian's chromium, headless, through chromedriver; Selenium never
 * downloads anything): the list 1-5 clicked through as a person would, on checkpoints built
 * from the real conversations, asserting what is on the screen against the API. Any console error
 * fails the test; screenshots go to target/screenshots. Without chromium this FAILS: CI installs it
 * (.ci/run).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExplorerBrowserIT {
  static final Path SHOTS = Path.of("target/screenshots");
  static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir static Path dir;

  /** The real output of {@code conversations analyze} (offline: no summaries) on MT-Bench. */
  static ExplorerServer real;

  /** The synthetic set with summaries (languages, scores), for the filters. */
  static ExplorerServer server;

  static WebDriver driver;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws IOException {
    Path chromium = firstExecutable("/usr/lib/chromium/chromium", "/usr/bin/chromium");
    Path chromedriver = firstExecutable("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    assertTrue(
        chromium != null && chromedriver != null,
        "the browser tests need Debian's chromium and chromium-driver: apt-get install -y chromium"
            + " chromium-driver (.ci/run does)");
    io.hfbeam.cli.Cli analyze =
        io.hfbeam.cli.Cli.run(
            "conversations",
            "analyze",
            "--input",
            ExplorerFixtures.RESOURCES.resolve("mt_bench_questions.jsonl").toString(),
            "--output",
            dir.resolve("real").toString(),
            "--clusters",
            "8",
            "--max-top-clusters",
            "3");
    assertThat(analyze.toString(), analyze.exitCode, is(0));
    real =
        ExplorerServer.start(
            new LocalDatasetFiles(dir.resolve("real")),
            ExplorerServer.Options.defaults().withPort(0));
    ExplorerFixtures.write(dir.resolve("full"), ExplorerFixtures.Options.small());
    server =
        ExplorerServer.start(
            new LocalDatasetFiles(dir.resolve("full")),
            ExplorerServer.Options.defaults().withPort(0));
    System.setProperty("SE_OFFLINE", "true");
    ChromeOptions o = new ChromeOptions();
    o.setBinary(chromium.toFile());
    o.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1500,1000");
    o.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, o);
    wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    Files.createDirectories(SHOTS);
  }

  @AfterAll
  static void stop() throws IOException {
    if (driver != null) driver.quit();
    if (server != null) server.close();
    if (real != null) real.close();
  }

  /** Every step: no console error (a failed request, a script error) on the page. */
  @AfterEach
  void noConsoleErrors() {
    List<String> errors = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) errors.add(e.getMessage());
    }
    assertThat("console errors", errors, empty());
  }

  private static Path firstExecutable(String... paths) {
    for (String p : paths) if (Files.isExecutable(Path.of(p))) return Path.of(p);
    return null;
  }

  static JsonNode api(String pathAndQuery) throws Exception {
    return api(server, pathAndQuery);
  }

  static JsonNode api(ExplorerServer s, String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery.substring(1))).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.body(), r.statusCode(), is(200));
    return Values.JSON.readTree(r.body());
  }

  static void shot(String name) throws IOException {
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  static void open(String hash) {
    open(server, hash);
  }

  static void open(ExplorerServer s, String hash) {
    driver.get(s.url() + hash);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tree li.node")));
  }

  static List<String> texts(String css) {
    return driver.findElements(By.cssSelector(css)).stream().map(WebElement::getText).toList();
  }

  static List<JsonNode> roots(JsonNode tree) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode n : tree.get("nodes")) if (n.get("parent_id").isNull()) out.add(n);
    return out;
  }

  @Test
  @Order(1)
  void theTreeShowsTheHierarchyWithCountsCollapsibleAndSortable() throws Exception {
    open(real, "");
    List<JsonNode> roots = roots(api(real, "/api/tree"));
    roots.sort(Comparator.comparingInt((JsonNode n) -> -n.get("count").asInt()));
    List<String> shown = texts("#tree > li > .row .tree-name");
    assertThat(shown, is(roots.stream().map(n -> n.get("name").asText()).toList()));
    assertThat(
        texts("#tree > li > .row .count"),
        is(roots.stream().map(n -> n.get("count").asText()).toList()));
    // expand the biggest root: its children appear; collapse: they go
    WebElement first = driver.findElement(By.cssSelector("#tree > li:first-child"));
    first.findElement(By.cssSelector(".toggle")).click();
    int children = roots.get(0).get("children").asInt();
    wait.until(
        d -> d.findElements(By.cssSelector("#tree > li:first-child > ul > li")).size() == children);
    shot("1-tree");
    driver.findElement(By.cssSelector("#tree > li:first-child .toggle")).click();
    wait.until(d -> d.findElements(By.cssSelector("#tree > li:first-child > ul > li")).isEmpty());
    new Select(driver.findElement(By.id("sort"))).selectByValue("name");
    wait.until(ExpectedConditions.urlContains("sort=name"));
    List<String> byName = roots.stream().map(n -> n.get("name").asText()).sorted().toList();
    wait.until(d -> texts("#tree > li > .row .tree-name").equals(byName));
  }

  @Test
  @Order(2)
  void theMapDrawsOnePointPerBaseClusterAndAHoverNamesIt() throws Exception {
    open(real, "");
    JsonNode map = api(real, "/api/map");
    List<JsonNode> leaves = new ArrayList<>();
    for (JsonNode p : map.get("points")) if (p.get("leaf").asBoolean()) leaves.add(p);
    assertThat("--clusters 8", leaves.size(), is(8));
    wait.until(d -> d.findElements(By.cssSelector("#map circle")).size() == leaves.size());
    // coloured by top-level cluster: as many colours as roots holding base clusters (at most 10)
    long colours =
        driver.findElements(By.cssSelector("#map circle")).stream()
            .map(c -> c.getAttribute("fill"))
            .distinct()
            .count();
    assertThat(colours, greaterThan(1L));
    WebElement point = driver.findElements(By.cssSelector("#map circle")).get(0);
    String name = point.getAttribute("data-name");
    new Actions(driver).moveToElement(point).perform();
    WebElement tip = driver.findElement(By.id("tip"));
    wait.until(ExpectedConditions.visibilityOf(tip));
    assertThat(tip.getText(), startsWith(name + " · "));
    shot("2-map");
    point.click();
    wait.until(ExpectedConditions.textToBe(By.id("cluster-name"), name));
  }

  @Test
  @Order(3)
  void aClusterShowsItsDescriptionChildrenChartsAndPagedConversations() throws Exception {
    JsonNode root =
        roots(api("/api/tree")).stream()
            .max(Comparator.comparingInt(n -> n.get("count").asInt()))
            .get();
    JsonNode c = api("/api/cluster?id=" + root.get("id").asText());
    open("");
    driver.findElements(By.cssSelector("#tree .tree-name")).stream()
        .filter(e -> e.getText().equals(root.get("name").asText()))
        .findFirst()
        .get()
        .click();
    wait.until(ExpectedConditions.textToBe(By.id("cluster-name"), c.get("name").asText()));
    assertThat(driver.findElement(By.id("cluster-slug")).getText(), is(c.get("slug").asText()));
    assertThat(
        driver.findElement(By.id("cluster-description")).getText(),
        is(c.get("description").asText()));
    assertThat(
        driver.findElement(By.id("cluster-count")).getText(),
        is(c.get("count").asText() + " conversations"));
    List<String> children = new ArrayList<>();
    c.get("children").forEach(ch -> children.add(ch.get("name").asText()));
    assertThat(texts("#detail .children a"), is(children));
    List<String> charts =
        driver.findElements(By.cssSelector("#detail .chart")).stream()
            .map(e -> e.getAttribute("data-chart"))
            .toList();
    assertThat(charts, hasItem("Languages"));
    assertThat(charts, hasItem("User frustration"));
    assertThat(charts, hasItem("Concerning score"));
    assertThat(charts, hasItem("metadata: category"));
    assertThat(texts("#cluster-conversations .chat-link").size(), is(20));
    int total = c.at("/conversations/total").asInt();
    assertThat(driver.findElement(By.id("page-info")).getText(), is("1–20 of " + total));
    shot("3-cluster");
    driver.findElement(By.id("next-page")).click();
    wait.until(
        ExpectedConditions.textToBe(
            By.id("page-info"), "21–" + Math.min(40, total) + " of " + total));
    JsonNode page2 = api("/api/cluster?id=" + root.get("id").asText() + "&offset=20&limit=20");
    List<String> ids = new ArrayList<>();
    page2.at("/conversations/items").forEach(i -> ids.add(i.get("chat_id").asText()));
    assertThat(texts("#cluster-conversations .chat-link"), is(ids));
  }

  @Test
  @Order(4)
  void openingAConversationFromAClusterShowsMessagesSummaryAndPath() throws Exception {
    JsonNode conv = api(real, "/api/conversation?id=mt-bench-81");
    String leaf = conv.get("clusters").get(conv.get("clusters").size() - 1).get("id").asText();
    open(real, "#cluster=" + leaf);
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".chat-link")));
    // page until mt-bench-81 is listed, then click it as a person would
    WebElement link = null;
    for (int i = 0; i < 50 && link == null; i++) {
      link =
          driver.findElements(By.cssSelector("#cluster-conversations .chat-link")).stream()
              .filter(e -> e.getText().equals("mt-bench-81"))
              .findFirst()
              .orElse(null);
      if (link == null) {
        String before = driver.findElement(By.id("page-info")).getText();
        driver.findElement(By.id("next-page")).click();
        wait.until(d -> !d.findElement(By.id("page-info")).getText().equals(before));
      }
    }
    link.click();
    wait.until(ExpectedConditions.textToBe(By.id("chat-id"), "mt-bench-81"));
    List<WebElement> messages = driver.findElements(By.cssSelector("#messages .msg"));
    assertThat(messages.size(), is(2));
    assertThat(messages.get(0).getText(), containsString("user · 2025-06-01T09:00:00"));
    assertThat(messages.get(0).getText(), containsString("Compose an engaging travel blog post"));
    // an offline run has no summaries: the page says so where they would be
    assertThat(
        driver.findElement(By.cssSelector("#detail .notice")).getText(), is("no summaries stage"));
    assertThat(texts("#detail table.fields th"), hasItem("category"));
    List<String> path = new ArrayList<>();
    conv.get("clusters").forEach(p -> path.add(p.get("name").asText()));
    assertThat("a meta-cluster above the base cluster", path.size(), greaterThan(1));
    assertThat(texts("#detail .crumbs a"), is(path));
    shot("4-conversation");
    // with summaries (the synthetic set), the same conversation shows its summary fields
    JsonNode full = api("/api/conversation?id=mt-bench-81");
    open("#chat=mt-bench-81");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("summary")));
    assertThat(
        driver.findElement(By.cssSelector("#summary tr[data-field=summary] td")).getText(),
        is(full.at("/summary/summary").asText()));
    assertThat(
        driver.findElement(By.cssSelector("#summary tr[data-field=user_frustration] td")).getText(),
        is(
            full.at("/summary/user_frustration").isNull()
                ? "—"
                : full.at("/summary/user_frustration").asText()));
  }

  @Test
  @Order(5)
  void searchAndFiltersApplyEverywhereAndTheUrlReproducesTheView() throws Exception {
    open("");
    WebElement q = driver.findElement(By.id("q"));
    q.sendKeys("Hawaii");
    driver.findElement(By.id("search-button")).click();
    wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#search-results li")));
    assertThat(texts("#search-results .chat-link"), hasItem("mt-bench-81"));
    // a filter: frustration 4 or more
    new Select(driver.findElement(By.id("f-frustration"))).selectByValue("4-5");
    JsonNode o = api("/api/overview?frustration=4-5");
    int selected = o.get("selected").asInt();
    assertThat(selected, lessThan(580));
    wait.until(
        ExpectedConditions.textToBe(
            By.id("selected-count"), selected + " of 580 conversations match the filters"));
    // the tree counts the filtered conversations ("selected / all")...
    int inRoots = 0;
    for (String t : texts("#tree > li > .row .count")) {
      assertThat(t, containsString(" / "));
      inRoots += Integer.parseInt(t.substring(0, t.indexOf(" / ")));
    }
    assertThat(inRoots, is(selected));
    // ...the map draws only clusters that still hold some, sized by them...
    long leavesLeft = 0;
    for (JsonNode p : api("/api/map?frustration=4-5").get("points")) {
      if (p.get("leaf").asBoolean() && p.get("selected").asInt() > 0) leavesLeft++;
    }
    long expected = leavesLeft;
    wait.until(d -> d.findElements(By.cssSelector("#map circle")).size() == expected);
    // ...and the search hits too (Hawaii's question is not frustrated)
    JsonNode hits = api("/api/search?q=Hawaii&frustration=4-5");
    wait.until(
        d ->
            d.findElements(By.cssSelector("#search-results .chat-link")).size()
                == hits.get("items").size());
    // a metadata filter on top: MT-Bench's writing category
    new Select(driver.findElement(By.id("f-meta-key"))).selectByValue("category");
    new Select(driver.findElement(By.id("f-meta-value"))).selectByValue("writing");
    driver.findElement(By.id("f-meta-add")).click();
    int both = api("/api/overview?frustration=4-5&meta=category:writing").get("selected").asInt();
    wait.until(
        ExpectedConditions.textToBe(
            By.id("selected-count"), both + " of 580 conversations match the filters"));
    assertThat(texts("#meta-chips .chip").get(0), startsWith("category:writing"));
    shot("5-filtered");
    // the link reproduces the view: reload it in a fresh page
    String url = driver.getCurrentUrl();
    assertThat(url, containsString("frustration=4-5"));
    String countText = driver.findElement(By.id("selected-count")).getText();
    List<String> tree = texts("#tree .row");
    List<String> results = texts("#search-results .chat-link");
    driver.get("about:blank");
    driver.get(url);
    wait.until(ExpectedConditions.textToBe(By.id("selected-count"), countText));
    wait.until(d -> texts("#tree .row").equals(tree));
    assertThat(
        new Select(driver.findElement(By.id("f-frustration")))
            .getFirstSelectedOption()
            .getAttribute("value"),
        is("4-5"));
    assertThat(driver.findElement(By.id("q")).getAttribute("value"), is("Hawaii"));
    wait.until(d -> texts("#search-results .chat-link").equals(results));
    driver.findElement(By.id("f-clear")).click();
    wait.until(ExpectedConditions.textToBe(By.id("selected-count"), ""));
    assertThat(driver.getCurrentUrl(), not(containsString("frustration")));
  }

  @Test
  @Order(6)
  void aMissingStageIsShownAndTheRestStillWorks() throws Exception {
    // the offline analyze run made no summaries: named at the top, the rest is there
    open(real, "");
    assertThat(
        texts("#notices .missing-stage"),
        hasItem(startsWith("Missing stage summaries: not in the checkpoints")));
    assertThat(driver.findElement(By.id("map")).isDisplayed(), is(true));
    Path part = dir.resolve("partial");
    ExplorerFixtures.write(
        part, ExplorerFixtures.Options.small().withoutSummaries().withoutDimensionality());
    try (ExplorerServer s =
        ExplorerServer.start(
            new LocalDatasetFiles(part), ExplorerServer.Options.defaults().withPort(0))) {
      driver.get(s.url());
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#tree li.node")));
      List<String> notices = texts("#notices .missing-stage");
      assertThat(notices, hasItem(startsWith("Missing stage summaries: not in the checkpoints")));
      assertThat(notices, hasItem(startsWith("Missing stage dimensionality")));
      WebElement mapMissing = driver.findElement(By.id("map-missing"));
      assertThat(mapMissing.isDisplayed(), is(true));
      assertThat(mapMissing.getText(), containsString("no 2-D map"));
      driver.findElement(By.cssSelector("#tree .tree-name")).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".chat-link")));
      driver.findElement(By.cssSelector(".chat-link")).click();
      wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#messages .msg")));
      assertThat(
          driver.findElement(By.cssSelector("#detail .notice")).getText(),
          is("no summaries stage"));
      shot("6-missing-stages");
    }
  }
}
