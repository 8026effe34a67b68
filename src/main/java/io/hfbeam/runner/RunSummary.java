package io.hfbeam.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.metrics.MetricQueryResults;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.MetricsFilter;

/**
 * What each step did, from the Beam counters the steps keep (namespace = step; names records_in,
 * records_out, records_failed, files_written, bytes_written, bytes_in), printed as one table at the
 * end of every run.
 */
public final class RunSummary {
  static final String[] COLUMNS = {
    "records_in", "records_out", "records_failed", "files_written", "bytes_written"
  };
  private static final String BEAM_LATE_DROPS = "org.apache.beam.runners.core.StatefulDoFnRunner";
  private final Map<String, Map<String, Long>> counters;
  private final double seconds;
  private final List<String> order;

  /**
   * @param order the steps in pipeline order; steps not in it are listed after, by name
   */
  RunSummary(Map<String, Map<String, Long>> counters, double seconds, List<String> order) {
    this.counters = counters;
    this.seconds = seconds;
    this.order = List.copyOf(order);
  }

  public static RunSummary of(PipelineResult result, double seconds) {
    return of(result, seconds, List.of());
  }

  /**
   * @param order the workflow's steps in pipeline order (counter namespaces), for the table
   */
  public static RunSummary of(PipelineResult result, double seconds, List<String> order) {
    Map<String, Map<String, Long>> counters = new TreeMap<>();
    MetricQueryResults q = result.metrics().queryMetrics(MetricsFilter.builder().build());
    for (MetricResult<Long> c : q.getCounters()) {
      long v = value(c);
      String step = c.getName().getNamespace();
      String name = c.getName().getName();
      if (step.equals(BEAM_LATE_DROPS)) {
        // after a restore, Beam drops the copies a Flink source re-emits behind the final watermark
        step = "restore";
        name = "replayed_inputs_dropped";
      }
      counters.computeIfAbsent(step, k -> new TreeMap<>()).merge(name, v, Long::sum);
    }
    return new RunSummary(counters, seconds, order);
  }

  private static long value(MetricResult<Long> c) {
    try {
      Long committed = c.getCommitted();
      if (committed != null) return committed;
    } catch (UnsupportedOperationException e) {
      // some runners only report attempted values
    }
    Long attempted = c.getAttempted();
    return attempted == null ? 0 : attempted;
  }

  public long get(String step, String name) {
    return counters.getOrDefault(step, Map.of()).getOrDefault(name, 0L);
  }

  /** Records failed in any step. */
  public long totalFailed() {
    return counters.values().stream().mapToLong(m -> m.getOrDefault("records_failed", 0L)).sum();
  }

  public double seconds() {
    return seconds;
  }

  /** The counters of a namespace by name (empty when it counted nothing). */
  public Map<String, Long> counters(String namespace) {
    return Map.copyOf(counters.getOrDefault(namespace, Map.of()));
  }

  /**
   * The steps that counted something, in pipeline order; namespaces starting with _ are checks, not
   * steps.
   */
  List<String> steps() {
    List<String> steps = new ArrayList<>();
    for (String s : order) if (counters.containsKey(s)) steps.add(s);
    for (String s : counters.keySet())
      if (!steps.contains(s) && !s.startsWith("_") && !s.startsWith("org.apache.beam.")) {
        steps.add(s); // Beam's own counters (a join's key count) are not steps
      }
    return steps;
  }

  /**
   * One row per step in pipeline order; what a step counted beyond the columns goes in its last
   * column.
   */
  public String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"step", "in", "out", "failed", "files", "bytes", ""});
    for (String step : steps()) {
      Map<String, Long> m = counters.get(step);
      String[] row = new String[COLUMNS.length + 2];
      row[0] = step;
      for (int i = 0; i < COLUMNS.length; i++) {
        Long v = m.get(COLUMNS[i]);
        if (v == null && COLUMNS[i].equals("bytes_written")) v = m.get("bytes_in");
        row[i + 1] = v == null ? "" : String.format("%,d", v);
      }
      List<String> notes = new ArrayList<>();
      m.forEach(
          (k, v) -> {
            if (!List.of(COLUMNS).contains(k) && !k.equals("bytes_in"))
              notes.add(k + " " + String.format("%,d", v));
          });
      row[COLUMNS.length + 1] = String.join(", ", notes);
      rows.add(row);
    }
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
    StringBuilder sb = new StringBuilder();
    int last = w.length - 1;
    for (int j = 0; j < rows.size(); j++) {
      String[] r = rows.get(j);
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < last; i++) {
        line.append(
            i == 0
                ? String.format("%-" + w[i] + "s", r[i])
                : String.format("  %" + w[i] + "s", r[i]));
      }
      if (!r[last].isEmpty()) line.append("  ").append(r[last]); // the notes, left-aligned and last
      sb.append(line.toString().stripTrailing()).append('\n');
      if (j == 0) sb.append("-".repeat(Math.max(line.length(), 1))).append('\n');
    }
    sb.append(String.format("time: %.1f s%n", seconds));
    return sb.toString();
  }
}
