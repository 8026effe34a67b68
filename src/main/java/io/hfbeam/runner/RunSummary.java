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
 * What each step did, from the Beam counters the steps keep (namespace = step; names records_in, records_out,
 * records_failed, files_written, bytes_written, bytes_in), printed as one table at the end of every run.
 */
public final class RunSummary {
  static final String[] COLUMNS = {"records_in", "records_out", "records_failed", "files_written", "bytes_written"};
  private static final String BEAM_LATE_DROPS = "org.apache.beam.runners.core.StatefulDoFnRunner";
  private final Map<String, Map<String, Long>> counters;
  private final double seconds;

  RunSummary(Map<String, Map<String, Long>> counters, double seconds) {
    this.counters = counters;
    this.seconds = seconds;
  }

  public static RunSummary of(PipelineResult result, double seconds) {
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
    return new RunSummary(counters, seconds);
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

  public String table() {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"step", "in", "out", "failed", "files", "bytes"});
    List<String> notes = new ArrayList<>();
    for (Map.Entry<String, Map<String, Long>> step : counters.entrySet()) {
      Map<String, Long> m = step.getValue();
      String[] row = new String[COLUMNS.length + 1];
      row[0] = step.getKey();
      for (int i = 0; i < COLUMNS.length; i++) {
        Long v = m.get(COLUMNS[i]);
        if (v == null && COLUMNS[i].equals("bytes_written")) v = m.get("bytes_in");
        row[i + 1] = v == null ? "" : String.format("%,d", v);
      }
      rows.add(row);
      m.forEach((k, v) -> {
        if (!List.of(COLUMNS).contains(k) && !k.equals("bytes_in")) notes.add(step.getKey() + "." + k + " = " + String.format("%,d", v));
      });
    }
    int[] w = new int[rows.get(0).length];
    for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < rows.size(); j++) {
      String[] r = rows.get(j);
      for (int i = 0; i < r.length; i++) {
        sb.append(i == 0 ? String.format("%-" + w[i] + "s", r[i]) : String.format("  %" + w[i] + "s", r[i]));
      }
      sb.append('\n');
      if (j == 0) sb.append("-".repeat(sb.length() - 1)).append('\n');
    }
    for (String n : notes) sb.append("  ").append(n).append('\n');
    sb.append(String.format("time: %.1f s%n", seconds));
    return sb.toString();
  }
}
