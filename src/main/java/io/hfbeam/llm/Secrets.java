package io.hfbeam.llm;

import java.util.regex.Pattern;

/** Keeps API keys out of every message: masks the key itself and anything shaped like one. */
final class Secrets {
  // OpenAI-style keys (sk-..., sk-proj-...), also when a server echoes one back partly masked.
  private static final Pattern KEY_LIKE =
      Pattern.compile("(?<![A-Za-z0-9_-])sk-[A-Za-z0-9_*\\-]{4,}");
  private static final int MAX_LINE = 400;

  private Secrets() {}

  /** {@code text} with {@code key} (if any) and key-like tokens replaced by {@code ***}. */
  static String mask(String text, String key) {
    if (text == null) {
      return "";
    }
    String masked = text;
    if (key != null && !key.isEmpty()) {
      masked = masked.replace(key, "***");
    }
    return KEY_LIKE.matcher(masked).replaceAll("sk-***");
  }

  /** Masked, on one line, and not longer than a reader wants in an error. */
  static String oneLine(String text, String key) {
    String line = mask(text, key).replaceAll("\\s+", " ").trim();
    return line.length() <= MAX_LINE ? line : line.substring(0, MAX_LINE) + "...";
  }
}
