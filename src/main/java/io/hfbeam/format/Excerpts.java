package io.hfbeam.format;

import java.nio.charset.StandardCharsets;

/** Short, bounded excerpts of input for failure records: a bad line may be megabytes long. */
public final class Excerpts {
  /** The longest excerpt, in characters. */
  public static final int CHARS = 200;

  private Excerpts() {}

  /**
   * The first {@link #CHARS} characters of {@code text}, never cutting a surrogate pair, with "..."
   * when cut.
   */
  public static String of(String text) {
    if (text == null) return null;
    if (text.length() <= CHARS) return text;
    int end = Character.isHighSurrogate(text.charAt(CHARS - 1)) ? CHARS - 1 : CHARS;
    return text.substring(0, end) + "...";
  }

  /** The excerpt of UTF-8 bytes, decoding no more of them than it keeps. */
  public static String of(byte[] bytes, int off, int len) {
    int take = Math.min(len, 4 * CHARS); // enough for CHARS characters of any width
    String s = new String(bytes, off, take, StandardCharsets.UTF_8);
    return take == len || s.length() > CHARS ? of(s) : s + "...";
  }
}
