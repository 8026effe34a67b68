package io.hfbeam.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import io.hfbeam.format.Excerpts;
import org.apache.beam.sdk.schemas.Schema;
import org.apache.beam.sdk.values.Row;

/**
 * The dead-letter record every step emits for input it cannot use: where it came from, which step
 * refused it, why, and a short excerpt. Written to {@code _errors/} and counted in the run summary.
 */
public final class Failures {
  public static final Schema SCHEMA =
      Schema.builder()
          .addNullableStringField("source")
          .addNullableInt64Field("line")
          .addNullableInt64Field("offset")
          .addNullableInt64Field("record")
          .addNullableStringField("step")
          .addNullableStringField("reason")
          .addNullableStringField("excerpt")
          .build();

  public static final int EXCERPT_CHARS = Excerpts.CHARS;

  private Failures() {}

  /**
   * A failure. {@code line} is 1-based (relative to the chunk while a chunk is processed) or null
   * when the source has no lines; {@code record} numbers records where lines do not (a game in a
   * PGN file).
   */
  public static Row of(
      String source,
      Long line,
      Long offset,
      Long record,
      String step,
      String reason,
      String excerpt) {
    return Row.withSchema(SCHEMA)
        .addValues(source, line, offset, record, step, oneLine(reason), excerpt(excerpt))
        .build();
  }

  /**
   * Reads back a failure written to a part. While a chunk is processed its line (or, for sources
   * without lines, its record number) counts from the chunk's start; {@code before} (lines or
   * records of the file's earlier chunks) makes it count from the file's start.
   */
  public static Row fromJson(JsonNode n, long before) {
    Long line = n.path("line").isNumber() ? n.get("line").asLong() + before : null;
    Long record =
        n.path("record").isNumber() ? n.get("record").asLong() + (line == null ? before : 0) : null;
    return Row.withSchema(SCHEMA)
        .addValues(
            text(n, "source"),
            line,
            num(n, "offset"),
            record,
            text(n, "step"),
            text(n, "reason"),
            text(n, "excerpt"))
        .build();
  }

  private static String text(JsonNode n, String k) {
    return n.path(k).isTextual() ? n.get(k).asText() : null;
  }

  private static Long num(JsonNode n, String k) {
    return n.path(k).isNumber() ? n.get(k).asLong() : null;
  }

  static String excerpt(String text) {
    return Excerpts.of(text);
  }

  /** The excerpt of UTF-8 bytes, decoding no more of them than it keeps. */
  public static String excerpt(byte[] bytes, int off, int len) {
    return Excerpts.of(bytes, off, len);
  }

  /** Reasons are one line and bounded too: a library's message may quote the input. */
  private static String oneLine(String s) {
    if (s == null) return null;
    String one = s.replace('\n', ' ').replace('\r', ' ');
    return one.length() <= REASON_CHARS ? one : one.substring(0, REASON_CHARS) + "...";
  }

  static final int REASON_CHARS = 500;
}
