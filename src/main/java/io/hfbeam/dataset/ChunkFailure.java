package io.hfbeam.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import org.apache.beam.sdk.coders.BooleanCoder;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CustomCoder;
import org.apache.beam.sdk.coders.RowCoder;
import org.apache.beam.sdk.coders.VarLongCoder;
import org.apache.beam.sdk.values.Row;

/**
 * A failure record ({@link Failures#SCHEMA}) on the failure output of {@link ProcessChunks}, with
 * what orders it and completes it: its chunk, its place among the chunk's failures (0-based, in
 * emission order), and whether it is the chunk's last one (so {@link WriteFailures} knows when a
 * chunk's failures are complete without buffering them in the chunk processor). Its line (or
 * record) number counts from the chunk's start.
 */
public record ChunkFailure(long chunk, long index, boolean last, Row failure)
    implements Serializable {

  public static final Coder<ChunkFailure> CODER = new FailureCoder();

  private static final class FailureCoder extends CustomCoder<ChunkFailure> {
    private static final Coder<Row> ROW = RowCoder.of(Failures.SCHEMA);

    @Override
    public void encode(ChunkFailure f, OutputStream out) throws IOException {
      VarLongCoder.of().encode(f.chunk(), out);
      VarLongCoder.of().encode(f.index(), out);
      BooleanCoder.of().encode(f.last(), out);
      ROW.encode(f.failure(), out);
    }

    @Override
    public ChunkFailure decode(InputStream in) throws IOException {
      return new ChunkFailure(
          VarLongCoder.of().decode(in),
          VarLongCoder.of().decode(in),
          BooleanCoder.of().decode(in),
          ROW.decode(in));
    }

    @Override
    public List<? extends Coder<?>> getCoderArguments() {
      return List.of();
    }

    @Override
    public void verifyDeterministic() throws NonDeterministicException {
      ROW.verifyDeterministic();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof FailureCoder;
    }

    @Override
    public int hashCode() {
      return FailureCoder.class.hashCode();
    }
  }
}
