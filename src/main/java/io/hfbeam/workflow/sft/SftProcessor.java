package io.hfbeam.workflow.sft;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.AtomicFiles;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.llm.Answers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;

/**
 * Reads pairs from a chunk and makes their SFT examples: each record is mapped to a pair (or
 * skipped by the pairing's rules, or a located failure), its tasks are asked on the run's shared
 * pool (as many at once as the backend's concurrency), and the examples are emitted in input order:
 * {@code incorrect}, {@code correct} and both in {@code combined}. A pair whose answers fail
 * validation is a failure with its reason; its raw answer goes to the run's rejected answers.
 */
public final class SftProcessor implements ChunkProcessor<org.apache.beam.sdk.values.Row> {
  static final String STEP = "GenerateSft";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final JsonSource source;
  private final SftSettings settings;

  public SftProcessor(JsonSource source, SftSettings settings) {
    this.source = source;
    this.settings = settings;
  }

  /** One record on its way: its place in the chunk and, unless settled at once, its future. */
  private static final class Pending {
    final long line;
    final long offset;
    final String excerpt;
    Future<Generation.PairResult> future;
    Generation.PairResult result; // skipped/failed ones are settled at once (result or failure)
    String failure;
    String skipped;
    boolean beyondLimit;

    Pending(long line, long offset, String excerpt) {
      this.line = line;
      this.offset = offset;
      this.excerpt = excerpt;
    }
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<org.apache.beam.sdk.values.Row> out)
      throws IOException {
    Generation g = Generation.of(settings);
    Counter in = Metrics.counter(STEP, "records_in");
    Counter done = Metrics.counter(STEP, "pairs_done");
    Counter failedCounter = Metrics.counter(STEP, "pairs_failed");
    ChunkCounts counts = new ChunkCounts();
    long limit = settings.limit(chunk.fileIndex());
    int window = Math.max(4, settings.backend().concurrency() * 2);
    ArrayDeque<Pending> pending = new ArrayDeque<>();
    StringBuilder rejected = new StringBuilder();
    long lines;
    try {
      lines =
          source.read(
              chunk,
              new JsonSource.Visitor() {
                long taken;

                @Override
                public void record(
                    byte[] bytes, int off, int len, JsonNode parsed, long line, long offset) {
                  counts.records++;
                  String excerpt =
                      bytes != null ? Failures.excerpt(bytes, off, len) : String.valueOf(parsed);
                  Pending p = new Pending(line, offset, excerpt);
                  try {
                    JsonNode node = parsed != null ? parsed : JSON.readTree(bytes, off, len);
                    if (node == null || !node.isObject()) {
                      p.failure = "not a JSON object";
                    } else {
                      Map<String, Object> record = fields((ObjectNode) node);
                      // a CSV row lists every header column (empty cells as null): one that lacks
                      // a column the pairing reads is short (truncated or ragged), not a pair to
                      // skip
                      if (parsed != null) p.failure = shortRow(record);
                      if (p.failure == null) p.skipped = settings.mapping().skipReason(record);
                      if (p.skipped == null && p.failure == null) p.failure = missing(record);
                      if (p.skipped == null && p.failure == null) {
                        // counted as neither skipped nor failed: --num-pairs left it out
                        if (limit >= 0 && taken >= limit) {
                          p.beyondLimit = true;
                        } else {
                          taken++;
                          p.future = g.pool().submit(() -> g.generate(record));
                        }
                      }
                    }
                  } catch (IOException e) {
                    p.failure = "invalid JSON: " + e.getMessage().split("\n")[0];
                  }
                  pending.add(p);
                  try {
                    drain(pending, window - 1, chunk, out, g, counts, rejected);
                  } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }

                @Override
                public void failure(long line, long offset, String reason, String excerpt) {
                  counts.records++;
                  Pending p = new Pending(line, offset, excerpt);
                  p.failure = reason;
                  pending.add(p);
                }
              });
      drain(pending, 0, chunk, out, g, counts, rejected);
    } catch (java.io.UncheckedIOException e) {
      cancel(pending);
      throw e.getCause();
    } catch (IOException | RuntimeException e) {
      cancel(pending);
      throw e;
    }
    g.sync();
    in.inc(counts.records);
    done.inc(counts.done);
    failedCounter.inc(counts.failed);
    counts.write(Path.of(settings.statsDir()), chunk.id(), rejected);
    GenerationStats.writeJvm(g);
    return lines;
  }

  private static void cancel(ArrayDeque<Pending> pending) {
    for (Pending p : pending) if (p.future != null) p.future.cancel(true);
  }

