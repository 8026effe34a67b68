package io.hfbeam.workflow.chess;

import io.hfbeam.beam.ChessRows;
import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.dataset.Batch;
import io.hfbeam.dataset.PartFormat;
import io.hfbeam.format.parquet.ParquetSettings;
import io.hfbeam.format.parquet.tensor.RowSink;
import io.hfbeam.format.parquet.tensor.TensorParquetWriter;
import io.hfbeam.hf.Features;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Chess samples written through {@link TensorParquetWriter}, the column writer for fixed-shape
 * tensors: the window, the scalars and the optional metadata columns.
 */
public final class ChessPartFormat implements PartFormat<ChessSample> {
  private final PositionEncoding encoding;
  private final int windowSize;
  private final boolean metadata;
  private final ParquetSettings parquet;
  private transient Features features;

  public ChessPartFormat(
      PositionEncoding encoding, int windowSize, boolean metadata, ParquetSettings parquet) {
    this.encoding = encoding;
    this.windowSize = windowSize;
    this.metadata = metadata;
    this.parquet = parquet;
  }

  /**
   * window: ArrayND((windowSize, *encoding shape), dtype); scalars: Sequence(int8, 3); metadata
   * when asked.
   */
  @Override
  public Features features() {
    if (features == null) features = ChessRows.features(encoding, windowSize, metadata);
    return features;
  }

  @Override
  public boolean parquet() {
    return true;
  }

  @Override
  public boolean jsonl() {
    return false;
  }

  TensorParquetWriter.Options options() {
    return TensorParquetWriter.Options.defaults()
        .codec(parquet.codec().parquet())
        .rowGroupBytes(parquet.rowGroupBytes());
  }

