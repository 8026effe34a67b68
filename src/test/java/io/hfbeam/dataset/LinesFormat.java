package io.hfbeam.dataset;

import io.hfbeam.hf.Features;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;

/**
 * A test part format: each record is one JSONL line, copied as is (JSONL parts are final-format
 * lines).
 */
public final class LinesFormat implements PartFormat<String> {
  static final Schema SCHEMA = Schema.builder().addStringField("text").build();

  @Override
  public Features features() {
    return Features.fromBeamSchema(SCHEMA);
  }

  @Override
  public boolean parquet() {
    return false;
  }

  @Override
  public boolean jsonl() {
    return true;
  }

  @Override
  public Writer<String> open(Path base) throws IOException {
    BufferedWriter w = Files.newBufferedWriter(Path.of(base + ".jsonl"), StandardCharsets.UTF_8);
    return new Writer<>() {
      @Override
      public void write(String record) throws IOException {
        w.write(record);
        w.write('\n');
      }

      @Override
      public long arrowBytes() {
        return 0;
      }

      @Override
      public void close() throws IOException {
        w.close();
      }
    };
  }

  @Override
  public void assembleParquet(List<Batch.Piece> pieces, Path out) {
    throw new UnsupportedOperationException("JSONL only");
  }
}
