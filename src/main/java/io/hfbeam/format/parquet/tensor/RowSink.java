package io.hfbeam.format.parquet.tensor;

import io.hfbeam.format.parquet.tensor.NumericColumn.Input;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The reusable row buffer of a {@link TensorParquetWriter}: set every column once, by index, then
 * call {@link #end()}. Nothing is allocated per row; values are encoded into the column's page as
 * they are set.
 *
 * <p>Tensors are passed flat in row-major order, {@code shape} product values starting at {@code
 * offset}, with the Java type of the dtype: int8 and uint8 {@code byte[]} (uint8 read as unsigned),
 * int16 {@code short[]}, int32 {@code int[]}, int64 {@code long[]}, float32 {@code float[]},
 * float64 {@code double[]}. Scalars: {@link #int32} for int8/int16/int32/uint8 (range-checked),
 * {@link #int64}, {@link #float32}, {@link #float64}, {@link #bool}, {@link #string}. {@link
 * #nullValue} makes any cell null, a whole tensor included.
 *
 * <p>A mistake (wrong type, column set twice or not at all) throws {@link IllegalArgumentException}
 * or {@link IllegalStateException}; the row is then unusable and so is the file.
 */
public final class RowSink {
  private final TensorParquetWriter writer;
  private final ColumnWriter[] columns;

  RowSink(TensorParquetWriter writer, ColumnWriter[] columns) {
    this.writer = writer;
    this.columns = columns;
  }

  public RowSink tensor(int column, byte[] src, int offset) {
    numeric(column, Input.INT8, Input.UINT8, true).tensor(src, offset);
    return this;
  }

  public RowSink tensor(int column, short[] src, int offset) {
    numeric(column, Input.INT16, Input.INT16, true).tensor(src, offset);
    return this;
  }

  public RowSink tensor(int column, int[] src, int offset) {
    numeric(column, Input.INT32, Input.INT32, true).tensor(src, offset);
    return this;
  }

  public RowSink tensor(int column, long[] src, int offset) {
    numeric(column, Input.INT64, Input.INT64, true).tensor(src, offset);
    return this;
  }

  public RowSink tensor(int column, float[] src, int offset) {
    numeric(column, Input.FLOAT32, Input.FLOAT32, true).tensor(src, offset);
    return this;
  }

  public RowSink tensor(int column, double[] src, int offset) {
    numeric(column, Input.FLOAT64, Input.FLOAT64, true).tensor(src, offset);
    return this;
  }

  /**
   * An int8, int16, int32 or uint8 scalar; values outside the dtype's range are rejected, not
   * wrapped.
   */
  public RowSink int32(int column, int value) {
    NumericColumn c = (NumericColumn) check(column, NumericColumn.class, false);
    boolean fits =
        switch (c.input) {
          case INT8 -> value == (byte) value;
          case UINT8 -> (value & ~0xFF) == 0;
          case INT16 -> value == (short) value;
          case INT32 -> true;
          default -> throw wrongType(column, "int32");
        };
    if (!fits)
      throw new IllegalArgumentException(
          value + " is out of range for " + c.shape.dtype() + " column " + c.shape.name());
    c.scalar(value);
    return this;
  }

  public RowSink int64(int column, long value) {
    numeric(column, Input.INT64, Input.INT64, false).scalar(value);
    return this;
  }

  public RowSink float32(int column, float value) {
    numeric(column, Input.FLOAT32, Input.FLOAT32, false).scalar(Float.floatToRawIntBits(value));
    return this;
  }

  public RowSink float64(int column, double value) {
    numeric(column, Input.FLOAT64, Input.FLOAT64, false).scalar(Double.doubleToRawLongBits(value));
    return this;
  }

  public RowSink bool(int column, boolean value) {
    ((BooleanColumn) check(column, BooleanColumn.class, false)).value(value);
    return this;
  }

  /** A string cell; null writes a null cell. */
  public RowSink string(int column, String value) {
    if (value == null) return nullValue(column);
    ((StringColumn) check(column, StringColumn.class, false)).value(value);
    return this;
  }

  /** A string cell given as UTF-8 bytes (not validated). */
  public RowSink string(int column, byte[] utf8, int offset, int length) {
    ((StringColumn) check(column, StringColumn.class, false)).value(utf8, offset, length);
    return this;
  }

  public RowSink nullValue(int column) {
    unset(column).nullCell();
    return this;
  }

  /** Completes the row; every column must have been set exactly once. */
  public void end() {
    try {
      writer.endRow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private NumericColumn numeric(int column, Input a, Input b, boolean tensor) {
    NumericColumn c = (NumericColumn) check(column, NumericColumn.class, tensor);
    if (c.input != a && c.input != b)
      throw wrongType(column, a.name().toLowerCase(java.util.Locale.ROOT));
    return c;
  }

  private ColumnWriter check(int column, Class<? extends ColumnWriter> kind, boolean tensor) {
    ColumnWriter c = unset(column);
    if (!kind.isInstance(c) || c.shape.scalar() == tensor)
      throw wrongType(column, tensor ? "tensor" : "scalar");
    return c;
  }

  private ColumnWriter unset(int column) {
    ColumnWriter c = columns[column];
    if (c.cells != writer.rowCount())
      throw new IllegalStateException("column " + c.shape.name() + " set twice in one row");
    return c;
  }

  private IllegalArgumentException wrongType(int column, String given) {
    ColumnWriter c = columns[column];
    return new IllegalArgumentException(
        "column "
            + c.shape.name()
            + " is "
            + c.shape.dtype()
            + (c.shape.scalar()
                ? " scalar"
                : " tensor " + java.util.Arrays.toString(c.shape.dims()))
            + "; got "
            + given);
  }
}
