package io.hfbeam.chess;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stable id for a game, derived from its content and never from where it was read (file name,
 * offset, game number), so the same game gets the same id in any file, shard or re-run. That keeps
 * a seeded split by game id leak-free even when a game appears in two dumps.
 *
 * <ul>
 *   <li>{@code lichess:<8-char id>} when the Site tag is a lichess game URL: lichess ids are unique
 *       per game.
 *   <li>otherwise {@code pgn:<16 hex digits>}: a 64-bit hash of the tags (names and values, in file
 *       order), the start position and the mainline moves (as moves, so annotation marks like
 *       {@code !?} do not change it).
 * </ul>
 */
public final class GameId {
  private static final Pattern LICHESS_SITE =
      Pattern.compile("https?://(?:www\\.)?lichess\\.org/([A-Za-z0-9]{8})(?:[/?#].*)?");

  private GameId() {}

  public static String of(PgnGame game) {
    String site = game.tags().get("Site");
    if (site != null) {
      Matcher m = LICHESS_SITE.matcher(site.trim());
      if (m.matches()) return "lichess:" + m.group(1);
    }
    Hash64 h = new Hash64();
    for (Map.Entry<String, String> tag : game.tags().entrySet()) {
      h.add(tag.getKey()).add(tag.getValue());
    }
    h.add(game.startFen());
    for (int move : game.moves()) h.add(move);
    return "pgn:" + String.format("%016x", h.value());
  }

  /** Stable 64-bit hash of a string, for seeding per-game randomness from a game id. */
  static long hash(String s) {
    return new Hash64().add(s).value();
  }

  /** FNV-1a over the input, then a murmur3 finaliser so nearby inputs spread over all 64 bits. */
  private static final class Hash64 {
    private long h = 0xcbf29ce484222325L;

    Hash64 add(String s) {
      for (byte b : s.getBytes(StandardCharsets.UTF_8)) step(b);
      step(0); // separator: ("ab","c") and ("a","bc") must differ
      return this;
    }

    Hash64 add(int v) {
      for (int i = 0; i < 4; i++) step(v >>> (8 * i));
      return this;
    }

    private void step(int b) {
      h = (h ^ (b & 0xFF)) * 0x100000001b3L;
    }

    long value() {
      return Mix.mix64(h);
    }
  }
}
