package io.hfbeam.beam;

import io.hfbeam.chess.ChessSample;
import io.hfbeam.chess.PositionEncoding;
import io.hfbeam.hf.Feature;
import io.hfbeam.hf.Features;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The features of a chess positions dataset, and a sample as a Row of them: the one definition the
 * chess-positions workflow's part format and the {@link GeneratePositions} transform share.
 */
public final class ChessRows {
  private ChessRows() {}

  /**
   * window: ArrayND((windowSize, *encoding shape), dtype); scalars: Sequence(int8, 3); metadata
   * when asked.
   */
  public static Features features(PositionEncoding encoding, int windowSize, boolean metadata) {
    LinkedHashMap<String, Feature> f = new LinkedHashMap<>();
    List<Integer> shape = new ArrayList<>();
    shape.add(windowSize);
    shape.addAll(encoding.shape());
    f.put("window", new Feature.ArrayND(shape, encoding.dtype()));
    f.put("scalars", new Feature.Sequence(new Feature.Value("int8"), 3));
    if (metadata) {
      f.put("game_id", new Feature.Value("string"));
      f.put("ply", new Feature.Value("int32"));
      f.put("white_elo", new Feature.Value("int16"));
      f.put("black_elo", new Feature.Value("int16"));
      f.put("result", new Feature.Value("string"));
      f.put("source_file", new Feature.Value("string"));
    }
    return Features.of(f);
  }

  /** An Elo as the int16 column holds it (clamped). */
  public static Short int16(Integer elo) {
    return elo == null ? null : (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, elo));
  }

  /** A copy of the sample as a row of {@code schema} (from {@link #features}). */
  public static Row row(
      Schema schema, PositionEncoding encoding, int windowSize, boolean metadata, ChessSample s) {
    List<Integer> shape = new ArrayList<>();
    shape.add(windowSize);
    shape.addAll(encoding.shape());
    int[] at = {0};
    Object window = nest(s, shape, 0, at);
    List<Byte> scalars = List.of(s.scalars[0], s.scalars[1], s.scalars[2]);
    Row.Builder b = Row.withSchema(schema).addValues(window, scalars);
    if (metadata) {
      b.addValues(s.gameId, s.ply, int16(s.whiteElo), int16(s.blackElo), s.result, s.sourceFile);
    }
    return b.build();
  }

  /** The flat window as nested lists of the given shape, row-major. */
  private static Object nest(ChessSample s, List<Integer> shape, int dim, int[] at) {
    int n = shape.get(dim);
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      if (dim == shape.size() - 1) {
        out.add(s.window != null ? (Object) s.window[at[0]] : (Object) s.windowLong[at[0]]);
        at[0]++;
      } else {
        out.add(nest(s, shape, dim + 1, at));
      }
    }
    return out;
  }
}
