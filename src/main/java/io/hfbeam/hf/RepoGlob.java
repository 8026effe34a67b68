package io.hfbeam.hf;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A glob over repo-relative paths with the semantics {@code datasets} gets from fsspec (2023.12 or
 * later): {@code **} as a whole segment spans directories, {@code *} and {@code ?} stay inside one
 * segment (a lone {@code *} segment needs at least one character), {@code [..]} classes as in
 * fnmatch. Ported from fsspec's {@code glob_translate}, which copies CPython's {@code
 * glob.translate}.
 */
final class RepoGlob {
  private static final String NOT_SEP = "[^/]";

  private final String glob;
  private final Pattern regex;

  private RepoGlob(String glob, Pattern regex) {
    this.glob = glob;
    this.regex = regex;
  }

  static RepoGlob of(String glob) {
    String[] parts = glob.split("/", -1);
    StringBuilder re = new StringBuilder();
    int last = parts.length - 1;
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (part.equals("*")) {
        re.append(i < last ? NOT_SEP + "+/" : NOT_SEP + "+");
        continue;
      }
      if (part.equals("**")) {
        re.append(i < last ? "(?:.+/)?" : ".*");
        continue;
      }
      if (part.contains("**")) {
        throw new IllegalArgumentException(
            "invalid pattern '" + glob + "': '**' can only be an entire path component");
      }
      if (!part.isEmpty()) translatePart(part, re);
      if (i < last) re.append('/');
    }
    return new RepoGlob(glob, Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  boolean matches(String path) {
    return regex.matcher(path).matches();
  }

  String glob() {
    return glob;
  }

  /** True when the text has a glob character, as Python's {@code glob.has_magic} decides. */
  static boolean hasMagic(String s) {
    return s.indexOf('*') >= 0 || s.indexOf('?') >= 0 || s.indexOf('[') >= 0;
  }

  /** fnmatch's translation of one segment ({@code *} there may match nothing). */
  private static void translatePart(String pat, StringBuilder out) {
    int i = 0;
    int n = pat.length();
    boolean lastWasStar = false;
    while (i < n) {
      char c = pat.charAt(i++);
      if (c == '*') {
        if (!lastWasStar) out.append(NOT_SEP).append('*');
        lastWasStar = true;
        continue;
      }
      lastWasStar = false;
      if (c == '?') {
        out.append(NOT_SEP);
      } else if (c == '[') {
        int j = i;
        if (j < n && pat.charAt(j) == '!') j++;
        if (j < n && pat.charAt(j) == ']') j++;
        while (j < n && pat.charAt(j) != ']') j++;
        if (j >= n) {
          out.append("\\[");
        } else {
          out.append(charClass(pat, i, j));
          i = j + 1;
        }
      } else {
        out.append(literal(c));
      }
    }
  }

  /** The class between {@code pat[i]} and the closing bracket at {@code j}, as fnmatch reads it. */
  private static String charClass(String pat, int i, int j) {
    boolean negate = pat.charAt(i) == '!';
    List<String> chunks = new ArrayList<>();
    String stuff = pat.substring(i, j);
    if (stuff.indexOf('-') < 0) {
      chunks.add(stuff);
    } else {
      // Split on the hyphens that make ranges; a hyphen right after '[' or '[!' is literal.
      int k = negate ? i + 2 : i + 1;
      int start = i;
      while (true) {
        k = pat.indexOf('-', k);
        if (k < 0 || k >= j) break;
        chunks.add(pat.substring(start, k));
        start = k + 1;
        k = k + 3;
      }
      String chunk = pat.substring(start, j);
      if (!chunk.isEmpty()) {
        chunks.add(chunk);
      } else {
        chunks.set(chunks.size() - 1, chunks.get(chunks.size() - 1) + "-");
      }
      // Remove empty ranges (a-b with a > b), as fnmatch does.
      for (int m = chunks.size() - 1; m > 0; m--) {
        String prev = chunks.get(m - 1);
        String cur = chunks.get(m);
        if (prev.charAt(prev.length() - 1) > cur.charAt(0)) {
          chunks.set(m - 1, prev.substring(0, prev.length() - 1) + cur.substring(1));
          chunks.remove(m);
        }
      }
    }
    String raw = String.join("-", chunks);
    if (raw.isEmpty()) return "(?!)";
    if (raw.equals("!")) return ".";
    StringBuilder cls = new StringBuilder("[");
    int from = 0;
    if (negate) {
      cls.append('^');
      from = 1;
    }
    // Each chunk's characters are literals; the hyphens joining chunks are range operators.
    int pos = 0;
    for (int c = 0; c < chunks.size(); c++) {
      String ch = chunks.get(c);
      for (int x = 0; x < ch.length(); x++, pos++) {
        if (pos < from) continue;
        cls.append(classLiteral(ch.charAt(x)));
      }
      if (c < chunks.size() - 1) {
        cls.append('-');
        pos++;
      }
    }
    return cls.append(']').toString();
  }

  // A backslash before a letter is an error in Java regex, and a surrogate half must stay next to
  // its pair; every other character is escaped.
  private static String classLiteral(char c) {
    return Character.isLetterOrDigit(c) || Character.isSurrogate(c) ? String.valueOf(c) : "\\" + c;
  }

  private static String literal(char c) {
    return Character.isLetterOrDigit(c) || Character.isSurrogate(c) || c == '_'
        ? String.valueOf(c)
        : "\\" + c;
  }
}
