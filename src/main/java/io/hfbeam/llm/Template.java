package io.hfbeam.llm;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user-message template: literal text with {@code {{field}}} and {@code {{field|default}}}
 * placeholders over a record's fields. Field names may hold spaces (MEDEC's "Corrected Text"); they
 * are trimmed. Parsed once so a malformed placeholder is found when the prompt file is loaded.
 */
public final class Template implements Serializable {
  private final String source;
  // Literal strings and Placeholders, in order.
  private final List<Object> parts;

  private record Placeholder(String field, String fallback) implements Serializable {}

  private Template(String source, List<Object> parts) {
    this.source = source;
    this.parts = List.copyOf(parts);
  }

  /**
   * Parses a template.
   *
   * @throws IllegalArgumentException with a one-line reason for an unclosed or empty placeholder
   */
  public static Template parse(String source) {
    List<Object> parts = new ArrayList<>();
    int at = 0;
    while (true) {
      int open = source.indexOf("{{", at);
      if (open < 0) {
        parts.add(source.substring(at));
        break;
      }
      parts.add(source.substring(at, open));
      int close = source.indexOf("}}", open + 2);
      if (close < 0) {
        throw new IllegalArgumentException("unclosed '{{' at character " + open);
      }
      String inner = source.substring(open + 2, close);
      int bar = inner.indexOf('|');
      String field = (bar < 0 ? inner : inner.substring(0, bar)).trim();
      String fallback = bar < 0 ? null : inner.substring(bar + 1);
      if (field.isEmpty()) {
        throw new IllegalArgumentException("empty field name in '{{" + inner + "}}'");
      }
      if (field.contains("{") || field.contains("}")) {
        throw new IllegalArgumentException("bad field name '" + field + "'");
      }
      parts.add(new Placeholder(field, fallback));
      at = close + 2;
    }
    return new Template(source, parts);
  }

  /** The fields the template reads, in order of first use. */
  public Set<String> fields() {
    Set<String> out = new LinkedHashSet<>();
    for (Object p : parts) {
      if (p instanceof Placeholder ph) {
        out.add(ph.field());
      }
    }
    return out;
  }

  /**
   * Fills the template. A missing or null value takes the placeholder's default; with no default it
   * is an error (a silent empty string would send a prompt that asks about nothing).
   */
  public String render(Map<String, ?> record) {
    StringBuilder out = new StringBuilder();
    for (Object p : parts) {
      if (p instanceof Placeholder ph) {
        Object v = record.get(ph.field());
        if (v == null) {
          if (ph.fallback() == null) {
            throw new IllegalArgumentException(
                "record has no value for '" + ph.field() + "' and the template gives no default");
          }
          out.append(ph.fallback());
        } else {
          out.append(v);
        }
      } else {
        out.append((String) p);
      }
    }
    return out.toString();
  }

  public String source() {
    return source;
  }

  @Override
  public String toString() {
    return "Template[" + source + "]";
  }
}
