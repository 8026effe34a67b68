package io.hfbeam.chess;

/** Square numbering used everywhere: a1 = 0, b1 = 1, ..., h1 = 7, a2 = 8, ..., h8 = 63. */
public final class Squares {
  private Squares() {}

  public static String name(int square) {
    return "" + (char) ('a' + (square & 7)) + (char) ('1' + (square >> 3));
  }

  /** Parses {@code e4}-style names; returns -1 for anything else. */
  public static int parse(CharSequence s) {
    if (s.length() != 2) return -1;
    int f = s.charAt(0) - 'a', r = s.charAt(1) - '1';
    return f >= 0 && f < 8 && r >= 0 && r < 8 ? r * 8 + f : -1;
  }
}
