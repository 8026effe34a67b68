package io.hfbeam.explorer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The filters of a view, from the query string: {@code lang=english}, {@code frustration=4-5},
 * {@code concerning=1-2} (a range or one value, 1..5; a filter on a score leaves out conversations
 * without one), {@code meta=key:value} (repeatable, all must hold). A malformed value is a 400 with
 * the parameter named, never a silently ignored filter.
 */
record Filters(String language, int[] frustration, int[] concerning, List<String[]> metadata) {
  static final Filters NONE = new Filters(null, null, null, List.of());

  static Filters parse(Map<String, List<String>> query) {
    String lang = first(query, "lang");
    if (lang != null && lang.isBlank()) lang = null;
    List<String[]> meta = new ArrayList<>();
    for (String m : query.getOrDefault("meta", List.of())) {
      if (m.isEmpty()) continue;
      int colon = m.indexOf(':');
      if (colon <= 0) throw new ApiException(400, "meta: expected key:value, got '" + m + "'");
      meta.add(new String[] {m.substring(0, colon), m.substring(colon + 1)});
    }
    return new Filters(
        lang,
        range(first(query, "frustration"), "frustration"),
        range(first(query, "concerning"), "concerning"),
        List.copyOf(meta));
  }

  private static String first(Map<String, List<String>> query, String key) {
    List<String> v = query.get(key);
    return v == null || v.isEmpty() ? null : v.get(0);
  }

  private static int[] range(String v, String name) {
    if (v == null || v.isBlank()) return null;
    String[] parts = v.split("-", -1);
    try {
      int lo = Integer.parseInt(parts[0].trim());
      int hi = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : lo;
      if (parts.length > 2 || lo < 1 || hi > 5 || lo > hi) throw new NumberFormatException();
      return new int[] {lo, hi};
    } catch (NumberFormatException e) {
      throw new ApiException(400, name + ": expected N or N-M within 1..5, got '" + v + "'");
    }
  }

  boolean isEmpty() {
    return language == null && frustration == null && concerning == null && metadata.isEmpty();
  }

  boolean passes(byte userFrustration, byte concerningScore) {
    if (frustration != null
        && (userFrustration < frustration[0] || userFrustration > frustration[1])) return false;
    return concerning == null
        || (concerningScore >= concerning[0] && concerningScore <= concerning[1]);
  }

  /** A canonical text, for caching. */
  String key() {
    StringBuilder b = new StringBuilder();
    b.append(language).append('|');
    b.append(frustration == null ? "" : frustration[0] + "-" + frustration[1]).append('|');
    b.append(concerning == null ? "" : concerning[0] + "-" + concerning[1]).append('|');
    for (String[] kv : metadata) b.append(kv[0]).append('\u0000').append(kv[1]).append('|');
    return b.toString();
  }
}
