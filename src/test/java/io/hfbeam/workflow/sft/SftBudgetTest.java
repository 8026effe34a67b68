package io.hfbeam.workflow.sft;

import static io.hfbeam.workflow.sft.SftRuns.assertContains;
import static io.hfbeam.workflow.sft.SftRuns.errorLines;
import static io.hfbeam.workflow.sft.SftRuns.readable;
import static io.hfbeam.workflow.sft.SftRuns.rows;
import static io.hfbeam.workflow.sft.SftRuns.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.cli.Cli;
import io.hfbeam.llm.ScriptedOpenAiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The budget guard end to end: a run stops cleanly before its token or cost limit, keeps what it
 * made, says how many pairs remain and how to go on; a re-run with a larger limit pays only for
 * those.
 */
class SftBudgetTest {
  private static final Pattern REMAIN =
      Pattern.compile(
          "warning: budget reached: (\\d+) pairs remain; the dataset holds the (\\d+) made so far\\."
              + " Run the same command with a larger --max-cost or --max-tokens-total to continue");

  @TempDir Path tmp;
  ScriptedOpenAiServer server;

  @BeforeEach
  void start() throws Exception {
    server = new ScriptedOpenAiServer().chatDefault(ScriptedOpenAiServer.medec());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** A run stopped by its budget: exit 0, a valid partial dataset, the warning; pairs made. */
  long assertStoppedPartWay(Cli c, Path out, int pairs) throws Exception {
    assertEquals(0, c.exitCode, c.toString());
    readable(c);
    assertTrue(errorLines(c).isEmpty(), c.toString());
    Matcher m = REMAIN.matcher(c.err);
    assertTrue(m.find(), "no budget warning in:\n" + c);
    long remain = Long.parseLong(m.group(1));
    long made = Long.parseLong(m.group(2));
    assertTrue(made > 0 && made < pairs, "stopped part-way: made " + made + "\n" + c);
    assertEquals(pairs - made, remain, c.toString());
    assertEquals(made, rows(out, "sft_correct.jsonl"));
    assertEquals(made, rows(out, "sft_incorrect.jsonl"));
    assertEquals(2 * made, rows(out, "sft_combined_safe.jsonl"));
    JsonNode stats = stats(out);
    assertEquals(made, stats.path("pairs_done").asLong(), stats.toString());
    assertEquals(remain, stats.path("pairs_remaining").asLong(), stats.toString());
    assertEquals(0, stats.path("pairs_failed").asLong(), stats.toString());
    assertTrue(stats.path("budget_reached").asBoolean(), stats.toString());
    // a budget stop is not a failure: nothing in _errors/
    assertEquals(0, SftRuns.lines(out.resolve("_errors/errors.jsonl")).size());
    assertTrue(Files.isRegularFile(out.resolve("README.md")));
    return made;
  }

  @Test
  void tokenLimitStopsPartWayAndALargerLimitFinishesPayingOnlyForTheRest() throws Exception {
    Path out = tmp.resolve("out");
    int pairs = 10;
    Cli first =
        SftRuns.run(
            server,
            out,
            "--num-pairs",
            "" + pairs,
            "--concurrency",
            "1",
            "--max-tokens-total",
            "3000");
    long made = assertStoppedPartWay(first, out, pairs);
    JsonNode stats = stats(out);
    assertTrue(stats.path("total_tokens_used").asLong() <= 3000, stats.toString());
    long sent = server.chatRequests();
    assertEquals(made, sent, "one request per pair made, none for the rest");

    Cli again =
        SftRuns.run(
            server,
            out,
            "--num-pairs",
            "" + pairs,
            "--concurrency",
            "1",
            "--max-tokens-total",
            "1000000");
    assertEquals(0, again.exitCode, again.toString());
    readable(again);
    assertFalse(again.err.contains("budget reached"), again.toString());
    assertContains(
        again.out, "resuming: " + made + " of " + pairs + " pairs already answered", again);
    assertEquals(pairs - made, server.chatRequests() - sent, "requests only for the rest");
    assertEquals(pairs, rows(out, "sft_correct.jsonl"));
    assertEquals(2 * pairs, rows(out, "sft_combined_safe.jsonl"));
    JsonNode after = stats(out);
    assertEquals(pairs, after.path("pairs_done").asLong(), after.toString());
    assertEquals(made, after.path("pairs_reused_from_journal").asLong(), after.toString());
    assertEquals(0, after.path("pairs_remaining").asLong(), after.toString());
    assertFalse(after.path("budget_reached").asBoolean(), after.toString());

    // the same dataset as a run that was never stopped
    Path whole = tmp.resolve("whole");
    Cli once = SftRuns.run(server, whole, "--num-pairs", "" + pairs, "--concurrency", "1");
    assertEquals(0, once.exitCode, once.toString());
    for (String f : List.of("sft_correct.jsonl", "sft_incorrect.jsonl", "sft_combined_safe.jsonl"))
      assertEquals(Files.readString(whole.resolve(f)), Files.readString(out.resolve(f)), f);
  }

  @Test
  void costLimitStopsPartWay() throws Exception {
    Path out = tmp.resolve("out");
    // gpt-4o-mini: about $0.0007 set aside per request (max_tokens 1024), $0.0001 paid per pair
    Cli c =
        SftRuns.run(server, out, "--num-pairs", "10", "--concurrency", "1", "--max-cost", "0.0012");
    assertStoppedPartWay(c, out, 10);
    JsonNode stats = stats(out);
    assertTrue(stats.path("cost_usd").asDouble() > 0, stats.toString());
    assertTrue(stats.path("cost_usd").asDouble() <= 0.0012, stats.toString());
  }

  @Test
  void costLimitWithAnUnpricedModelFailsFastInOneLine() throws Exception {
    Path out = tmp.resolve("out");
    long start = System.nanoTime();
    Cli c = SftRuns.run(server, out, "--num-pairs", "3", "--max-cost", "1", "--model", "my-model");
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(c.exitCode != 0, c.toString());
    readable(c);
    List<String> errors = errorLines(c);
    assertEquals(1, errors.size(), c.toString());
    assertContains(errors.get(0), "'my-model' has no price", c);
    assertTrue(ms < 10_000, ms + " ms");
    assertTrue(server.requests().isEmpty(), "sent " + server.requests().size() + " requests");
    assertFalse(Files.exists(out.resolve("README.md")));
  }
}
