package io.hfbeam.mapping;

import io.hfbeam.format.files.InputFiles;
import io.hfbeam.format.json.JsonSource;
import io.hfbeam.format.json.JsonlRowWriter;
import io.hfbeam.hf.Features;
import io.hfbeam.source.ReadPlan;
import io.hfbeam.source.ReadUnit;
import io.hfbeam.source.RowSink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.beam.sdk.values.Row;

/**
 * A Hugging Face dataset as JSON records, so a workflow that maps JSON records ({@link MapRecords}:
 * qa-export's field mapping) reads a Hub dataset as it reads JSON Lines. Each row is the JSON
 * object {@code datasets}' {@code to_json} would write; chunks are the plan's units ({@link
 * DatasetRows#chunks}); a record's "line" is its row number in the unit.
 */
public final class DatasetJsonSource implements JsonSource {
  private final ReadPlan plan;

  public DatasetJsonSource(ReadPlan plan) {
    this.plan = plan;
  }

  @Override
  public long read(InputFiles.Chunk chunk, Visitor visitor) throws IOException {
    ReadUnit unit = plan.units().get(chunk.fileIndex());
    Features features = plan.selected();
    long[] i = {0};
    RowSink sink =
        new RowSink() {
          @Override
          public void row(Row row) {
            byte[] json = JsonlRowWriter.toJsonLine(row, features).getBytes(StandardCharsets.UTF_8);
            visitor.record(json, 0, json.length, null, i[0]++, -1);
          }

          @Override
          public void failure(String where, String reason, String excerpt) {
            visitor.failure(i[0]++, -1, where + ": " + reason, excerpt);
          }
        };
    try {
      plan.read(unit, sink);
    } catch (IOException | RuntimeException e) {
      visitor.failure(
          i[0],
          -1,
          unit.where()
              + ": "
              + (e.getMessage() == null ? e.toString() : e.getMessage()).replaceAll("\\s+", " ")
              + (i[0] > 0 ? "; the " + i[0] + " rows before it are kept" : ""),
          null);
    }
    return 0;
  }
}
