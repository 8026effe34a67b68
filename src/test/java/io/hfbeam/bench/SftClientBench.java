package io.hfbeam.bench;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.hfbeam.llm.ChatRequest;
import io.hfbeam.llm.ChatResult;
import io.hfbeam.llm.OpenAiClient;
import io.hfbeam.llm.PromptFile;
import io.hfbeam.llm.RetryCause;
import io.hfbeam.llm.Stats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client-level point of bench/sft.sh (issue 14): {@link OpenAiClient} alone, without the
 * workflow, sending the paraphrase_correct request of every pair (the same requests as
 * bench/sft_async.py) from a fixed pool of C threads ({@code chat()} blocks), the client's
 * concurrency set to C. Tells whether the client reaches min(C / latency, rate limit) and how many
 * 429s its pacing lets through.
 *
 * <p>usage: {@code SftClientBench CSV PROMPT_FILE N C BASE_URL [MODEL]} with OPENAI_API_KEY set;
 * prints one JSON line (pairs, failed, 429s the client saw, seconds from the first request to the
 * last answer, pairs/s).
 */
public final class SftClientBench {
  private SftClientBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      System.err.println("usage: SftClientBench CSV PROMPT_FILE N C BASE_URL [MODEL]");
      System.exit(2);
    }
    List<Map<String, String>> rows = pairs(Path.of(args[0]), Integer.parseInt(args[2]));
    PromptFile.Task task = PromptFile.load(Path.of(args[1])).task("paraphrase_correct");
    int c = Integer.parseInt(args[3]);
    String model = args.length > 5 ? args[5] : "gpt-4o-mini";
    OpenAiClient client =
        new OpenAiClient(
            OpenAiClient.Settings.fromEnvironment().withBaseUrl(args[4]).withConcurrency(c));
    List<ChatRequest> requests = new ArrayList<>(rows.size());
    for (Map<String, String> row : rows) requests.add(task.request(row, model));

    AtomicInteger next = new AtomicInteger();
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(c);
    long t0 = System.nanoTime();
    for (int t = 0; t < c; t++) {
      pool.execute(
          () -> {
            for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
              try {
                ChatResult r = client.chat(requests.get(i));
                if (task.validate(r.content(), rows.get(i)).ok()) done.incrementAndGet();
                else failed.incrementAndGet();
              } catch (IOException | RuntimeException e) {
                failed.incrementAndGet();
                System.err.println("pair " + rows.get(i).get("Text ID") + ": " + e.getMessage());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
            }
          });
    }
    pool.shutdown();
    pool.awaitTermination(1, TimeUnit.DAYS);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Stats.Snapshot s = client.stats().snapshot();
    System.out.printf(
        Locale.ROOT,
        "{\"tool\": \"client\", \"concurrency\": %d, \"pairs\": %d, \"failed\": %d,"
            + " \"requests\": %d, \"requests_429\": %d, \"seconds\": %.3f, \"pairs_per_s\": %.3f,"
            + " \"p50_ms\": %.1f, \"p95_ms\": %.1f}%n",
        c,
        done.get(),
        failed.get(),
        s.requests(),
        s.retries(RetryCause.RATE_LIMITED),
        seconds,
        done.get() / seconds,
        s.p50Millis(),
        s.p95Millis());
    System.out.flush();
    System.exit(0);
  }

  /** The flagged rows with a corrected text (config/sft-pairing-medec.yaml's skip rules). */
  static List<Map<String, String>> pairs(Path csv, int limit) throws IOException {
    List<Map<String, String>> out = new ArrayList<>();
    try (MappingIterator<Map<String, String>> it =
        new CsvMapper()
            .readerForMapOf(String.class)
            .with(CsvSchema.emptySchema().withHeader())
            .readValues(csv.toFile())) {
      while (it.hasNext() && out.size() < limit) {
        Map<String, String> row = it.next();
        String corrected = row.getOrDefault("Corrected Text", "").trim();
        if ("1".equals(row.get("Error Flag")) && !corrected.isEmpty() && !corrected.equals("NA")) {
          out.add(row);
        }
      }
    }
    return out;
  }
}
