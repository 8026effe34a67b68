package io.hfbeam.llm;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code textwrap.dedent} (CPython 3.11), which instructor applies to every message it
 * renders from a template, so Kura's prompts reach the model through it: lines of only spaces and
 * tabs become empty, then the whitespace prefix common to the other lines is removed. Lines end at
 * {@code \n} only, as in Python's regular expressions.
 */
public final class Dedent {
  private static final Pattern WHITESPACE_ONLY =
      Pattern.compile("^[ \\t]+$", Pattern.MULTILINE | Pattern.UNIX_LINES);
  private static final Pattern LEADING =
      Pattern.compile("(^[ \\t]*)(?:[^ \\t\\n])", Pattern.MULTILINE | Pattern.UNIX_LINES);

  private Dedent() {}

  public static String apply(String text) {
    text = WHITESPACE_ONLY.matcher(text).replaceAll("");
    String margin = null;
    Matcher m = LEADING.matcher(text);
    while (m.find()) {
      String indent = m.group(1);
      if (margin == null) {
        margin = indent;
      } else if (indent.startsWith(margin)) {
        // deeper: the margin stands
      } else if (margin.startsWith(indent)) {
        margin = indent;
      } else {
        // no common prefix beyond the first difference (a tab against a space, say)
        int i = 0;
        while (i < margin.length() && i < indent.length() && margin.charAt(i) == indent.charAt(i)) {
          i++;
        }
        margin = margin.substring(0, i);
      }
    }
    if (margin == null || margin.isEmpty()) return text;
    return Pattern.compile("^" + Pattern.quote(margin), Pattern.MULTILINE | Pattern.UNIX_LINES)
        .matcher(text)
        .replaceAll("");
  }
}
