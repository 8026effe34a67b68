package io.hfbeam.hf;

import java.time.Instant;
import org.apache.beam.sdk.schemas.Schema.FieldType;
import org.apache.beam.sdk.schemas.logicaltypes.MicrosInstant;
import org.apache.beam.sdk.schemas.logicaltypes.NanosInstant;
import org.joda.time.ReadableInstant;

/**
 * The Java values of {@code timestamp[unit]} features, exact in every unit.
 *
 * <p>{@code timestamp[s]} and {@code [ms]} are Beam DATETIME (a Joda instant, milliseconds), as
 * they always were; {@code timestamp[us]} is Beam {@link MicrosInstant} and {@code [ns]} {@link
 * NanosInstant}, both holding a {@link java.time.Instant}. A value finer than its feature's unit is
 * an error, never cut: pyarrow's safe casts, which datasets uses, refuse it too.
 */
public final class Timestamps {
  /** The Beam logical type of {@code timestamp[us]}. */
  public static final String MICROS = MicrosInstant.IDENTIFIER;

  /** The Beam logical type of {@code timestamp[ns]}. */
  public static final String NANOS = NanosInstant.IDENTIFIER;

  private Timestamps() {}

  /** The Beam type of a timestamp dtype ({@code timestamp[us]}, {@code timestamp[ns, tz=UTC]}). */
  public static FieldType fieldType(String dtype) {
    return switch (Feature.Value.timestampUnit(dtype)) {
      case "us" -> FieldType.logicalType(new MicrosInstant());
      case "ns" -> FieldType.logicalType(new NanosInstant());
      default -> FieldType.DATETIME;
    };
  }

  /** The unit a Beam logical type holds ({@code us}, {@code ns}); null when it is no timestamp. */
  public static String unitOf(String logicalTypeIdentifier) {
    if (MICROS.equals(logicalTypeIdentifier)) return "us";
    if (NANOS.equals(logicalTypeIdentifier)) return "ns";
    return null;
  }

  /** {@code count} of {@code unit} (s, ms, us, ns) after the epoch, as an instant. */
  public static Instant ofEpoch(long count, String unit) {
    return switch (unit) {
      case "s" -> Instant.ofEpochSecond(count);
      case "ms" -> Instant.ofEpochMilli(count);
      case "us" ->
          Instant.ofEpochSecond(
              Math.floorDiv(count, 1_000_000L), Math.floorMod(count, 1_000_000L) * 1000L);
      case "ns" ->
          Instant.ofEpochSecond(
              Math.floorDiv(count, 1_000_000_000L), Math.floorMod(count, 1_000_000_000L));
      default -> throw new IllegalArgumentException("no timestamp unit " + unit);
    };
  }

  /**
   * The value of a {@code dtype} field for an instant: a Joda instant for s and ms, the instant
   * itself for us and ns.
   *
   * @throws IllegalArgumentException when the instant is finer than the dtype's unit (a
   *     sub-millisecond part for s/ms, as DATETIME holds milliseconds; a sub-microsecond part for
   *     us)
   */
  public static Object value(Instant t, String dtype) {
    String unit = Feature.Value.timestampUnit(dtype);
    // timestamp[s] is a DATETIME too: milliseconds, as it always was
    String held = unit.equals("s") ? "ms" : unit;
    if (t.getNano() % nanosPer(held) != 0) {
      throw new IllegalArgumentException(
          "timestamp " + t + " is finer than " + dtype + " holds (" + unitName(held) + ")");
    }
    return unit.equals("s") || unit.equals("ms") ? new org.joda.time.Instant(t.toEpochMilli()) : t;
  }

  /** {@link #value} of {@code count} {@code unit}s after the epoch. */
  public static Object value(long count, String unit, String dtype) {
    if (unit.equals("ms")
        && !dtype.startsWith("timestamp[us")
        && !dtype.startsWith("timestamp[ns")) {
      return new org.joda.time.Instant(count); // the common case, without an intermediate object
    }
    return value(ofEpoch(count, unit), dtype);
  }

  /** A field value (a Joda or a java.time instant) as a java.time instant. */
  public static Instant instant(Object value) {
    if (value instanceof Instant t) return t;
    if (value instanceof ReadableInstant t) return Instant.ofEpochMilli(t.getMillis());
    throw new IllegalArgumentException("not a timestamp value: " + value.getClass().getName());
  }

  /**
   * A field value as a count of {@code unit} after the epoch.
   *
   * @throws ArithmeticException when it does not fit an int64 of that unit
   * @throws IllegalArgumentException when it is finer than the unit
   */
  public static long toEpoch(Object value, String unit) {
    if (value instanceof ReadableInstant t && !unit.equals("s")) {
      return Math.multiplyExact(t.getMillis(), 1_000_000L / nanosPer(unit));
    }
    Instant t = instant(value);
    long per = nanosPer(unit);
    if (t.getNano() % per != 0) {
      throw new IllegalArgumentException(
          "timestamp " + t + " is finer than " + unitName(unit) + ", which the column holds");
    }
    long perSecond = 1_000_000_000L / per;
    long seconds = t.getEpochSecond();
    long sub = t.getNano() / per;
    // before 1970 with a fraction: (seconds + 1) * perSecond stays in range where seconds *
    // perSecond would not (the int64 nanosecond minimum is -9223372037 s + 145224192 ns)
    if (seconds < 0 && sub > 0) {
      return Math.addExact(Math.multiplyExact(seconds + 1, perSecond), sub - perSecond);
    }
    return Math.addExact(Math.multiplyExact(seconds, perSecond), sub);
  }

  private static int nanosPer(String unit) {
    return switch (unit) {
      case "s" -> 1_000_000_000;
      case "ms" -> 1_000_000;
      case "us" -> 1000;
      case "ns" -> 1;
      default -> throw new IllegalArgumentException("no timestamp unit " + unit);
    };
  }

  private static String unitName(String unit) {
    return switch (unit) {
      case "s" -> "seconds";
      case "ms" -> "milliseconds";
      case "us" -> "microseconds";
      default -> "nanoseconds";
    };
  }
}
