package io.hfbeam.conversations;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Python {@code datetime} as Kura holds it: a wall-clock time with microseconds, and an offset
 * only when the value is tz-aware (null = naive). Naive and aware values are different values and
 * stay so.
 *
 * <p>{@link #toString()} is pydantic v2's JSON form (what {@code model_dump_json()} writes, checked
 * against pydantic 2.13): {@code 2025-06-01T09:00:00}, six fraction digits only when the
 * microseconds are not zero, {@code Z} for a zero offset, else {@code +05:30}. Note this is not
 * Python's {@code isoformat()}, which writes {@code +00:00}.
 *
 * <p>{@link #parse} accepts ISO 8601 text as pydantic does ({@code T}, {@code t} or a space between
 * date and time, optional seconds and fraction, {@code Z} or {@code +HH:MM}/{@code +HHMM}, a bare
 * date meaning midnight). It refuses what pydantic would change silently: fraction digits below a
 * microsecond that are not zero (pydantic cuts them), and numbers (pydantic reads them as Unix
 * seconds or milliseconds by size).
 */
public record KuraTime(LocalDateTime local, ZoneOffset offset) implements Comparable<KuraTime> {
  private static final Pattern ISO =
      Pattern.compile(
          "(\\d{4})-(\\d{2})-(\\d{2})(?:[Tt ](\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d+))?)?"
              + "(?:([Zz])|([+-])(\\d{2}):?(\\d{2}))?)?");

  public KuraTime {
    Objects.requireNonNull(local, "local");
    if (local.getNano() % 1000 != 0) {
      throw new IllegalArgumentException("finer than a microsecond: " + local);
    }
    if (offset != null && offset.getTotalSeconds() % 60 != 0) {
      throw new IllegalArgumentException("offset with seconds: " + offset);
    }
  }

  /** A naive time. */
  public static KuraTime naive(LocalDateTime local) {
    return new KuraTime(local, null);
  }

  public boolean isAware() {
    return offset != null;
  }

  /** Parses ISO 8601 text; the message of the exception says why a text is refused. */
  public static KuraTime parse(String text) {
    Matcher m = ISO.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an ISO 8601 datetime: " + quote(text));
    }
    try {
      int year = Integer.parseInt(m.group(1));
      if (year < 1) throw new IllegalArgumentException("year 0 is not a Python datetime");
      int nanos = 0;
      String frac = m.group(7);
      if (frac != null) {
        if (frac.length() > 6 && !frac.substring(6).chars().allMatch(c -> c == '0')) {
          throw new IllegalArgumentException(
              "more than 6 fraction digits in "
                  + quote(text)
                  + " (a Python datetime holds microseconds; pydantic would cut the rest)");
        }
        String six = (frac + "000000").substring(0, 6);
        nanos = Integer.parseInt(six) * 1000;
      }
      LocalDateTime local =
          LocalDateTime.of(
              year,
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)),
              m.group(4) == null ? 0 : Integer.parseInt(m.group(4)),
              m.group(5) == null ? 0 : Integer.parseInt(m.group(5)),
              m.group(6) == null ? 0 : Integer.parseInt(m.group(6)),
              nanos);
      ZoneOffset offset = null;
      if (m.group(8) != null) {
        offset = ZoneOffset.UTC;
      } else if (m.group(9) != null) {
        int h = Integer.parseInt(m.group(10));
        int min = Integer.parseInt(m.group(11));
        if (h > 23 || min > 59) {
          throw new IllegalArgumentException("offset out of range in " + quote(text));
        }
        int secs = (h * 60 + min) * 60;
        offset = ZoneOffset.ofTotalSeconds(m.group(9).equals("-") ? -secs : secs);
      }
      return new KuraTime(local, offset);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "not a valid datetime: " + quote(text) + " (" + e.getMessage() + ")");
    }
  }

  private static String quote(String s) {
    return "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
  }

  /** pydantic's JSON text of this value. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(32);
    pad(b, local.getYear(), 4).append('-');
    pad(b, local.getMonthValue(), 2).append('-');
    pad(b, local.getDayOfMonth(), 2).append('T');
    pad(b, local.getHour(), 2).append(':');
    pad(b, local.getMinute(), 2).append(':');
    pad(b, local.getSecond(), 2);
    int micros = local.getNano() / 1000;
    if (micros != 0) pad(b.append('.'), micros, 6);
    if (offset != null) {
      int secs = offset.getTotalSeconds();
      if (secs == 0) {
        b.append('Z');
      } else {
        b.append(secs < 0 ? '-' : '+');
        int abs = Math.abs(secs) / 60;
        pad(b, abs / 60, 2).append(':');
        pad(b, abs % 60, 2);
      }
    }
    return b.toString();
  }

  private static StringBuilder pad(StringBuilder b, int v, int width) {
    String s = Integer.toString(v);
    for (int i = s.length(); i < width; i++) b.append('0');
    return b.append(s);
  }

  /** Orders by instant; naive times count as UTC (Kura's Claude loader sorts such mixes too). */
  @Override
  public int compareTo(KuraTime o) {
    int c =
        local
            .toInstant(offset == null ? ZoneOffset.UTC : offset)
            .compareTo(o.local.toInstant(o.offset == null ? ZoneOffset.UTC : o.offset));
    return c;
  }
}
