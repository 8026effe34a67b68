package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.Bytes;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.statistics.Statistics;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/** A scalar bool column: PLAIN, one bit per value, least significant bit first. */
final class BooleanColumn extends ColumnWriter {
  private final Bytes bits = new Bytes(1024);
  private int pending;
  private int pendingBits;

  BooleanColumn(
      TensorShape shape, ColumnDescriptor descriptor, CompressionCodecName codec, int zstdLevel) {
    super(shape, descriptor, codec, zstdLevel);
  }

  void value(boolean v) {
    beginCell();
    if (v) pending |= 1 << pendingBits;
    if (++pendingBits == 8) {
      bits.write(pending);
      pending = 0;
      pendingBits = 0;
    }
  }

  @Override
  long valuesSize() {
    return bits.size + 1;
  }

  @Override
  Encoding writeValues(Bytes page) {
    page.write(bits);
    if (pendingBits > 0) page.write(pending);
    bits.reset();
    pending = 0;
    pendingBits = 0;
    return Encoding.PLAIN;
  }

  @Override
  int writeDictionary(Bytes out) {
    return 0;
  }

  @Override
  void addMinMax(Statistics<?> stats) {}

  @Override
  void resetChunk() {}
}