  /** Emits the settled head of the queue in order, waiting while more than {@code keep} wait. */
  private void drain(
      ArrayDeque<Pending> pending,
      int keep,
      InputFiles.Chunk chunk,
      Emitter<org.apache.beam.sdk.values.Row> out,
      Generation g,
      ChunkCounts counts,
      StringBuilder rejected)
      throws IOException {
    while (!pending.isEmpty()) {
      Pending head = pending.peek();
      if (head.future != null && !head.future.isDone() && pending.size() <= keep) return;
      pending.poll();
      if (head.future != null) {
        try {
          head.result = head.future.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof Answers.FatalBackendException f) {
            throw new IOException(f.getMessage(), f);
          }
          head.failure =
              "pair failed: "
                  + (cause.getMessage() == null ? cause.toString() : cause.getMessage());
        }
      }
      emit(head, chunk, out, g, counts, rejected);
    }
  }

  private void emit(
      Pending p,
      InputFiles.Chunk chunk,
      Emitter<org.apache.beam.sdk.values.Row> out,
      Generation g,
      ChunkCounts counts,
      StringBuilder rejected)
      throws IOException {
    if (p.skipped != null) {
      counts.skipped++;
      return;
    }
    if (p.beyondLimit) {
      counts.beyondLimit++;
      return;
    }
    if (p.failure != null) {
      counts.failed++;
      out.failure(
          Failures.of(chunk.path(), p.line + 1, offset(p), null, STEP, p.failure, p.excerpt));
      return;
    }
    Generation.PairResult r = p.result;
    g.finished(r);
    switch (r.kind()) {
      case DONE -> {
        counts.done++;
        if (r.reused()) counts.reused++;
        out.record("incorrect", r.incorrect());
        out.record("correct", r.correct());
        boolean incorrectFirst =
            SftExamples.incorrectFirst(settings.seed() == null ? 0 : settings.seed(), r.sourceId());
        out.record("combined", incorrectFirst ? r.incorrect() : r.correct());
        out.record("combined", incorrectFirst ? r.correct() : r.incorrect());
      }
      case REMAINING -> counts.remaining++;
      case FAILED -> {
        counts.failed++;
        out.failure(
            Failures.of(
                chunk.path(),
                p.line + 1,
                offset(p),
                null,
                STEP,
                "pair " + r.sourceId() + ", task " + r.task() + ": " + r.reason(),
                r.rawAnswer() != null ? r.rawAnswer() : p.excerpt));
        ObjectNode line = JSON.createObjectNode();
        line.put("source", chunk.path());
        line.put("line", p.line + 1);
        line.put("source_id", r.sourceId());
        line.put("task", r.task());
        line.put("attempts", r.attempts());
        line.put("reason", r.reason());
        line.put("answer", r.rawAnswer());
        rejected.append(JSON.writeValueAsString(line)).append('\n');
      }
    }
  }

  private static Long offset(Pending p) {
    return p.offset < 0 ? null : p.offset;
  }

  /** The record's values as the templates see them: scalars as text, nested values as JSON. */
  static Map<String, Object> fields(ObjectNode node) {
    Map<String, Object> out = new LinkedHashMap<>();
    node.fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              out.put(e.getKey(), v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
            });
    return out;
  }

  /** The first column the pairing reads that a CSV row lacks, as a failure reason; or null. */
  private String shortRow(Map<String, Object> record) {
    for (String column : settings.mapping().columnsRead()) {
      if (!record.containsKey(column)) {
        return "a short row: no column '"
            + column
            + "' ("
            + record.size()
            + " fields; the file may be truncated or the row ragged)";
      }
    }
    return null;
  }

  /** Why a pair cannot be made from the record (a role's column absent or empty), or null. */
  private String missing(Map<String, Object> record) {
    for (String role : new String[] {"id", "incorrect", "correct"}) {
      String column = settings.mapping().column(role);
      Object v = record.get(column);
      if (v == null || v.toString().isBlank()) {
        return "no value in column '" + column + "' (the pair's " + role + ")";
      }
    }
    return null;
  }

  /** One chunk's pair counts, written once the chunk is done (a replayed chunk overwrites). */
  static final class ChunkCounts {
    long records;
    long done;
    long reused;
    long failed;
    long skipped;
    long remaining;
    long beyondLimit;

    void write(Path dir, long chunkId, StringBuilder rejected) throws IOException {
      Files.createDirectories(dir);
      ObjectNode n = JSON.createObjectNode();
      n.put("records", records);
      n.put("pairs_done", done);
      n.put("pairs_reused", reused);
      n.put("pairs_failed", failed);
      n.put("pairs_skipped", skipped);
      n.put("pairs_remaining", remaining);
      n.put("pairs_beyond_num_pairs", beyondLimit);
      byte[] bytes = JSON.writeValueAsBytes(n);
      AtomicFiles.write(dir.resolve("chunk-" + chunkId + ".json"), tmp -> Files.write(tmp, bytes));
      byte[] rej = rejected.toString().getBytes(StandardCharsets.UTF_8);
      AtomicFiles.write(
          dir.resolve("rejected-" + chunkId + ".jsonl"), tmp -> Files.write(tmp, rej));
    }
  }
}
