package io.hfbeam.llm;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.text.similarity.LongestCommonSubsequence;

/**
 * thefuzz's {@code fuzz.ratio} (0.22, over rapidfuzz; python-Levenshtein's {@code ratio} times 100
 * gives the same): the Indel similarity of two strings in percent, {@code 100 * 2 * LCS / (len1 +
 * len2)}, rounded half to even as Python's {@code round} does. Lengths count code points, as Python
 * strings do. Kura accepts an LLM's cluster label that scores 90 or more against a candidate.
 */
public final class Fuzz {
  private static final LongestCommonSubsequence LCS = new LongestCommonSubsequence();

  private Fuzz() {}

  /** {@code thefuzz.fuzz.ratio(a, b)}: 0..100. */
  public static int ratio(String a, String b) {
    int[] x = a.codePoints().toArray();
    int[] y = b.codePoints().toArray();
    int lensum = x.length + y.length;
    if (lensum == 0) return 100;
    int lcs = lcs(x, y);
    // rapidfuzz's arithmetic, so a .5 rounds the same way: 1 - dist / lensum, times 100
    double normDist = (double) (lensum - 2 * lcs) / lensum;
    return (int) Math.rint((1.0 - normDist) * 100);
  }

  /**
   * Kura's {@code ClusterLabel} rule: the answer itself when it is one of the candidates, else the
   * first candidate whose ratio with it is at least {@code threshold}, else empty.
   */
  public static Optional<String> choose(String answer, List<String> candidates, int threshold) {
    if (candidates.contains(answer)) return Optional.of(answer);
    for (String c : candidates) {
      if (ratio(answer, c) >= threshold) return Optional.of(c);
    }
    return Optional.empty();
  }

  /** The best ratio of {@code answer} against the candidates (0 for none), for messages. */
  public static int best(String answer, List<String> candidates) {
    int best = 0;
    for (String c : candidates) best = Math.max(best, ratio(answer, c));
    return best;
  }

  // commons-text compares UTF-16 chars; each distinct code point is given one char of its own so
  // a character outside the BMP counts once, as in Python
  private static int lcs(int[] x, int[] y) {
    Map<Integer, Character> ids = new HashMap<>();
    String a = remap(x, ids);
    String b = remap(y, ids);
    return LCS.apply(a, b);
  }

  private static String remap(int[] cps, Map<Integer, Character> ids) {
    StringBuilder s = new StringBuilder(cps.length);
    for (int cp : cps) {
      Character c = ids.get(cp);
      if (c == null) {
        if (ids.size() > Character.MAX_VALUE) {
          throw new IllegalArgumentException("too many distinct characters to compare");
        }
        c = (char) ids.size();
        ids.put(cp, c);
      }
      s.append(c.charValue());
    }
    return s.toString();
  }
}
