package io.hfbeam.beam;

import io.hfbeam.chess.PgnGame;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.beam.sdk.coders.AtomicCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.coders.VarIntCoder;
import org.apache.beam.sdk.coders.VarLongCoder;

/**
 * Encodes a {@link PgnGame} with its tags in file order (the game id hashes them in that order).
 */
public final class PgnGameCoder extends AtomicCoder<PgnGame> {
  private static final PgnGameCoder INSTANCE = new PgnGameCoder();
  private static final StringUtf8Coder STRING = StringUtf8Coder.of();
  private static final VarLongCoder LONG = VarLongCoder.of();
  private static final VarIntCoder INT = VarIntCoder.of();

  private PgnGameCoder() {}

  public static PgnGameCoder of() {
    return INSTANCE;
  }

  @Override
  public void encode(PgnGame g, OutputStream out) throws IOException {
    LONG.encode(g.gameNumber(), out);
    LONG.encode(g.byteOffset(), out);
    INT.encode(g.tags().size(), out);
    for (Map.Entry<String, String> e : g.tags().entrySet()) {
      STRING.encode(e.getKey(), out);
      STRING.encode(e.getValue(), out);
    }
    STRING.encode(g.startFen(), out);
    INT.encode(g.sanMoves().size(), out);
    for (String san : g.sanMoves()) STRING.encode(san, out);
    DataOutputStream data = new DataOutputStream(out);
    INT.encode(g.moves().length, out);
    for (int m : g.moves()) data.writeInt(m);
    data.flush();
    STRING.encode(g.result(), out);
  }

  @Override
  public PgnGame decode(InputStream in) throws IOException {
    long number = LONG.decode(in);
    long offset = LONG.decode(in);
    int nTags = INT.decode(in);
    LinkedHashMap<String, String> tags = new LinkedHashMap<>();
    for (int i = 0; i < nTags; i++) tags.put(STRING.decode(in), STRING.decode(in));
    String fen = STRING.decode(in);
    int nSan = INT.decode(in);
    List<String> san = new ArrayList<>(nSan);
    for (int i = 0; i < nSan; i++) san.add(STRING.decode(in));
    int nMoves = INT.decode(in);
    DataInputStream data = new DataInputStream(in);
    int[] moves = new int[nMoves];
    for (int i = 0; i < nMoves; i++) moves[i] = data.readInt();
    String result = STRING.decode(in);
    return new PgnGame(
        number,
        offset,
        Collections.unmodifiableMap(tags),
        fen,
        Collections.unmodifiableList(san),
        moves,
        result);
  }

  @Override
  public void verifyDeterministic() {}
}
