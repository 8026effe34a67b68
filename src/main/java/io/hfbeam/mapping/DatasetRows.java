package io.hfbeam.mapping;

import io.hfbeam.dataset.ChunkProcessor;
import io.hfbeam.dataset.Failures;
import io.hfbeam.format.files.InputFiles;
import io.hfbeam.hf.Features;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.values.Row;

/**
 * Reads one unit of a Hugging Face dataset (a Hub repo or a local directory read as {@code
 * datasets} reads it) and assigns each row a split. A workflow's chunks are the plan's units, one
 * per chunk, numbered by the chunk's file index; see {@link #chunks}.
 */
public final class DatasetRows implements ChunkProcessor<Row> {
  private final ReadPlan plan;
  private final Split.Settings split;

  public DatasetRows(ReadPlan plan, Split.Settings split) {
    this.plan = plan;
    this.split = split;
  }

  /** One chunk per unit of the plan, in its order; the chunk names the unit for messages. */
  public static List<InputFiles.Chunk> chunks(ReadPlan plan) {
    List<InputFiles.Chunk> out = new ArrayList<>();
    List<ReadUnit> units = plan.units();
    for (int i = 0; i < units.size(); i++) {
      ReadUnit u = units.get(i);
      // the byte count the engine reports as read: a range's size, else unknown (0)
      long start = u.isByteRange() ? u.start() : 0;
      long end = u.isByteRange() ? u.end() : 0;
      out.add(
          new InputFiles.Chunk(
              plan.files().describe() + ":" + u.where(), i, 0, start, end, true, u.path()));
    }
    return out;
  }

  @Override
  public long process(InputFiles.Chunk chunk, Emitter<Row> out) throws IOException {
    Counter in = Metrics.counter("read", "records_in");
    ReadUnit unit = plan.units().get(chunk.fileIndex());
    Features features = plan.selected();
    Split.Assigner assigner = split.assigner(features.beamSchema());
    String key = unit.where() + ":";
    long[] i = {0};
    RowSink sink =
        new RowSink() {
          @Override
          public void row(Row row) {
            in.inc();
            String bad = ParquetRows.nonFinite(row);
            if (bad != null) {
              out.failure(
                  Failures.of(
                      chunk.path(),
                      null,
                      null,
                      i[0]++,
                      "ReadDataset",
                      bad + " is NaN or infinite, which JSON cannot hold",
                      null));
              return;
            }
            out.record(assigner.assign(row, key + i[0]++), row);
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            out.failure(
                Failures.of(
                    plan.files().describe() + ":" + where,
                    null,
                    null,
                    null,
                    "ReadDataset",
                    reason,
                    excerpt == null || excerpt.isEmpty() ? null : excerpt));
          }
        };
    try {
      plan.read(unit, sink);
    } catch (IOException | RuntimeException e) {
      // the unit stops here: the rows before are kept, the rest is one located failure
      out.failure(
          Failures.of(
              chunk.path(),
              null,
              null,
              i[0],
              "ReadDataset",
              (e.getMessage() == null ? e.toString() : e.getMessage()).replaceAll("\\s+", " ")
                  + (i[0] > 0 ? "; the " + i[0] + " rows before it are kept" : ""),
              null));
    }
    return 0;
  }
}
