package io.hfbeam.transform;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.Objects;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Where a record sits in the dataset: its split, its batch, and its stable position in the input
 * ({@code chunk} orders input pieces across files, {@code ordinal} orders records inside a piece). Sorting by
 * (chunk, ordinal) restores input order on any runner, which is what makes outputs byte-identical across runs.
 */
public final class RecordKey implements Serializable, Comparable<RecordKey> {
  public static final String NO_SPLIT = "";
  public static final long NO_BATCH = -1;

  private final String split;
  private final long batch;
  private final long chunk;
  private final long ordinal;

  private RecordKey(String split, long batch, long chunk, long ordinal) {
    this.split = split;
    this.batch = batch;
    this.chunk = chunk;
    this.ordinal = ordinal;
  }

  public static RecordKey of(long chunk, long ordinal) {
    return new RecordKey(NO_SPLIT, NO_BATCH, chunk, ordinal);
  }

  public RecordKey withSplit(String newSplit) {
    return new RecordKey(newSplit, batch, chunk, ordinal);
  }

  public RecordKey withBatch(long newBatch) {
    return new RecordKey(split, newBatch, chunk, ordinal);
  }

  public String split() {
    return split;
  }

  public long batch() {
    return batch;
  }

  public long chunk() {
    return chunk;
  }

  public long ordinal() {
    return ordinal;
  }

  @Override
  public int compareTo(RecordKey o) {
    int c = Long.compare(chunk, o.chunk);
    return c != 0 ? c : Long.compare(ordinal, o.ordinal);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RecordKey k
        && k.batch == batch && k.chunk == chunk && k.ordinal == ordinal && k.split.equals(split);
  }

  @Override
  public int hashCode() {
    return Objects.hash(split, batch, chunk, ordinal);
  }

  @Override
  public String toString() {
    return split + "/" + batch + "@" + chunk + ":" + ordinal;
  }

  /** Deterministic coder, so a RecordKey (or a key derived from it) can be grouped on. */
  public static final class Coder extends AtomicCoder<RecordKey> {
    private static final Coder INSTANCE = new Coder();

    public static Coder of() {
      return INSTANCE;
    }

    @Override
    public void encode(RecordKey k, OutputStream out) throws IOException {
      StringUtf8Coder.of().encode(k.split, out);
      VarLongCoder.of().encode(k.batch + 1, out);
      VarLongCoder.of().encode(k.chunk, out);
      VarLongCoder.of().encode(k.ordinal, out);
    }

    @Override
    public RecordKey decode(InputStream in) throws IOException {
      String split = StringUtf8Coder.of().decode(in);
      long batch = VarLongCoder.of().decode(in) - 1;
      return new RecordKey(split, batch, VarLongCoder.of().decode(in), VarLongCoder.of().decode(in));
    }

    @Override
    public void verifyDeterministic() {}
  }
}
