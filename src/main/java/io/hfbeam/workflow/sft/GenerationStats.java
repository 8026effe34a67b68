package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.llm.Budget;
import io.hfbeam.llm.Latencies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The run's statistics ({@code generation_stats.json}): each worker JVM writes its request counters
 * (requests, retries by cause, tokens, cost, a latency histogram) and each chunk its pair counts
 * into the run's statistics folder; when the dataset is assembled they are added up.
 */
public final class GenerationStats {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final String JVM = UUID.randomUUID().toString();

  private GenerationStats() {}

  /** Writes this JVM's request counters for the run (replacing its previous ones). */
  static synchronized void writeJvm(Generation g) throws IOException {
    ObjectNode n = JSON.createObjectNode();
    n.put("start_millis", g.startMillis());
    n.put("requests", g.httpRequests());
    n.put("calls", g.calls.get());
    n.put("call_failures", g.callFailures.get());
    n.put("invalid_answers", g.invalidAnswers.get());
    ObjectNode retries = n.putObject("retries");
    g.retries().forEach(retries::put);
    n.put("prompt_tokens", g.promptTokens.get());
    n.put("completion_tokens", g.completionTokens.get());
    Budget.Snapshot b = g.budget().snapshot();
    if (b.costUsd().isPresent()) n.put("cost_usd", b.costUsd().getAsDouble());
    else n.putNull("cost_usd");
    n.put("budget_reached", g.budgetReached());
    var lat = n.putArray("latency_buckets");
    for (long c : g.latency.counts()) lat.add(c);
    Path dir = Path.of(g.settings.statsDir());
    Files.createDirectories(dir);
    byte[] bytes = JSON.writeValueAsBytes(n);
    AtomicFiles.write(dir.resolve("jvm-" + JVM + ".json"), tmp -> Files.write(tmp, bytes));
  }

  /**
   * The statistics of the run from the files in {@code dir}.
   *
   * @param info what the run was (model, backend, prompt file, flags), copied in first
   * @param finishMillis when the dataset was assembled (for the wall time)
   */
  public static byte[] merge(Path dir, Map<String, Object> info, long finishMillis) {
    try {
      String[] pairKeys = {
        "records",
        "pairs_done",
        "pairs_reused",
        "pairs_failed",
        "pairs_skipped",
        "pairs_remaining",
        "pairs_beyond_num_pairs"
      };
      long[] pairs = new long[pairKeys.length];
      long requests = 0, calls = 0, callFailures = 0, invalid = 0, prompt = 0, completion = 0;
      double cost = 0;
      boolean costKnown = true;
      boolean budgetReached = false;
      long start = Long.MAX_VALUE;
      long[] latency = new long[Latencies.BUCKETS];
      Map<String, Long> retries = new TreeMap<>();
      for (Path f : list(dir, "chunk-", ".json")) {
        JsonNode n = JSON.readTree(f.toFile());
        for (int i = 0; i < pairKeys.length; i++) pairs[i] += n.path(pairKeys[i]).asLong();
      }
      for (Path f : list(dir, "jvm-", ".json")) {
        JsonNode n = JSON.readTree(f.toFile());
        start = Math.min(start, n.path("start_millis").asLong(Long.MAX_VALUE));
        requests += n.path("requests").asLong();
        calls += n.path("calls").asLong();
        callFailures += n.path("call_failures").asLong();
        invalid += n.path("invalid_answers").asLong();
        prompt += n.path("prompt_tokens").asLong();
        completion += n.path("completion_tokens").asLong();
        if (n.path("cost_usd").isNumber()) cost += n.path("cost_usd").asDouble();
        else costKnown = false;
        budgetReached |= n.path("budget_reached").asBoolean();
        n.path("retries")
            .fields()
            .forEachRemaining(e -> retries.merge(e.getKey(), e.getValue().asLong(), Long::sum));
        JsonNode lat = n.path("latency_buckets");
        for (int i = 0; i < Math.min(lat.size(), latency.length); i++)
          latency[i] += lat.get(i).asLong();
      }
      ObjectNode out = JSON.createObjectNode();
      info.forEach((k, v) -> out.set(k, JSON.valueToTree(v)));
      long done = pairs[1];
      out.put("pairs_done", done);
      out.put("pairs_reused_from_journal", pairs[2]);
      out.put("pairs_failed", pairs[3]);
      out.put("pairs_skipped", pairs[4]);
      out.put("pairs_remaining", pairs[5]);
      out.put("pairs_beyond_num_pairs", pairs[6]);
      out.put("records_read", pairs[0]);
      // the seed script's names
      out.put("correct_generated", done);
      out.put("incorrect_used", done);
      out.put("requests", requests);
      out.put("answers_received", calls - callFailures);
      out.put("invalid_answers", invalid);
      ObjectNode r = out.putObject("retries_by_cause");
      retries.forEach(r::put);
      out.put("retries", retries.values().stream().mapToLong(Long::longValue).sum());
      out.put("prompt_tokens", prompt);
      out.put("completion_tokens", completion);
      out.put("total_tokens_used", prompt + completion);
      if (costKnown) out.put("cost_usd", Math.round(cost * 1e6) / 1e6);
      else out.putNull("cost_usd");
      out.put("latency_p50_ms", Math.round(Latencies.percentile(latency, 0.50) * 10) / 10.0);
      out.put("latency_p95_ms", Math.round(Latencies.percentile(latency, 0.95) * 10) / 10.0);
      out.put(
          "wall_seconds",
          start == Long.MAX_VALUE ? 0 : Math.round((finishMillis - start) / 100.0) / 10.0);
      out.put("budget_reached", budgetReached);
      return JSON.writeValueAsBytes(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The rejected answers of every chunk, in chunk order (JSON Lines), or empty. */
  public static byte[] rejected(Path dir) {
    try {
      StringBuilder s = new StringBuilder();
      for (Path f : list(dir, "rejected-", ".jsonl"))
        s.append(Files.readString(f, StandardCharsets.UTF_8));
      return s.toString().getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> list(Path dir, String prefix, String suffix) throws IOException {
    if (!Files.isDirectory(dir)) return List.of();
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(
              p -> {
                String n = p.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(suffix);
              })
          .sorted(GenerationStats::byChunkNumber)
          .toList();
    }
  }

  /** chunk-2 before chunk-10. */
  private static int byChunkNumber(Path a, Path b) {
    String x = a.getFileName().toString(), y = b.getFileName().toString();
    Long nx = number(x), ny = number(y);
    if (nx != null && ny != null) return Long.compare(nx, ny);
    return x.compareTo(y);
  }

  private static Long number(String name) {
    String digits = name.replaceAll("^[a-z]+-", "").replaceAll("\\.[a-z]+$", "");
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