  /**
   * A part is the raw samples in input order (fixed-size window and scalars, then the metadata), so
   * that cutting it at a batch boundary is a read, and the Parquet encoding (the costly step)
   * happens once per batch file, in parallel across files.
   */
  @Override
  public Writer<ChessSample> open(Path base) throws IOException {
    DataOutputStream out =
        new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(raw(base)), 1 << 16));
    Frames frames = new Frames(windowSize, encoding.size(), encoding.isLong());
    long fixedArrow =
        (long) windowSize * encoding.size() * (encoding.isLong() ? 8 : 1)
            + 3
            + 4L * (windowSize + 2);
    return new Writer<>() {
      long arrow;

      @Override
      public void write(ChessSample s) throws IOException {
        frames.write(out, s);
        out.write(s.scalars);
        arrow += fixedArrow;
        if (metadata) {
          out.writeUTF(s.gameId);
          out.writeInt(s.ply);
          out.writeInt(s.whiteElo == null ? Integer.MIN_VALUE : s.whiteElo);
          out.writeInt(s.blackElo == null ? Integer.MIN_VALUE : s.blackElo);
          out.writeUTF(s.result);
          out.writeUTF(s.sourceFile);
          arrow +=
              4 + 2 + 2 + 4L * 3 + s.gameId.length() + s.result.length() + s.sourceFile.length();
        }
      }

      @Override
      public long arrowBytes() {
        return arrow;
      }

      @Override
      public void close() throws IOException {
        out.close();
      }
    };
  }

  private static Path raw(Path base) {
    return Path.of(base + ".samples");
  }

  @Override
  public void assembleParquet(List<Batch.Piece> pieces, Path out) throws IOException {
    ChessSample s = new ChessSample(windowSize * encoding.size(), encoding.isLong());
    try (TensorParquetWriter w = TensorParquetWriter.create(out, features(), options())) {
      for (Batch.Piece p : pieces) {
        Frames frames = new Frames(windowSize, encoding.size(), encoding.isLong());
        try (DataInputStream in =
            new DataInputStream(
                new BufferedInputStream(Files.newInputStream(raw(Path.of(p.base()))), 1 << 16))) {
          for (long i = 0; i < p.to(); i++) {
            read(in, s, frames);
            if (i >= p.from()) write(w.row(), s);
          }
        }
      }
    }
  }

  private void read(DataInputStream in, ChessSample s, Frames frames) throws IOException {
    frames.read(in, s);
    in.readFully(s.scalars);
    if (metadata) {
      s.gameId = in.readUTF();
      s.ply = in.readInt();
      int we = in.readInt();
      int be = in.readInt();
      s.whiteElo = we == Integer.MIN_VALUE ? null : we;
      s.blackElo = be == Integer.MIN_VALUE ? null : be;
      s.result = in.readUTF();
      s.sourceFile = in.readUTF();
    }
  }

  private void write(RowSink row, ChessSample s) {
    if (s.window != null) row.tensor(0, s.window, 0);
    else row.tensor(0, s.windowLong, 0);
    row.tensor(1, s.scalars, 0);
    if (metadata) {
      row.string(2, s.gameId).int32(3, s.ply);
      if (s.whiteElo == null) row.nullValue(4);
      else row.int32(4, Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s.whiteElo)));
      if (s.blackElo == null) row.nullValue(5);
      else row.int32(5, Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, s.blackElo)));
      row.string(6, s.result).string(7, s.sourceFile);
    }
    row.end();
  }

  /**
   * The window in a part, frame by frame (a frame is one encoded position), each either written out
   * or named as a copy: of the frame before it in this window (--window repeat: 10 copies of one
   * position) or of a frame of the previous sample's window (--window history: the window shifts by
   * a position or more). That keeps a part at about one new frame per sample instead of a whole
   * window, so the raw round trip between processing and the Parquet encoding costs little. Writer
   * and reader each keep the previous window.
   */
  static final class Frames {
    private static final int LITERAL = 0;
    private static final int OWN_PREVIOUS = 1;
    private static final int PREVIOUS_SAMPLE =
        2; // + the frame's index in the previous sample's window

    private final int frames;
    private final int per;
    private final byte[] prev;
    private final long[] prevLong;
    private final byte[] tags;
    private boolean hasPrev;

    Frames(int frames, int per, boolean longs) {
      this.frames = frames;
      this.tags = new byte[frames];
      this.per = per;
      this.prev = longs ? null : new byte[frames * per];
      this.prevLong = longs ? new long[frames * per] : null;
    }

    // A window is its W tags, then its literal frames in order: two or three calls on the stream
    // per sample rather than one per frame (each a synchronized call on the buffered stream).
    void write(DataOutputStream out, ChessSample s) throws IOException {
      for (int k = 0; k < frames; k++) tags[k] = (byte) tag(s, k);
      out.write(tags, 0, frames);
      for (int k = 0; k < frames; k++) {
        if (tags[k] != LITERAL) continue;
        if (s.window != null) {
          int run = k; // adjacent literal frames go out in one write
          while (run + 1 < frames && tags[run + 1] == LITERAL) run++;
          out.write(s.window, k * per, (run - k + 1) * per);
          k = run;
        } else {
          for (int i = k * per; i < (k + 1) * per; i++) out.writeLong(s.windowLong[i]);
        }
      }
      remember(s);
    }

    void read(DataInputStream in, ChessSample s) throws IOException {
      in.readFully(tags, 0, frames);
      for (int k = 0; k < frames; k++) {
        int tag = tags[k] & 0xFF;
        int to = k * per;
        if (tag == LITERAL) {
          if (s.window != null) in.readFully(s.window, to, per);
          else for (int i = to; i < to + per; i++) s.windowLong[i] = in.readLong();
        } else if (tag == OWN_PREVIOUS && k > 0) {
          copy(s.window, s.windowLong, to - per, s, to);
        } else if (tag >= PREVIOUS_SAMPLE && tag - PREVIOUS_SAMPLE < frames && hasPrev) {
          copy(prev, prevLong, (tag - PREVIOUS_SAMPLE) * per, s, to);
        } else {
          throw new IOException("corrupt chess part: frame tag " + tag + " at frame " + k);
        }
      }
      remember(s);
    }

    private int tag(ChessSample s, int k) {
      if (k > 0 && same(s.window, s.windowLong, (k - 1) * per, s, k)) return OWN_PREVIOUS;
      if (!hasPrev || PREVIOUS_SAMPLE + frames - 1 > 255) return LITERAL;
      for (int j = Math.min(k + 1, frames - 1);
          j < frames;
          j++) { // a shift: usually the very next frame
        if (same(prev, prevLong, j * per, s, k)) return PREVIOUS_SAMPLE + j;
      }
      for (int j = Math.min(k + 1, frames - 1) - 1; j >= 0; j--) {
        if (same(prev, prevLong, j * per, s, k)) return PREVIOUS_SAMPLE + j;
      }
      return LITERAL;
    }

    private boolean same(byte[] a, long[] aLong, int from, ChessSample s, int k) {
      int at = k * per;
      return a != null
          ? Arrays.equals(a, from, from + per, s.window, at, at + per)
          : Arrays.equals(aLong, from, from + per, s.windowLong, at, at + per);
    }

    private void copy(byte[] a, long[] aLong, int from, ChessSample s, int to) {
      if (a != null) System.arraycopy(a, from, s.window, to, per);
      else System.arraycopy(aLong, from, s.windowLong, to, per);
    }

    private void remember(ChessSample s) {
      if (prev != null) System.arraycopy(s.window, 0, prev, 0, prev.length);
      else System.arraycopy(s.windowLong, 0, prevLong, 0, prevLong.length);
      hasPrev = true;
    }
  }
}
